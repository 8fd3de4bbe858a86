/**
 * The OIDC adapter against a real OpenID Provider running inside the test (oidc-provider):
 * discovery, code + PKCE, state, nonce, ID-token validation, refused replays, expired codes,
 * revocation at logout, and the whole web flow through the app.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { identityContract } from "../../ports/identity.contract.ts";
import { type TestProvider, startTestProvider } from "../../../test/support/oidc-test-provider.ts";
import { startWebHarness } from "../../../test/support/web-harness.ts";
import { createOidcIdentity } from "./oidc-identity.ts";

const CALLBACK = "http://localhost:3000/auth/callback";
const WEB_CALLBACK = "http://gas.test/auth/callback";

let op: TestProvider;
const quiet = console.warn;
beforeAll(async () => {
  console.warn = () => {}; // oidc-provider's development-mode warnings
  op = await startTestProvider([CALLBACK, WEB_CALLBACK]);
});
afterAll(async () => {
  await op.close();
  console.warn = quiet;
});

const identity = () =>
  createOidcIdentity({
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    scopes: "openid profile email",
    allowInsecure: true,
  });
const login = (email: string) => email.split("@")[0]!;

identityContract("OpenID Connect (oidc-provider in the test)", async () => {
  const provider = identity();
  return { provider, answer: async (start, user) => (await op.signInAt(start.redirectTo, login(user.email))).searchParams };
});

describe("OpenID Connect adapter", () => {
  test("authorization URL carries PKCE S256, state and nonce; the identity comes from the ID token", async () => {
    const p = identity();
    const start = await p.begin(CALLBACK);
    const url = new URL(start.redirectTo);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toBeTruthy();
    expect(url.searchParams.get("state")).toBe(start.state);
    expect(url.searchParams.get("nonce")).toBe(start.nonce!);
    expect(url.searchParams.get("redirect_uri")).toBe(CALLBACK);
    const id = await p.complete((await op.signInAt(start.redirectTo, "ada")).searchParams, start);
    expect(id).toMatchObject({
      subject: `${op.issuer} ada`,
      email: "ada@example.org",
      name: "Ada Lovelace",
      institution: "Analytical Engines",
      emailVerified: true,
    });
    expect(id.tokens?.idToken).toBeTruthy();
  });

  test("email_verified: only the issuer's true counts (issue 13 item 10)", async () => {
    const p = identity();
    const start = await p.begin(CALLBACK);
    const id = await p.complete((await op.signInAt(start.redirectTo, "unchecked")).searchParams, start);
    expect(id).toMatchObject({ email: "unchecked@example.org", emailVerified: false });
  });

  test("a code is used once: the replay is refused", async () => {
    const p = identity();
    const start = await p.begin(CALLBACK);
    const params = (await op.signInAt(start.redirectTo, "ada")).searchParams;
    await p.complete(params, start);
    await expect(p.complete(params, start)).rejects.toThrow(/invalid_grant|Sign-in refused/);
  });

  test("an expired code is refused", async () => {
    const p = identity();
    op.setCodeTtl(1);
    try {
      const start = await p.begin(CALLBACK);
      const params = (await op.signInAt(start.redirectTo, "ada")).searchParams;
      await Bun.sleep(2100);
      await expect(p.complete(params, start)).rejects.toThrow(/Sign-in refused/);
    } finally {
      op.setCodeTtl(60);
    }
  });

  test("a wrong PKCE verifier or nonce is refused", async () => {
    const p = identity();
    const a = await p.begin(CALLBACK);
    const paramsA = (await op.signInAt(a.redirectTo, "ada")).searchParams;
    await expect(p.complete(paramsA, { ...a, verifier: "x".repeat(43) })).rejects.toThrow(/Sign-in refused/);
    const b = await p.begin(CALLBACK);
    const paramsB = (await op.signInAt(b.redirectTo, "ada")).searchParams;
    await expect(p.complete(paramsB, { ...b, nonce: "not-the-nonce" })).rejects.toThrow(/Sign-in refused/);
  });

  test("an error from the provider is reported, and an unreachable issuer is 'unavailable'", async () => {
    const p = identity();
    const start = await p.begin(CALLBACK);
    await expect(
      p.complete(new URLSearchParams({ error: "access_denied", error_description: "user said no", state: start.state }), start),
    ).rejects.toThrow("user said no");
    const down = createOidcIdentity({
      issuer: "http://127.0.0.1:9",
      clientId: "x",
      scopes: "openid",
      allowInsecure: true,
      timeoutMs: 2000,
    });
    await expect(down.begin(CALLBACK)).rejects.toThrow(/could not be reached/);
  });

  test("sign-out revokes the tokens and returns the issuer's end-session URL", async () => {
    const p = identity();
    const start = await p.begin(CALLBACK);
    const id = await p.complete((await op.signInAt(start.redirectTo, "grace")).searchParams, start);
    const userinfo = `${op.issuer}/me`;
    const before = await fetch(userinfo, { headers: { authorization: `Bearer ${id.tokens!.accessToken}` } });
    expect(before.status).toBe(200);
    const to = new URL((await p.signOut(id.tokens, "http://localhost:3000/"))!);
    expect(to.origin).toBe(op.issuer);
    expect(to.searchParams.get("post_logout_redirect_uri")).toBe("http://localhost:3000/");
    expect(to.searchParams.get("id_token_hint")).toBe(id.tokens!.idToken!);
    const after = await fetch(userinfo, { headers: { authorization: `Bearer ${id.tokens!.accessToken}` } });
    expect(after.status).toBe(401);
  });
});

describe("OpenID Connect through the web app", () => {
  test("sign in, wrong state refused, new account with the provider's profile, logout at the issuer", async () => {
    const h = await startWebHarness({ OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: op.clientId, OIDC_CLIENT_SECRET: op.clientSecret });
    try {
      const c = h.client();
      expect((await c.request("/login/dev")).status).toBe(404); // no dev sign-in when OIDC is configured
      const start = await c.request("/login?next=/annotate");
      expect(start.status).toBe(303);
      const authUrl = start.headers.get("location")!;
      expect(authUrl.startsWith(`${op.issuer}/`)).toBe(true);
      const callback = await op.signInAt(authUrl, "ada");
      expect(callback.origin + callback.pathname).toBe(WEB_CALLBACK);

      // A callback whose state was swapped is refused (and the one-shot sign-in cookie is spent).
      const tampered = new URL(callback);
      tampered.searchParams.set("state", "forged-state");
      const bad = await c.request(tampered.pathname + tampered.search);
      expect(bad.status).toBe(403);
      expect(await bad.text()).toContain("Sign-in refused");
      expect(c.jar.has("gas_session")).toBe(false);

      // Start again; this time the real callback signs the user in.
      const again = await op.signInAt((await c.request("/login?next=/annotate")).headers.get("location")!, "ada");
      const done = await c.request(again.pathname + again.search);
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toBe("/profile?welcome=1&next=%2Fannotate");
      const profile = await (await c.request("/profile")).text();
      expect(profile).toContain('value="Ada Lovelace"');
      expect(profile).toContain('value="Analytical Engines"');
      expect(profile).not.toContain("Verify your address to get emails"); // the issuer vouched for it
      expect((await c.request("/annotate")).status).toBe(200);
      // The same callback again (a replayed code) does not sign anyone in.
      const replay = h.client();
      expect((await replay.request(again.pathname + again.search)).status).toBe(403);

      const out = await c.submit("/annotations", "/logout", {});
      expect(out.status).toBe(303);
      expect(out.headers.get("location")!.startsWith(`${op.issuer}/`)).toBe(true);
      expect((await c.request("/annotations")).status).toBe(303);
      // The CSP lets the logout form's redirect go to the issuer.
      expect(out.headers.get("content-security-policy")).toContain(`form-action 'self' ${op.issuer}`);
    } finally {
      await h.close();
    }
  }, 60_000);
});
