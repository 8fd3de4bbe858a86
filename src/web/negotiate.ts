import type { Context } from "hono";
import { z } from "zod";
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
  // Any bearer token, valid or not: an API client is answered in JSON even when its token is
  // refused (issue 17: an expired token got the HTML sign-in page).
  return c.var.viaToken === true || /^bearer\s/i.test(c.req.header("authorization") ?? "");
}

/** The original API's envelope for errors (`jsonError` builds it; the OpenAPI document describes it). */
export const ErrorResponse = z
  .object({ code: z.number().int(), status: z.literal("error"), message: z.string() })
  .meta({ id: "ErrorResponse" });

export const jsonError = (code: number, message: string): z.infer<typeof ErrorResponse> => ({ code, status: "error", message });
