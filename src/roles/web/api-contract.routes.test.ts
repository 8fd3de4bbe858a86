/**
 * Route tests for what the schemathesis run (test/fuzz/run-schemathesis.ts) found: a bearer-token
 * API call with a form-like body and no Origin was refused as cross-site (403 HTML, undocumented);
 * /annotate and /annotate/files answered 401 without documenting it. Also: every documented
 * operation answers an unauthenticated JSON client with a documented 401.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORIGIN, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

describe("JSON API contract", () => {
  let h: WebHarness;
  let token: string;
  beforeAll(async () => {
    h = await startWebHarness();
    const ada = h.client();
    await ada.signIn("ada@example.org", "Ada");
    const res = await ada.request("/account/tokens", { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: "{}" });
    token = ((await res.json()) as { token: string }).token;
  }, 60_000);
  afterAll(() => h.close());

  test("a bearer call with a text/plain body and no Origin reaches the route (400 JSON, not a CSRF 403)", async () => {
    const res = await h.app.request(`${ORIGIN}/annotations`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: "input_file=x",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    expect(((await res.json()) as { status: string }).status).toBe("error");
  });

  test("a cookie-only form post with a foreign Origin is still refused", async () => {
    const eve = h.client();
    await eve.signIn("eve@example.org", "Eve");
    const res = await eve.request("/annotations", { method: "POST", headers: { origin: "https://evil.example", "content-type": "text/plain" }, body: "x" });
    expect(res.status).toBe(403);
  });

  test("every documented operation documents the 401 it gives an unauthenticated JSON client", async () => {
    const doc = (await (await h.app.request(`${ORIGIN}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const res = await h.app.request(`${ORIGIN}${path.replace("{id}", id)}`, {
          method: method.toUpperCase(),
          headers: { accept: "application/json", "content-type": "application/json" },
          ...(method === "post" ? { body: "{}" } : {}),
        });
        expect({ path, method, status: res.status }).toEqual({ path, method, status: 401 });
        expect({ path, method, documented: "401" in op.responses }).toEqual({ path, method, documented: true });
      }
    }
  });
});
