/**
 * Browser sessions: a random token in a signed, HttpOnly, SameSite=Lax cookie (Secure outside
 * development), looked up in the database on each request (sessions.service.ts). API clients send
 * `Authorization: Bearer <token>` instead. Signing in always starts a new session and destroys the
 * one the browser came with, so a planted session id is never promoted.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { ProviderTokens } from "../../ports/identity.ts";
import { AppError } from "../../shared/errors.ts";
import { type AppEnv, SESSION_COOKIE } from "../../web/app-env.ts";
import type { AccountsService, User } from "./accounts.service.ts";
import type { SessionsService } from "./sessions.service.ts";

export interface SessionOptions {
  secret: string;
  /** Mark cookies Secure (everywhere but NODE_ENV=development). */
  secure: boolean;
  sessions: SessionsService;
}

const cookieToken = async (c: Context<AppEnv>, opts: SessionOptions) => {
  const raw = await getSignedCookie(c, opts.secret, SESSION_COOKIE);
  return typeof raw === "string" && raw !== "" ? raw : null;
};

/** Loads `c.var.user` from a bearer token or the session cookie. */
export function loadUser(accounts: AccountsService, opts: SessionOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("user", null);
    c.set("viaToken", false);
    c.set("tokenScopes", null);
    c.set("sessionHash", null);
    const auth = c.req.header("authorization");
    if (auth?.toLowerCase().startsWith("bearer ")) {
      const user = await accounts.userForToken(auth.slice(7).trim());
      if (!user) throw new AppError("UNAUTHENTICATED", "The API token is not valid (unknown, revoked or expired)");
      c.set("user", user);
      c.set("viaToken", true);
      c.set("tokenScopes", user.tokenScopes);
    } else {
      const token = await cookieToken(c, opts);
      const session = token ? await opts.sessions.lookup(token) : null;
      if (session) {
        c.set("user", session.user);
        c.set("sessionHash", session.idHash);
      }
    }
    await next();
  };
}

/** Start a fresh session for `user`, destroying any session the browser already had. */
export async function startSession(
  c: Context<AppEnv>,
  user: User,
  providerTokens: ProviderTokens | null,
  opts: SessionOptions,
): Promise<void> {
  const previous = await cookieToken(c, opts);
  if (previous) await opts.sessions.destroy(previous);
  const { token, expiresAt } = await opts.sessions.create(user.id, providerTokens);
  await setSignedCookie(c, SESSION_COOKIE, token, opts.secret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: opts.secure,
    path: "/",
    expires: expiresAt,
  });
}

/** End the browser's session; returns the provider tokens it held (for revocation). */
export async function endSession(c: Context<AppEnv>, opts: SessionOptions): Promise<ProviderTokens | null> {
  const token = await cookieToken(c, opts);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: opts.secure });
  return token ? opts.sessions.destroy(token) : null;
}
