/**
 * The annotator's SNS webhook, with the original's paths and answers (`ann/annotator_webhook.py`):
 * GET / describes it; POST /process-job-request takes what SNS posts to an HTTP(S) subscription.
 * Its own signature check is its authentication: no session, no CSRF token (SNS has neither).
 * - SubscriptionConfirmation: verified, then confirmed by GETting SubscribeURL, only when that is
 *   on an SNS host (a forged confirmation must not make us fetch an arbitrary URL);
 * - Notification: verified, then the doorbell rings: the annotator takes the job from SQS;
 * - UnsubscribeConfirmation: verified and logged.
 * Refused messages get a 4xx and a JSON reason (a 503 when the certificate could not be fetched,
 * so that SNS retries); never a 500.
 */
import type { Logger } from "../../shared/logger.ts";
import { type SnsMessage, SnsRefusal, type SnsVerifier, isSnsUrl } from "./sns-signature.ts";

export const PUSH_PATH = "/process-job-request";
/** Larger than any SNS message (256 KiB payload plus the envelope). */
const MAX_BODY_BYTES = 512 * 1024;
const CONFIRM_TIMEOUT_MS = 10_000;

export interface SnsWebhookOptions {
  verifier: SnsVerifier;
  /** A verified notification arrived (the annotator then looks at its queue). */
  onNotification(m: SnsMessage): void;
  /** Test only: an origin trusted like an SNS host for SubscribeURL (configuration refuses it in production). */
  trustedTestOrigin?: string | null;
  fetch?: typeof fetch;
  log: Logger;
}

const answer = (code: number, message: string) => Response.json({ code, message }, { status: code });

/** The webhook as a fetch handler (Bun.serve's `fetch`). */
export function createSnsWebhook(opts: SnsWebhookOptions): (req: Request) => Promise<Response> {
  const doFetch = opts.fetch ?? fetch;
  const trusted = opts.trustedTestOrigin ?? null;

  async function confirm(m: SnsMessage): Promise<Response> {
    const url = m.SubscribeURL!;
    const action = URL.canParse(url) ? new URL(url).searchParams.get("Action") : null;
    if (!isSnsUrl(url, trusted) || action !== "ConfirmSubscription") {
      return answer(
        403,
        `SubscribeURL ${JSON.stringify(url)} is not an https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription URL; not fetched`,
      );
    }
    try {
      const r = await doFetch(url, { redirect: "error", signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
      await r.body?.cancel();
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    } catch (err) {
      // SNS resends the confirmation on a 5xx: let the same MessageId through then.
      opts.verifier.forget(m.MessageId);
      opts.log.warn("subscription confirmation failed", { topicArn: m.TopicArn, err: (err as Error).message });
      return answer(502, `confirming the subscription failed: ${(err as Error).message}`);
    }
    opts.log.info("subscription confirmed", { topicArn: m.TopicArn });
    return answer(200, "Subscription confirmed.");
  }

  async function post(req: Request): Promise<Response> {
    const declared = Number(req.headers.get("content-length") ?? 0);
    if (declared > MAX_BODY_BYTES) return answer(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    const body = await req.text();
    if (body.length > MAX_BODY_BYTES) return answer(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    let m: SnsMessage;
    try {
      m = await opts.verifier.verify(body, req.headers.get("x-amz-sns-message-type"));
    } catch (err) {
      if (!(err instanceof SnsRefusal)) throw err;
      opts.log.warn("SNS message refused", { status: err.status, reason: err.message });
      return answer(err.status, err.message);
    }
    switch (m.Type) {
      case "SubscriptionConfirmation":
        return confirm(m);
      case "UnsubscribeConfirmation":
        opts.log.warn("SNS unsubscribed this endpoint", { topicArn: m.TopicArn });
        return answer(200, "Unsubscribe confirmation noted.");
      case "Notification":
        opts.log.debug("job request announced", { messageId: m.MessageId });
        opts.onNotification(m);
        return answer(201, "Annotation job request processed.");
    }
  }

  return async (req) => {
    const { pathname } = new URL(req.url);
    try {
      if (pathname === "/" && (req.method === "GET" || req.method === "HEAD")) {
        return new Response(`Annotator webhook; POST job to ${PUSH_PATH}\n`, { headers: { "content-type": "text/plain; charset=utf-8" } });
      }
      if (pathname === PUSH_PATH) return req.method === "POST" ? await post(req) : answer(405, `${PUSH_PATH} takes POST`);
      return answer(404, "not found");
    } catch (err) {
      // Only our own faults reach here (never a refusal): say so without details, and log them.
      opts.log.error("webhook failed", { err });
      return answer(503, "the webhook could not handle this message now; SNS will retry");
    }
  };
}
