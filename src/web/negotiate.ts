import type { Context } from "hono";
import type { AppEnv } from "./app-env.ts";

/**
 * Content negotiation for routes that serve both pages and the JSON API on the same path: JSON
 * when the client asks for it (Accept: application/json without text/html), sends JSON, or uses
 * a bearer token; HTML otherwise.
 */
export function wantsJson(c: Context<AppEnv>): boolean {
  const accept = c.req.header("accept") ?? "";
  if (accept.includes("text/html")) return false;
  if (accept.includes("application/json")) return true;
  if ((c.req.header("content-type") ?? "").includes("application/json")) return true;
  return c.var.viaToken === true;
}

/** The original API's envelope for errors. */
export const jsonError = (code: number, message: string) => ({ code, status: "error" as const, message });
