/**
 * A small fixed-window rate limiter per client for the sign-in and upload endpoints: at most
 * `limit` requests per client in each `windowSeconds` window, then 429 with Retry-After until the
 * window ends. Written by hand (about 40 lines) because the need is this small: one Map lookup per
 * limited request, and the whole table is dropped when the window rolls over, so there is no
 * sweeping and memory is bounded by the clients seen in one window. Per process: with several web
 * processes each allows `limit`, which is fine for abuse control (not for billing).
 */
import { BlockList, isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/bun";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env.ts";

export interface RateLimitOptions {
  /** Requests allowed per client per window; 0 turns the limiter off. */
  limit: number;
  windowSeconds: number;
  /** Who is limited: the socket peer by default (see clientAddressOf for proxies). */
  keyOf?: (c: Context<AppEnv>) => string;
  /** Clock (ms), for tests. */
  now?: () => number;
}

/**
 * How to tell the client's address: the socket peer (hono/bun's getConnInfo asks the Bun server),
 * unless that peer is one of `trustedProxies` (addresses or CIDR ranges, TRUSTED_PROXIES): then
 * X-Forwarded-For is read from the right, past every hop a trusted proxy appended, and the first
 * other hop is the client (anything further left is the client's own and may be forged).
 * In-process (app.request in tests) there is no peer and the header is read the same way.
 */
export function clientAddressOf(trustedProxies: readonly string[]): (c: Context<AppEnv>) => string {
  const trusted = new BlockList();
  for (const range of trustedProxies) {
    const [address = "", bits] = range.split("/");
    trusted.addSubnet(address, Number(bits), isIP(address) === 6 ? "ipv6" : "ipv4");
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
  };
  return (c) => {
    // In-process requests (app.request) have no server for getConnInfo to ask.
    const peer = c.env ? (getConnInfo(c).remote.address ?? null) : null;
    const forwarded = c.req.header("x-forwarded-for");
    if (!forwarded || (peer !== null && !isTrusted(peer))) return peer ?? "unknown";
    const hops = forwarded
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) if (i === 0 || !isTrusted(hops[i]!)) return hops[i]!;
    return peer ?? "unknown";
  };
}

/** The client's address when no proxy is trusted. */
export const clientAddress = clientAddressOf([]);

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
      throw new HTTPException(429, {
        message: `Too many requests: at most ${opts.limit} per ${opts.windowSeconds} s here. Try again in ${retryAfter} s.`,
      });
    }
    return next();
  };
}
