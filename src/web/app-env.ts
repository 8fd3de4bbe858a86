import type { User } from "../modules/accounts/index.ts";
import type { Logger } from "../shared/logger.ts";

/** Hono context variables set by the web role's middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Signed-in user (session cookie or bearer token), or null. */
    user: User | null;
    /** True when the user came with a bearer API token (JSON by default). */
    viaToken: boolean;
    /** Server-side id (hash) of the browser session, or null. Binds CSRF tokens. */
    sessionHash: string | null;
    /** The CSRF token every form on the page must send back (field `_csrf`). */
    csrfToken: string;
  };
}
