/**
 * A real OpenID Provider inside the test: `oidc-provider` (panva's certified implementation, the
 * server side of openid-client) on a free port, with its development login and consent pages.
 * It runs under Bun (it warns that Bun is not a supported runtime; discovery, JWKS, the
 * authorization and token endpoints, revocation and end-session all work), so no hand-written
 * provider is needed. `signInAt` plays the user at the provider's pages, as a browser would.
 */
import { type Server, createServer } from "node:http";
import Provider from "oidc-provider";
import { freePort } from "./free-port.ts";

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Authorization code lifetime in seconds for codes issued from now on. */
  setCodeTtl(seconds: number): void;
  /** Follow an authorization URL through login and consent; returns the callback URL with code and state. */
  signInAt(authorizationUrl: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

const ACCOUNTS: Record<string, { email: string; name: string; organization: string; email_verified?: boolean }> = {
  ada: { email: "ada@example.org", name: "Ada Lovelace", organization: "Analytical Engines" },
  grace: { email: "grace@example.org", name: "Grace Hopper", organization: "Navy" },
  // An issuer that has not checked this address (GAS then sends its own link).
  unchecked: { email: "unchecked@example.org", name: "Un Checked", organization: "", email_verified: false },
};

/** Start a provider that knows one confidential client with the given redirect URIs. */
export async function startTestProvider(redirectUris: string[]): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "gas-test";
  const clientSecret = "gas-test-secret-gas-test-secret-0123456789";
  let codeTtl = 60;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: redirectUris.map((u) => `${new URL(u).origin}/`),
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "organization"] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email_verified: true,
        ...(ACCOUNTS[sub] ?? { email: `${sub}@example.org`, name: sub, organization: "" }),
      }),
    }),
    // Profile claims in the ID token too, as Globus Auth does.
    conformIdTokenClaims: false,
    ttl: {
      AuthorizationCode: () => codeTtl,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      IdToken: 3600,
      AccessToken: 3600,
    },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  });
  // oidc-provider logs its development warnings with console.warn; keep test output readable.
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

  async function signInAt(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
      const res = await fetch(url, { ...init, headers, redirect: "manual" });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const eq = pair!.indexOf("=");
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      return res;
    };
    let res = await go(authorizationUrl);
    for (let hops = 0; hops < 12; hops++) {
      const location = res.headers.get("location");
      if (location) {
        const next = new URL(location, issuer);
        if (next.origin !== issuer) return next; // back at the client's callback
        res = await go(next.href);
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`provider page without a form (${res.status}): ${html.slice(0, 300)}`);
      const body = html.includes('name="login"')
        ? new URLSearchParams({ prompt: "login", login, password: "any" })
        : new URLSearchParams({ prompt: "consent" });
      res = await go(new URL(action, issuer).href, { method: "POST", body });
    }
    throw new Error("too many redirects at the provider");
  }

  return {
    issuer,
    clientId,
    clientSecret,
    setCodeTtl: (s) => {
      codeTtl = s;
    },
    signInAt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
