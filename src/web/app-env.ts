/**
 * The web kit's view of a request: what its middleware puts on the Hono context. The kit (this
 * folder) sits below the modules: modules import it, it imports no module, so the signed-in user
 * is the small `WebUser` here; the accounts module's `User` has these fields and more.
 */
import type { Logger } from "../shared/logger.ts";

/** The signed-in user as pages and guards see it. */
export interface WebUser {
  id: string;
  /** Empty until the provider or the user gives it. */
  email: string;
  /** Emails go only to a verified address (pages offer to send the verification link). */
  emailVerified: boolean;
  name: string;
  institution: string;
  tier: "free" | "premium";
  /** The payment provider's customer id once the user has started a checkout (billing portal). */
  paymentCustomerId: string | null;
}

/** A profile is complete once it has a name and an email (the original's `@authenticated` check). */
export const profileComplete = (u: Pick<WebUser, "name" | "email">) => u.name.trim() !== "" && u.email.trim() !== "";

/** Name of the browser session cookie (set by the accounts module, read by the CSRF check). */
export const SESSION_COOKIE = "gas_session";

/** Hono context variables set by the web role's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Signed-in user (session cookie or bearer token), or null. */
    user: WebUser | null;
    /** True when the user came with a bearer API token (JSON by default). */
    viaToken: boolean;
    /** That token's scopes (read, submit, manage); null for a browser session or no user. */
    tokenScopes: readonly string[] | null;
    /** Server-side id (hash) of the browser session, or null. Binds CSRF tokens. */
    sessionHash: string | null;
    /** The CSRF token every form on the page must send back (field `_csrf`). */
    csrfToken: string;
  };
}
