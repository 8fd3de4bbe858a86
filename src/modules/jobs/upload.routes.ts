/**
 * The local object store's upload endpoint (`LOCAL_UPLOAD_PATH`): the browser posts the signed
 * form here as it would to S3, and the store checks every condition of the policy, as S3 does.
 * On AWS browsers post to S3 and this route does not exist. Its authorisation is the signed
 * policy, so the app exempts it from the Origin and CSRF checks.
 */
import { Hono } from "hono";
import type { UploadReceiver } from "../../ports/object-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { formBody } from "../../web/form-body.ts";

export function uploadRoutes(uploads: { path: string; receiver: UploadReceiver }) {
  return new Hono<AppEnv>().post(uploads.path, async (c) => {
    const body = await formBody(c);
    const file = body.file;
    if (!(file instanceof File)) throw new AppError("INVALID_INPUT", 'Upload refused: the form has no "file" part');
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") fields[k] = v;
    const stored = await uploads.receiver.receive(fields, file);
    c.var.log.info("upload stored", { key: stored.key, size: file.size });
    if (stored.redirect) return c.redirect(stored.redirect, 303);
    return c.body(null, 204);
  });
}
