/**
 * Development sign-in: the user types a name and an email and is trusted. Refuses to exist when
 * NODE_ENV=production, so a misconfigured production server cannot fall back to it.
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../../shared/errors.ts";
import type { IdentityProvider, SignInStart, VerifiedIdentity } from "../../ports/identity.ts";

/** Create the dev identity provider; throws when `production` is true. */
export function createDevIdentity(opts: { production: boolean; formPath: string }): IdentityProvider {
  if (opts.production) throw new Error("dev sign-in is refused when NODE_ENV=production; configure OpenID Connect");
  return {
    kind: "dev",
    formOrigins: [],
    async begin(callbackUrl) {
      const state = randomBytes(16).toString("hex");
      const url = new URL(opts.formPath, callbackUrl);
      url.searchParams.set("state", state);
      return { redirectTo: url.pathname + url.search, state };
    },
    async complete(params: URLSearchParams, expected: SignInStart): Promise<VerifiedIdentity> {
      if (params.get("state") !== expected.state)
        throw new AppError("FORBIDDEN", "Sign-in refused: the sign-in state does not match (start again)");
      const email = (params.get("email") ?? "").trim().toLowerCase();
      const name = (params.get("name") ?? "").trim() || null;
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError("INVALID_INPUT", "Sign-in refused: enter a valid email address");
      // No institution: the first sign-in then shows the profile form, as a new OIDC user sees it.
      // Verified: here anyone can be anyone, so a link would prove nothing; and this never runs in production.
      return { subject: `dev:${email}`, email, name, emailVerified: true, institution: null, tokens: null };
    },
    async signOut() {
      return null;
    },
  };
}
