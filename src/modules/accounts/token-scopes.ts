/**
 * What each request needs of an API token (issue 13 item 9). Browser sessions are not limited:
 * the person is there. A token needs:
 * - `manage` for the account: /account/… (tokens), /profile, billing, sign-out, and creating or
 *   revoking share links (they hand the user's results to others);
 * - `submit` to start work: GET /annotate (a signed upload form), POST /annotations and
 *   POST /annotations/{id}/rerun;
 * - `read` for every other GET or HEAD (jobs, results, rows, downloads, logs);
 * and any other unsafe request needs `manage`, so a new route is closed to narrow tokens until
 * it is placed here.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../../shared/errors.ts";
import type { AppEnv } from "../../web/app-env.ts";
import type { TokenScope } from "./accounts.service.ts";

const ACCOUNT = /^\/(account|profile|billing|subscribe|logout)(\/|$)/;
const SHARES = /^\/annotations\/[^/]+\/shares(\/|$)/;
const RERUN = /^\/annotations\/[^/]+\/rerun$/;

export function requiredScope(method: string, path: string): TokenScope {
  if (ACCOUNT.test(path) || SHARES.test(path)) return "manage";
  if ((method === "GET" && path === "/annotate") || (method === "POST" && (path === "/annotations" || RERUN.test(path)))) return "submit";
  if (method === "GET" || method === "HEAD") return "read";
  return "manage";
}

/**
 * After loadUser: a bearer request whose token lacks the scope is refused with 403, naming it.
 * `exempt`: the local upload endpoint, whose authorisation is the signed form (made by GET
 * /annotate, which needs `submit`), as on S3, whatever else the request carries.
 */
export const enforceTokenScopes =
  (opts: { exempt: (path: string) => boolean }): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const scopes = c.var.tokenScopes;
    if (scopes && !opts.exempt(c.req.path)) {
      const needed = requiredScope(c.req.method, c.req.path);
      if (!scopes.includes(needed)) {
        throw new AppError(
          "FORBIDDEN",
          `This API token does not have the ${needed} scope this request needs (it has: ${scopes.join(", ") || "none"}). Create a token with it at /account/tokens.`,
        );
      }
    }
    await next();
  };
