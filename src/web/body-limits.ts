/**
 * The size of every request body, checked before anything reads it (issue 13: an anonymous
 * 256 MiB POST to /logout used to be read whole by the CSRF layer, +550 MB of RSS). Forms and JSON
 * bodies are small: 1 MiB covers every one the app takes. A Content-Length over the limit is
 * answered 413 at once; a chunked body is counted as it is read and cut off at the limit (hono's
 * bodyLimit). The upload endpoint is exempt: it streams the file to the store and stops at the
 * signed policy's own limit (web/streamed-upload-form.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";

/** Every body but an upload's. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function limitBodies(opts: { exempt: (path: string, c: Context<AppEnv>) => boolean; maxBytes?: number }): MiddlewareHandler<AppEnv> {
  const maxBytes = opts.maxBytes ?? MAX_BODY_BYTES;
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The request body is larger than ${maxBytes / 1024 / 1024} MiB, the most this address accepts. Files are uploaded through the upload form.`,
      );
    },
  });
  return (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" || opts.exempt(c.req.path, c) ? next() : limit(c, next));
}
