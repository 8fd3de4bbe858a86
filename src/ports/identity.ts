/**
 * Who the user is: OpenID Connect (Globus Auth or any issuer), or the local dev sign-in. The web
 * role drives a redirect flow: `begin` gives the URL to send the browser to; `complete` turns the
 * callback's parameters into a verified identity.
 */
export interface VerifiedIdentity {
  /** Stable subject: `dev:<email>` for dev sign-in, `<issuer> <sub>` for OpenID Connect. */
  subject: string;
  /** Null when the provider does not share it (the profile page then asks). */
  email: string | null;
  /**
   * True: the provider vouches that `email` reaches this user (OIDC `email_verified: true`; the
   * dev sign-in, development only, always). False: GAS sends a verification link before mailing
   * it. Absent: as the dev sign-in for its `dev:` subjects, false for any other.
   */
  emailVerified?: boolean;
  name: string | null;
  institution: string | null;
  /** Kept with the session only to revoke them and end the provider's session at logout. */
  tokens: ProviderTokens | null;
}

/** What a provider hands back that logout needs. */
export interface ProviderTokens {
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
}

export interface SignInStart {
  /** Where to send the browser. */
  redirectTo: string;
  /** Opaque values the web role keeps (in a short-lived signed cookie) until the callback. */
  state: string;
  /** PKCE code verifier (OIDC). */
  verifier?: string;
  /** ID-token nonce (OIDC). */
  nonce?: string;
  /** The redirect URI the flow was started with (the token request must repeat it). */
  callbackUrl?: string;
}

export interface IdentityProvider {
  readonly kind: "dev" | "oidc";
  begin(callbackUrl: string): Promise<SignInStart>;
  /** `params`: the callback's query or form fields; `expected`: what `begin` returned. */
  complete(params: URLSearchParams, expected: SignInStart): Promise<VerifiedIdentity>;
  /**
   * End the provider side of a session: revoke the tokens where the issuer supports it and
   * return the URL to send the browser to (the issuer's end-session page), or null to go home.
   */
  signOut(tokens: ProviderTokens | null, returnTo: string): Promise<string | null>;
  /** Origins the browser may be redirected to from our forms (for the CSP form-action list). */
  readonly formOrigins: string[];
}
