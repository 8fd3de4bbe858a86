/**
 * Guards for routes that need a signed-in user (or a complete profile), and the user of such a
 * route. Who is signed in is decided by the accounts module's middleware (`loadUser`).
 */
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../shared/errors.ts";
import { type AppEnv, profileComplete, type WebUser } from "./app-env.ts";
import { wantsJson } from "./negotiate.ts";

/** Guard for signed-in routes: JSON clients get 401, browsers are sent to /login?next=. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.user) return next();
  if (wantsJson(c)) throw new AppError("UNAUTHENTICATED", "Sign in or send an API token (Authorization: Bearer …)");
  return c.redirect(`/login?next=${encodeURIComponent(here(c))}`, 303);
};

/**
 * Guard for pages that need a complete profile (the original's `@authenticated`): a browser
 * whose profile lacks a name or email is sent to /profile first. API clients are not redirected.
 */
export const requireProfile: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.var.user;
  if (!user) return requireUser(c, next);
  if (profileComplete(user) || wantsJson(c)) return next();
  return c.redirect(`/profile?next=${encodeURIComponent(here(c))}`, 303);
};

/** The request's own path and query, still percent-encoded (c.req.path is decoded) so it stays a valid next. */
const here = (c: Context<AppEnv>) => {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
};

/** The user of a route behind `requireUser`. */
export function userOf(c: Context<AppEnv>): WebUser {
  if (!c.var.user) throw new AppError("UNAUTHENTICATED", "Sign in first");
  return c.var.user;
}
