import type { Context } from "hono";
import type { AppEnv, WebUser } from "./app-env.ts";

/** What every page needs from the request: who is signed in and the CSRF token for its forms. */
export interface PageCtx {
  user: WebUser | null;
  csrf: string;
  path: string;
}

/** Build the page context of a request. */
export const pageCtx = (c: Context<AppEnv>): PageCtx => ({ user: c.var.user ?? null, csrf: c.var.csrfToken ?? "", path: c.req.path });
