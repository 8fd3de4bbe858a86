/**
 * The local object store's upload endpoint (`LOCAL_UPLOAD_PATH`): the browser posts the signed
 * form here as it would to S3, and the store checks every condition of the policy, as S3 does.
 * On AWS browsers post to S3 and this route does not exist. Its authorisation is the signed
 * policy, so the app exempts it from the Origin and CSRF checks.
 *
 * The body is streamed (web/streamed-upload-form.ts): the policy is checked from the fields that
 * precede the file, and the file goes to the store as it arrives, cut off at the policy's size
 * limit with a 413, so no upload is held in memory and a refused one costs no disk.
 *
 * A browser whose form the store refuses (403: expired, tampered with) gets a page that says so
 * and links to a fresh upload page with the same settings; API clients get the JSON error.
 */
import { Hono } from "hono";
import type { UploadReceiver } from "../../ports/object-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { wantsJson } from "../../web/negotiate.ts";
import { pageCtx } from "../../web/page-context.ts";
import { receiveStreamedUploadForm } from "../../web/streamed-upload-form.ts";
import { UploadRefusedPage } from "./views/upload-refused-page.tsx";

export function uploadRoutes(uploads: { path: string; receiver: UploadReceiver }) {
  return new Hono<AppEnv>().post(uploads.path, async (c) => {
    let fields: Record<string, string> = {};
    try {
      const stored = await receiveStreamedUploadForm(c.req.raw, (f, file) => {
        fields = f;
        return uploads.receiver.receive(f, file);
      });
      c.var.log.info("upload stored", { key: stored.key });
      if (stored.redirect) return c.redirect(stored.redirect, 303);
      return c.body(null, 204);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "FORBIDDEN" || wantsJson(c)) throw err;
      c.var.log.info("upload form refused", { reason: err.message });
      const page = (
        <UploadRefusedPage
          ctx={pageCtx(c)}
          expired={policyExpired(fields.policy, new Date())}
          message={err.message}
          againHref={uploadPageFor(fields.success_action_redirect, c.req.url)}
        />
      );
      return c.html(page, 403);
    }
  });
}

/**
 * Whether an S3-style POST policy (base64 JSON with `expiration`) has expired: only to word the
 * page; the store has already refused the form, whatever the reason.
 */
export function policyExpired(policyB64: string | undefined, now: Date): boolean {
  if (!policyB64) return false;
  try {
    const expiration = Date.parse(
      (JSON.parse(Buffer.from(policyB64, "base64").toString("utf8")) as { expiration?: string }).expiration ?? "",
    );
    return Number.isFinite(expiration) && expiration <= now.getTime();
  } catch {
    return false;
  }
}

/**
 * The upload page with the settings the refused form carried: its redirect is
 * `<this site>/annotate/job?<settings>` (jobs.routes.tsx), so `/annotate?<settings>`. Anything
 * else (missing, another site) → plain `/annotate`.
 */
export function uploadPageFor(redirect: string | undefined, requestUrl: string): string {
  if (!redirect) return "/annotate";
  try {
    const target = new URL(redirect);
    if (target.origin !== new URL(requestUrl).origin || target.pathname !== "/annotate/job") return "/annotate";
    return `/annotate${target.search}`;
  } catch {
    return "/annotate";
  }
}
