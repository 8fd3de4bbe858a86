/**
 * Form bodies (`application/x-www-form-urlencoded`, `multipart/form-data`) for every route that
 * reads one. A body that does not parse (a multipart body without its closing boundary, a
 * multipart type without a boundary) is the client's mistake: 400 naming it, never a 500 logged
 * as our error. Hono caches the parse, so the CSRF check and the route read the body once.
 */
import type { Context } from "hono";
import { AppError } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";

export async function formBody(c: Context<AppEnv>) {
  try {
    return await c.req.parseBody();
  } catch (err) {
    throw new AppError(
      "INVALID_INPUT",
      "The form data could not be read: the request body is not valid multipart/form-data or URL-encoded form data.",
      { cause: err },
    );
  }
}
