/**
 * A small fixed-window rate limiter per client for the sign-in and upload endpoints: at most
 * `limit` requests per client in each `windowSeconds` window, then 429 with Retry-After until the
 * window ends. Written by hand (about 40 lines) because the need is this small: one Map lookup per
 * limited request, and the whole table is dropped when the window rolls over, so there is no
 * sweeping and memory is bounded by the clients seen in one window. Per process: with several web
 * processes each allows `limit`, which is fine for abuse control (not for billing).
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env.ts";

export interface RateLimitOptions {
  /** Requests allowed per client per window; 0 turns the limiter off. */
  limit: number;
  windowSeconds: number;
  /** Who is limited: the client address by default. */
  keyOf?: (c: Context<AppEnv>) => string;
  /** Clock (ms), for tests. */
  now?: () => number;
}

/** Addresses of a proxy in front of us (loopback, private ranges): only then is X-Forwarded-For believed. */
const PROXY_ADDRESS = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|::ffff:(127|10|192\.168)\.|f[cd][0-9a-f]{2}:)/i;

/**
 * The client's address: the socket peer (Bun's server passes itself as the Hono env), or, when
 * that peer is a proxy on a private address, the last X-Forwarded-For hop (the one that proxy
 * appended, which the client cannot forge). "unknown" in-process (app.request in tests).
 */
export function clientAddress(c: Context<AppEnv>): string {
  const env = c.env as { requestIP?: (r: Request) => { address: string } | null } | undefined;
  const peer = env?.requestIP?.(c.req.raw)?.address ?? "unknown";
  const forwarded = c.req.header("x-forwarded-for");
  if (forwarded && (peer === "unknown" || PROXY_ADDRESS.test(peer))) {
    const last = forwarded.split(",").pop()!.trim();
    if (last) return last;
  }
  return peer;
}

/** Middleware allowing `limit` requests per client per window; 429 + Retry-After beyond. */
export function fixedWindowRateLimit(opts: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const windowMs = opts.windowSeconds * 1000;
  const now = opts.now ?? Date.now;
  const keyOf = opts.keyOf ?? clientAddress;
  let window = -1;
  let counts = new Map<string, number>();
  return async (c, next) => {
    if (opts.limit <= 0) return next();
    const t = now();
    const current = Math.floor(t / windowMs);
    if (current !== window) {
      window = current;
      counts = new Map();
    }
    const key = keyOf(c);
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > opts.limit) {
      const retryAfter = Math.max(1, Math.ceil(((current + 1) * windowMs - t) / 1000));
      c.header("Retry-After", String(retryAfter));
      c.var.log?.warn("rate limited", { key, path: c.req.path, count: n });
      throw new HTTPException(429, { message: `Too many requests: at most ${opts.limit} per ${opts.windowSeconds} s here. Try again in ${retryAfter} s.` });
    }
    return next();
  };
}
