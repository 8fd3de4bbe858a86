/**
 * Sessions in a signed, HttpOnly, SameSite=Lax cookie holding the user id and an expiry; API
 * clients send `Authorization: Bearer <token>` instead.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AccountsService, User } from "../modules/accounts/index.ts";
import { AppError } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";
import { wantsJson } from "./negotiate.ts";

export const SESSION_COOKIE = "gas_session";
const SESSION_SECONDS = 7 * 24 * 3600;

export interface SessionOptions {
  secret: string;
  /** Mark cookies Secure (when PUBLIC_URL is https). */
  secure: boolean;
}

/** Loads `c.var.user` from a bearer token or the session cookie. */
export function loadUser(accounts: AccountsService, opts: SessionOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("user", null);
    c.set("viaToken", false);
    const auth = c.req.header("authorization");
    if (auth?.toLowerCase().startsWith("bearer ")) {
      const user = await accounts.userForToken(auth.slice(7).trim());
      if (!user) throw new AppError("UNAUTHENTICATED", "The API token is not valid");
      c.set("user", user);
      c.set("viaToken", true);
    } else {
      const raw = await getSignedCookie(c, opts.secret, SESSION_COOKIE);
      const [userId, expires] = typeof raw === "string" ? raw.split(".") : [];
      if (userId && Number(expires) > Date.now() / 1000) c.set("user", await accounts.get(userId));
    }
    await next();
  };
}

/** Start a session for `user`. */
export async function startSession(c: Context<AppEnv>, user: User, opts: SessionOptions): Promise<void> {
  const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
  await setSignedCookie(c, SESSION_COOKIE, `${user.id}.${expires}`, opts.secret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: opts.secure,
    path: "/",
    maxAge: SESSION_SECONDS,
  });
}

export const endSession = (c: Context<AppEnv>) => deleteCookie(c, SESSION_COOKIE, { path: "/" });

/** Guard for signed-in routes: JSON clients get 401, browsers are sent to /login?next=. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.user) return next();
  if (wantsJson(c)) throw new AppError("UNAUTHENTICATED", "Sign in or send an API token (Authorization: Bearer …)");
  const target = c.req.path + (new URL(c.req.url).search || "");
  return c.redirect(`/login?next=${encodeURIComponent(target)}`, 303);
};

/** The user of a route behind `requireUser`. */
export function userOf(c: Context<AppEnv>): User {
  if (!c.var.user) throw new AppError("UNAUTHENTICATED", "Sign in first");
  return c.var.user;
}
