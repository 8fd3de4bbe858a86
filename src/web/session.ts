/**
 * Browser sessions: a random token in a signed, HttpOnly, SameSite=Lax cookie (Secure outside
 * development), looked up in the database on each request (src/modules/accounts/sessions). API
 * clients send `Authorization: Bearer <token>` instead. Signing in always starts a new session
 * and destroys the one the browser came with, so a planted session id is never promoted.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { type AccountsService, type SessionsService, type User, profileComplete } from "../modules/accounts/index.ts";
import type { ProviderTokens } from "../ports/identity.ts";
import { AppError } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";
import { wantsJson } from "./negotiate.ts";

export const SESSION_COOKIE = "gas_session";

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
    c.set("sessionHash", null);
    const auth = c.req.header("authorization");
    if (auth?.toLowerCase().startsWith("bearer ")) {
      const user = await accounts.userForToken(auth.slice(7).trim());
      if (!user) throw new AppError("UNAUTHENTICATED", "The API token is not valid");
      c.set("user", user);
      c.set("viaToken", true);
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
export async function startSession(c: Context<AppEnv>, user: User, providerTokens: ProviderTokens | null, opts: SessionOptions): Promise<void> {
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
export function userOf(c: Context<AppEnv>): User {
  if (!c.var.user) throw new AppError("UNAUTHENTICATED", "Sign in first");
  return c.var.user;
}

const SITE = "http://site.invalid";

/**
 * `next` as a path on this site, or null. Browsers drop tabs and newlines anywhere in a URL, trim
 * leading C0 controls and spaces, read `\` as `/` and resolve dot segments, so `/\t/evil.example`
 * and `/a/..//evil.example` both leave the site: any whitespace, control character or backslash is
 * refused outright, and what is left must resolve, as a browser resolves it, to a path here that
 * does not itself start with `//`. Returns the resolved path (what the browser would request).
 */
export function sameSitePath(next: string): string | null {
  // biome-ignore lint: control characters are exactly what we reject
  if (next.length > 2048 || !next.startsWith("/") || /[\s\u0000-\u001f\u007f-\u009f\\]/.test(next)) return null;
  if (!URL.canParse(next, SITE)) return null;
  const url = new URL(next, SITE);
  const path = url.pathname + url.search + url.hash;
  return url.origin === SITE && !path.startsWith("//") ? path : null;
}

/** Where to go after sign-in or a form: `next` when it is a path on this site, else `fallback` (no open redirect). */
export const safeNext = (next: string | undefined | null, fallback = "/annotations") => (next ? sameSitePath(next) : null) ?? fallback;

/** A `next` parameter from the request: null when absent; a 400 naming it when it is not a path on this site. */
export function requestedNext(next: string | undefined | null): string | null {
  if (!next) return null;
  const path = sameSitePath(next);
  if (!path) throw new AppError("INVALID_INPUT", "The next parameter must be a path on this site, such as /annotations; this one was refused.");
  return path;
}
