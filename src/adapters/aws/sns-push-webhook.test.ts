/**
 * The SNS webhook over HTTP, fed by test/support/sns-test-publisher.ts (SNS's role: signed
 * messages, the certificate, the SubscribeURL). Webhook security (issue #8): unsigned, wrongly
 * signed, foreign certificate URL, altered and replayed messages are all refused, and nothing
 * is rung for them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type SnsTestPublisher, startSnsTestPublisher } from "../../../test/support/sns-test-publisher.ts";
import { createLogger } from "../../shared/logger.ts";
import { PUSH_PATH, createSnsWebhook } from "./sns-push-webhook.ts";
import { type SnsMessage, createSnsVerifier } from "./sns-signature.ts";

const quiet = createLogger("error", {}, () => {});
let sns: SnsTestPublisher;
let server: ReturnType<typeof Bun.serve>;
let endpoint: string;
let rung: SnsMessage[];
/** Requests that reached a host that must never be fetched (a forged SubscribeURL's target). */
let bystanderHits: number;
let bystander: ReturnType<typeof Bun.serve>;
let outboundFetches: string[];

beforeAll(async () => {
  sns = await startSnsTestPublisher();
  bystander = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (bystanderHits++, new Response("ok")) });
  const counting = ((input: string | URL | Request, init?: RequestInit) => {
    outboundFetches.push(String(input));
    return fetch(input, init);
  }) as typeof fetch;
  const handler = createSnsWebhook({
    verifier: createSnsVerifier({ topicArn: sns.topicArn, trustedTestOrigin: sns.origin, fetch: counting }),
    trustedTestOrigin: sns.origin,
    fetch: counting,
    onNotification: (m) => rung.push(m),
    log: quiet,
  });
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  endpoint = `http://127.0.0.1:${server.port}${PUSH_PATH}`;
});
afterAll(async () => {
  await server.stop(true);
  await bystander.stop(true);
  await sns.stop();
});
beforeEach(() => {
  rung = [];
  bystanderHits = 0;
  outboundFetches = [];
  sns.failConfirmations(false);
});

async function expectRefused(res: Response, status: number, reason: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: number; message: string };
  expect(body.code).toBe(status);
  expect(body.message).toContain(reason);
}

describe("SNS webhook", () => {
  test("GET / says what it is, as the original did", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`Annotator webhook; POST job to ${PUSH_PATH}\n`);
    expect((await fetch(endpoint)).status).toBe(405);
    expect((await fetch(`http://127.0.0.1:${server.port}/elsewhere`, { method: "POST" })).status).toBe(404);
  });

  test("a verified notification (v1 and v2) rings once and answers the original's 201", async () => {
    for (const version of [1, 2] as const) {
      const m = sns.notification({ version, message: JSON.stringify({ jobId: `job-${version}` }) });
      const res = await sns.post(endpoint, m);
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ code: 201, message: "Annotation job request processed." });
    }
    expect(rung.map((m) => JSON.parse(m.Message).jobId)).toEqual(["job-1", "job-2"]);
  });

  test("webhook security: unsigned, wrongly signed, foreign certificate URL, altered and replayed messages are refused and ring nothing", async () => {
    const unsigned = sns.notification();
    delete unsigned.Signature;
    delete unsigned.SignatureVersion;
    await expectRefused(await sns.post(endpoint, unsigned), 400, "unsigned");
    await expectRefused(await sns.post(endpoint, sns.notification({ foreignKey: true })), 403, "signature does not verify");
    await expectRefused(
      await sns.post(
        endpoint,
        sns.notification({ certUrl: "https://sns.us-east-1.amazonaws.com.evil.org/SimpleNotificationService-1.pem" }),
      ),
      403,
      "SigningCertURL",
    );
    await expectRefused(
      await sns.post(endpoint, sns.notification({ certUrl: "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem" })),
      403,
      "SigningCertURL",
    );
    const original = sns.notification({ message: JSON.stringify({ jobId: "a" }) });
    await expectRefused(
      await sns.post(endpoint, { ...original, Message: JSON.stringify({ jobId: "b" }) }),
      403,
      "signature does not verify",
    );
    await expectRefused(await sns.post(endpoint, sns.notification({ timestamp: new Date(Date.now() - 2 * 3600_000) })), 403, "older than");
    await expectRefused(
      await sns.post(endpoint, sns.notification({ topicArn: "arn:aws:sns:us-east-1:999999999999:other" })),
      403,
      "TopicArn",
    );
    await expectRefused(await sns.post(endpoint, "definitely not json"), 400, "not JSON");
    expect(rung).toEqual([]);
    // Nothing was fetched for the foreign certificate URLs (only the publisher's own certificate, at most once).
    expect(outboundFetches.filter((u) => !u.startsWith(sns.origin))).toEqual([]);

    const res = await sns.post(endpoint, original);
    expect(res.status).toBe(201);
    await expectRefused(await sns.post(endpoint, original), 409, "replay");
    expect(rung).toHaveLength(1);
  });

  test("SubscriptionConfirmation is confirmed by fetching SubscribeURL on an SNS host", async () => {
    const c = sns.confirmation("SubscriptionConfirmation", { version: 1 });
    const res = await sns.post(endpoint, c);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 200, message: "Subscription confirmed." });
    expect(sns.confirmedTokens()).toContain(c.Token!);
    expect(rung).toEqual([]);
  });

  test("a signed confirmation whose SubscribeURL is not an SNS host is refused and the URL is never fetched", async () => {
    for (const subscribeUrl of [
      `http://127.0.0.1:${bystander.port}/?Action=ConfirmSubscription&Token=t`,
      "https://sns.us-east-1.amazonaws.com.evil.org/?Action=ConfirmSubscription&Token=t",
      "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
      `${sns.origin}/?Action=DeleteTopic&Token=t`,
    ]) {
      const c = sns.confirmation("SubscriptionConfirmation", { subscribeUrl });
      await expectRefused(await sns.post(endpoint, c), 403, "SubscribeURL");
    }
    expect(bystanderHits).toBe(0);
    expect(outboundFetches.filter((u) => !u.startsWith(sns.origin))).toEqual([]);
    expect(sns.confirmedTokens()).not.toContain("t");
  });

  test("a confirmation that cannot be completed answers 502, and SNS's retry of it is accepted", async () => {
    sns.failConfirmations(true);
    const c = sns.confirmation("SubscriptionConfirmation");
    await expectRefused(await sns.post(endpoint, c), 502, "confirming the subscription failed");
    sns.failConfirmations(false);
    expect((await sns.post(endpoint, c)).status).toBe(200);
    expect(sns.confirmedTokens()).toContain(c.Token!);
  });

  test("UnsubscribeConfirmation is verified and acknowledged without fetching anything", async () => {
    const res = await sns.post(endpoint, sns.confirmation("UnsubscribeConfirmation"));
    expect(res.status).toBe(200);
    expect(outboundFetches.filter((u) => u.includes("Action="))).toEqual([]);
    await expectRefused(await sns.post(endpoint, sns.confirmation("UnsubscribeConfirmation", { foreignKey: true })), 403, "signature");
  });

  test("a body larger than any SNS message is refused with 413", async () => {
    const res = await fetch(endpoint, {
      method: "POST",
      body: "x".repeat(600 * 1024),
      headers: { "x-amz-sns-message-type": "Notification" },
    });
    expect(res.status).toBe(413);
  });
});
