/**
 * The local object store's upload endpoint (`LOCAL_UPLOAD_PATH`): the browser posts the signed
 * form here as it would to S3, and the store checks every condition of the policy, as S3 does.
 * On AWS browsers post to S3 and this route does not exist. Its authorisation is the signed
 * policy, so the app exempts it from the Origin and CSRF checks.
 *
 * The body is streamed (web/streamed-upload-form.ts): the policy is checked from the fields that
 * precede the file, and the file goes to the store as it arrives, cut off at the policy's size
 * limit with a 413, so no upload is held in memory and a refused one costs no disk.
 */
import { Hono } from "hono";
import type { UploadReceiver } from "../../ports/object-store.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { receiveStreamedUploadForm } from "../../web/streamed-upload-form.ts";

export function uploadRoutes(uploads: { path: string; receiver: UploadReceiver }) {
  return new Hono<AppEnv>().post(uploads.path, async (c) => {
    const stored = await receiveStreamedUploadForm(c.req.raw, (fields, file) => uploads.receiver.receive(fields, file));
    c.var.log.info("upload stored", { key: stored.key });
    if (stored.redirect) return c.redirect(stored.redirect, 303);
    return c.body(null, 204);
  });
}
