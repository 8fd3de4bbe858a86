/**
 * CSRF tokens on every form (synchronizer-token pattern). The token is an HMAC of the server-side
 * session id, or, before sign-in, of a random pre-session cookie; forms carry it in a hidden
 * `_csrf` field (or an `X-CSRF-Token` header). Unsafe requests without it are refused with 403.
 * The Origin check (`originCheck`) runs in front of this.
 *
 * Exempt: bearer-token API calls (no ambient credentials to abuse), `application/json` bodies
 * (a cross-site page cannot send them without a CORS preflight, which we never grant; and with a
 * session cookie they must pass the Origin check), and the local upload endpoint, whose signed
 * policy is its authorisation exactly as on S3.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { AppError } from "../shared/errors.ts";
import { type AppEnv, SESSION_COOKIE } from "./app-env.ts";
import { formBody } from "./form-body.ts";

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";
const PRE_SESSION_COOKIE = "gas_pre";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** Bodies a cross-site form or sendBeacon sends without a CORS preflight (hono/csrf's list); a missing type counts. */
const SIMPLE_BODY = /^\b(application\/x-www-form-urlencoded|multipart\/form-data|text\/(?:plain|ping))\b/i;

export interface OriginCheckOptions {
  /** Origins this site answers on. */
  allowed: (origin: string, c: Context<AppEnv>) => boolean;
  /** Requests that carry their own authorisation (bearer tokens, the signed upload endpoint). */
  exempt: (c: Context<AppEnv>) => boolean;
}

/**
 * Unsafe requests a cross-site page could make with the user's cookies must come from this site
 * (Origin one of ours, or Sec-Fetch-Site: same-origin): every one that carries the session
 * cookie, whatever its content type or lack of body, and every form-like body (sign-in and
 * sign-out happen before or after a session). Cookie-less JSON (the Stripe webhook) is not
 * concerned: it has no authority to borrow.
 */
export function originCheck(opts: OriginCheckOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || opts.exempt(c)) return next();
    const formLike = SIMPLE_BODY.test(c.req.header("content-type") || "text/plain");
    if (!formLike && getCookie(c, SESSION_COOKIE) === undefined) return next();
    if (c.req.header("sec-fetch-site") === "same-origin") return next();
    const origin = c.req.header("origin");
    if (origin && opts.allowed(origin, c)) return next();
    throw new AppError(
      "FORBIDDEN",
      "This request did not come from this site (its Origin header names another site, or is missing), so it was refused. Use this site's pages, or an API token (Authorization: Bearer …).",
    );
  };
}

export interface CsrfOptions {
  secret: string;
  secure: boolean;
  /** Requests that carry their own authorisation (the signed upload endpoint). */
  exempt: (c: Context<AppEnv>) => boolean;
}

const tokenFor = (secret: string, binding: string) => createHmac("sha256", secret).update(`csrf\u0000${binding}`).digest("base64url");

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Runs after `loadUser`: sets `c.var.csrfToken` and checks it on unsafe requests. */
export function csrfProtection(opts: CsrfOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let binding = c.var.sessionHash ? `s:${c.var.sessionHash}` : null;
    if (!binding) {
      let pre = getCookie(c, PRE_SESSION_COOKIE);
      if (!pre || !/^[A-Za-z0-9_-]{20,64}$/.test(pre)) {
        pre = randomBytes(18).toString("base64url");
        setCookie(c, PRE_SESSION_COOKIE, pre, { httpOnly: true, sameSite: "Lax", secure: opts.secure, path: "/" });
      }
      binding = `p:${pre}`;
    }
    const expected = tokenFor(opts.secret, binding);
    c.set("csrfToken", expected);
    if (SAFE.has(c.req.method) || c.var.viaToken || opts.exempt(c)) return next();
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type === "application/json") return next();
    let sent = c.req.header(CSRF_HEADER) ?? "";
    if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
      // Parsed even when the header carries the token, so a malformed body is a 400 here, for
      // every route; the parse is cached, so the route reads it again for free.
      const field = (await formBody(c))[CSRF_FIELD];
      if (!sent) sent = typeof field === "string" ? field : "";
    }
    if (!sent || !sameToken(sent, expected)) {
      throw new AppError(
        "FORBIDDEN",
        "This form has expired or did not come from this site (CSRF check failed). Go back, reload the page and try again.",
      );
    }
    return next();
  };
}
