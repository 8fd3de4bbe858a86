/**
 * Who the user is: local dev sign-in now, OpenID Connect (issue 4) later. The web role drives a
 * redirect flow: `begin` gives the URL to send the browser to; `complete` turns the callback's
 * parameters into a verified identity.
 */
export interface VerifiedIdentity {
  /** Stable subject from the provider (`dev:<email>` for dev sign-in). */
  subject: string;
  email: string;
  name: string;
}

export interface SignInStart {
  /** Where to send the browser. */
  redirectTo: string;
  /** Opaque values the web role keeps (in a short-lived cookie) until the callback. */
  state: string;
  verifier?: string;
}

export interface IdentityProvider {
  readonly kind: "dev" | "oidc";
  begin(callbackUrl: string): Promise<SignInStart>;
  /** `params`: the callback's query or form fields; `expected`: what `begin` returned. */
  complete(params: URLSearchParams, expected: SignInStart): Promise<VerifiedIdentity>;
}
