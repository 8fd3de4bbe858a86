/**
 * The local object store's upload endpoint (`LOCAL_UPLOAD_PATH`): the browser posts the signed
 * form here as it would to S3, and the store checks every condition of the policy, as S3 does.
 * On AWS browsers post to S3 and this route does not exist. Its authorisation is the signed
 * policy, so the app exempts it from the Origin and CSRF checks.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { UploadReceiver } from "../../ports/object-store.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { readableForm } from "../../web/form-body.ts";
import { validate } from "../../web/validate.ts";

const last = (v: unknown) => (Array.isArray(v) ? v.at(-1) : v);

/**
 * The signed form: the file, and every text field for the store to check against the policy.
 * Read as `parseBody()` read it: a repeated field counts with its last value, `name[]` fields
 * (arrays) are not policy fields.
 */
const UploadForm = z
  .object({ file: z.preprocess(last, z.instanceof(File, { error: 'Upload refused: the form has no "file" part' })) })
  .catchall(z.unknown())
  .transform(({ file, ...rest }) => {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(rest)) {
      const value = k.endsWith("[]") ? v : last(v);
      if (typeof value === "string") fields[k] = value;
    }
    return { file, fields };
  });

export function uploadRoutes(uploads: { path: string; receiver: UploadReceiver }) {
  return new Hono<AppEnv>().post(uploads.path, readableForm, validate("form", UploadForm), async (c) => {
    const { file, fields } = c.req.valid("form");
    const stored = await uploads.receiver.receive(fields, file);
    c.var.log.info("upload stored", { key: stored.key, size: file.size });
    if (stored.redirect) return c.redirect(stored.redirect, 303);
    return c.body(null, 204);
  });
}
