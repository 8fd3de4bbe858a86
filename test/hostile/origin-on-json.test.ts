/**
 * Issue 13, item 12: a state-changing request that carries the session cookie must come from this
 * site (Origin, or Sec-Fetch-Site: same-origin), whatever its content type. JSON bodies used to
 * skip both the CSRF token and the Origin check. API clients with a bearer token (no ambient
 * credentials) and cookie-less requests (the Stripe webhook) are not affected.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORIGIN, type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";
import { capturedApp } from "./captured-app.ts";

describe("Origin on every state-changing request with a session cookie", () => {
  let h: WebHarness;
  let ada: WebClient;
  let app: Awaited<ReturnType<typeof capturedApp>>;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    await ada.signIn("ada@example.org", "Ada");
    app = await capturedApp(h);
  }, 60_000);
  afterAll(() => h.close());

  const json = (headers: Record<string, string>, method = "POST") => ({
    method,
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: "{}",
  });

  test("JSON, text or body-less posts from another site, or with no Origin at all, are refused", async () => {
    const refused = [
      ["POST /account/tokens (JSON, evil Origin)", "/account/tokens", json({ origin: "https://evil.example" })],
      ["POST /account/tokens (JSON, no Origin)", "/account/tokens", json({})],
      ["POST /account/tokens (JSON, cross-site fetch)", "/account/tokens", json({ "sec-fetch-site": "cross-site" })],
      ["POST /annotations (JSON, evil Origin)", "/annotations", json({ origin: "https://evil.example" })],
      [
        "DELETE /account/tokens/x (no body, evil Origin)",
        "/account/tokens/00000000-0000-0000-0000-000000000000",
        { method: "DELETE", headers: { origin: "https://evil.example" } },
      ],
      [
        "PUT /profile (XML, evil Origin)",
        "/profile",
        { method: "PUT", headers: { origin: "https://evil.example", "content-type": "application/xml" }, body: "<x/>" },
      ],
    ] as const;
    for (const [label, path, init] of refused) {
      const res = await app.request(path, init, ada);
      expect({ label, status: res.status }).toEqual({ label, status: 403 });
    }
    const tokens = (await (await ada.request("/account/tokens", { headers: { accept: "application/json" } })).json()) as {
      tokens: unknown[];
    };
    expect(tokens.tokens).toEqual([]); // none was created
  });

  test("the same requests from this site, a bearer token from anywhere, and cookie-less calls still work", async () => {
    expect((await app.request("/account/tokens", json({ origin: ORIGIN }), ada)).status).toBe(201);
    const sameSite = await app.request("/account/tokens", json({ "sec-fetch-site": "same-origin" }), ada);
    expect(sameSite.status).toBe(201);
    const { token } = (await sameSite.json()) as { token: string };
    const bearer = await app.request("/annotations", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(bearer.status).toBe(400); // past the Origin check: the body is refused for what it is
    const anonymous = await app.request("/account/tokens", json({ origin: "https://evil.example" }));
    expect(anonymous.status).toBe(401);
  });
});
