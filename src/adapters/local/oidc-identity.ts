/**
 * OpenID Connect sign-in through `openid-client` (OpenID-certified; arctic, named in the design
 * card, is deprecated upstream). Authorization code flow with PKCE (S256), state and nonce;
 * the issuer's metadata comes from discovery; openid-client validates the ID token (signature
 * against the issuer's JWKS, iss, aud, exp, iat, nonce). Used on every backend: the identity
 * provider is an external service, not an AWS or local resource.
 *
 * Globus Auth (the original's provider): OIDC_ISSUER=https://auth.globus.org, a client registered
 * at https://app.globus.org/settings/developers with redirect URL `<PUBLIC_URL>/auth/callback`,
 * scopes `openid profile email`. Its ID token carries `organization`, used as the institution.
 */
import * as oidc from "openid-client";
import type { IdentityProvider, ProviderTokens, SignInStart, VerifiedIdentity } from "../../ports/identity.ts";
import { AppError } from "../../shared/errors.ts";

export interface OidcIdentityOptions {
  issuer: string;
  clientId: string;
  /** Omit for a public client (PKCE alone). */
  clientSecret?: string;
  scopes: string;
  /** Allow an http:// issuer (tests and local providers only; refused in production by config). */
  allowInsecure?: boolean;
  /** Milliseconds for each request to the issuer. */
  timeoutMs?: number;
}

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/** Create the OIDC provider. Discovery runs on first use (and again after a failure). */
export function createOidcIdentity(opts: OidcIdentityOptions): IdentityProvider {
  let discovered: Promise<oidc.Configuration> | null = null;
  const config = () => {
    discovered ??= oidc
      .discovery(
        new URL(opts.issuer),
        opts.clientId,
        undefined,
        opts.clientSecret ? oidc.ClientSecretBasic(opts.clientSecret) : oidc.None(),
        { execute: opts.allowInsecure ? [oidc.allowInsecureRequests] : [], timeout: (opts.timeoutMs ?? 10_000) / 1000 },
      )
      .catch((err) => {
        discovered = null;
        throw new AppError("UNAVAILABLE", `Sign-in is unavailable: the identity provider ${opts.issuer} could not be reached`, {
          cause: err,
        });
      });
    return discovered;
  };

  return {
    kind: "oidc",
    formOrigins: [new URL(opts.issuer).origin],

    async begin(callbackUrl): Promise<SignInStart> {
      const cfg = await config();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: callbackUrl,
        scope: opts.scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      return { redirectTo: url.href, state, verifier, nonce, callbackUrl };
    },

    async complete(params, expected): Promise<VerifiedIdentity> {
      const cfg = await config();
      if (!expected.callbackUrl || !expected.verifier || !expected.nonce) {
        throw new AppError("FORBIDDEN", "Sign-in refused: the sign-in was not started here (start again)");
      }
      const error = params.get("error");
      if (error) {
        const why = params.get("error_description") ?? error;
        throw new AppError("FORBIDDEN", `Sign-in was not completed at the identity provider: ${why}`);
      }
      const current = new URL(expected.callbackUrl);
      for (const [k, v] of params) current.searchParams.set(k, v);
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(cfg, current, {
          pkceCodeVerifier: expected.verifier,
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        // Wrong state, a used or expired code (invalid_grant), a bad ID token: all mean "start again".
        const detail = err instanceof Error ? err.message : String(err);
        throw new AppError("FORBIDDEN", `Sign-in refused: ${detail}. Please sign in again.`, { cause: err });
      }
      const claims = tokens.claims();
      if (!claims) throw new AppError("FORBIDDEN", "Sign-in refused: the identity provider sent no ID token");
      let info: Record<string, unknown> = { ...claims };
      if ((!str(info.email) || !str(info.name)) && tokens.access_token && cfg.serverMetadata().userinfo_endpoint) {
        // Some issuers put profile claims only in UserInfo; it is optional, so failures are not fatal.
        info = { ...(await oidc.fetchUserInfo(cfg, tokens.access_token, claims.sub).catch(() => ({}))), ...info };
      }
      const email = str(info.email)?.toLowerCase() ?? null;
      return {
        // The issuer is part of the subject: `sub` is only unique per issuer.
        subject: `${claims.iss} ${claims.sub}`,
        email,
        // Only an explicit `email_verified: true` counts (OIDC Core §5.1); some issuers send the string.
        emailVerified: email !== null && (info.email_verified === true || info.email_verified === "true"),
        name: str(info.name) ?? str([info.given_name, info.family_name].filter(Boolean).join(" ")) ?? str(info.preferred_username),
        institution: str(info.organization),
        tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token },
      };
    },

    async signOut(tokens: ProviderTokens | null, returnTo: string) {
      const cfg = await config().catch(() => null);
      if (!cfg) return null;
      const meta = cfg.serverMetadata();
      if (tokens && meta.revocation_endpoint) {
        // Best effort: the local session is already gone whatever the issuer answers.
        for (const t of [tokens.refreshToken, tokens.accessToken]) if (t) await oidc.tokenRevocation(cfg, t).catch(() => {});
      }
      if (!meta.end_session_endpoint) return null;
      const params: Record<string, string> = { post_logout_redirect_uri: returnTo, client_id: opts.clientId };
      if (tokens?.idToken) params.id_token_hint = tokens.idToken;
      return oidc.buildEndSessionUrl(cfg, params).href;
    },
  };
}
