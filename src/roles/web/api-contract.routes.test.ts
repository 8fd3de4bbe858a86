/**
 * Route tests for what the schemathesis run (test/fuzz/run-schemathesis.ts) found: a bearer-token
 * API call with a form-like body and no Origin was refused as cross-site (403 HTML, undocumented);
 * /annotate and /annotate/files answered 401 without documenting it. Also: every documented
 * operation that needs a token answers an unauthenticated JSON client with a documented 401, and
 * every route that answers JSON is in the document (it is generated from the routes, see
 * openapi.ts, so a JSON route without `describeRoute` would be missing from it).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORIGIN, type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

type Doc = { paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };

/**
 * Routes that never answer JSON (pages, forms, redirects, files, streams), each with why. A new
 * route must describe itself (`describeRoute`, then it is in /openapi.json) or be listed here.
 */
const NOT_JSON: Record<string, string> = {
  "GET /": "the home page",
  "GET /static/{name}": "Bootstrap and the site's CSS and scripts",
  "GET /favicon.ico": "the site's icon (SVG)",
  "GET /openapi.json": "the document itself",
  "GET /api/reference": "the API reference page (Swagger UI rendering /openapi.json)",
  "GET /metrics": "Prometheus text",
  "GET /login": "sign-in: a redirect to the identity provider",
  "GET /login/dev": "the development sign-in page",
  "POST /login/dev": "its form: a redirect",
  "GET /auth/callback": "the identity provider's redirect back: a redirect",
  "GET /logout": "the sign-out page",
  "POST /logout": "its form: a redirect",
  "GET /profile/verify-email": "the page an address verification link opens (a Confirm button)",
  "POST /account/tokens/{id}/revoke": "the tokens page's revoke button: a redirect",
  "POST /upload/inputs": "the local object store's signed upload (S3's protocol: a redirect or 204)",
  "GET /subscribe": "the subscribe page",
  "GET /subscribe/confirm": "the page after checkout",
  "POST /billing/portal": "a redirect to the provider's portal",
  "GET /checkout/local/{token}": "the simulated checkout page (development)",
  "POST /checkout/local/{token}": "its form: a redirect",
  "GET /annotations/{id}/results": "the results browser page",
  "GET /annotations/{id}/results/variants/{vid}": "one variant's effects (a page, or the table fragment the browser script asks for)",
  "GET /shared/{token}/variants/{vid}": "one variant's effects on a shared results page",
  "GET /annotations/{id}/events": "live status: server-sent events",
  "GET /annotations/{id}/delete": "the page that confirms deleting a job (the API deletes with DELETE /annotations/{id})",
  "POST /annotations/{id}/delete": "its form: a redirect",
  "POST /annotations/{id}/shares": "the share form: the job page again",
  "POST /annotations/{id}/shares/{shareId}/revoke": "its revoke button: a redirect",
  "GET /shared/{token}": "a shared results page",
  "GET /shared/{token}/result": "a shared download: the annotated VCF as stored (BGZF, or plain for old jobs)",
  "GET /shared/{token}/result.tbi": "a shared download: the VCF's tabix index",
  "GET /shared/{token}/result.vcf": "a shared download: the plain VCF",
  "GET /shared/{token}/log.txt": "a shared download: the count log",
  "GET /shared/{token}/log": "a shared log (text)",
};

describe("JSON API contract", () => {
  let h: WebHarness;
  let token: string;
  let ada: WebClient;
  let adaId: string;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    const res = await ada.request("/account/tokens", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: "{}",
    });
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

  test("a token name with a control character is a 400 naming the field, not a 500 (PostgreSQL text cannot hold NUL)", async () => {
    const res = await ada.request("/account/tokens", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ name: "laptop\u0000" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 400,
      status: "error",
      message: "Invalid request body: name: must not contain control characters",
    });
  });

  test("a cookie-only form post with a foreign Origin is still refused", async () => {
    const eve = h.client();
    await eve.signIn("eve@example.org", "Eve");
    const res = await eve.request("/annotations", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
      body: "x",
    });
    expect(res.status).toBe(403);
  });

  test("every documented operation that needs a token documents the 401 it gives an unauthenticated JSON client", async () => {
    const doc = (await (await h.app.request(`${ORIGIN}/openapi.json`)).json()) as Doc;
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const res = await h.app.request(`${ORIGIN}${path.replace("{id}", id)}`, {
          method: method.toUpperCase(),
          headers: { accept: "application/json", "content-type": "application/json" },
          ...(method === "post" ? { body: "{}" } : {}),
        });
        const open = op.security?.length === 0; // public: health checks, the payment provider's webhook
        expect({ path, method, unauthorised: res.status === 401 }).toEqual({ path, method, unauthorised: !open });
        if (!open) expect({ path, method, documented: "401" in op.responses }).toEqual({ path, method, documented: true });
      }
    }
  });

  test("every route is in the document or listed as not JSON; the listed ones answer a JSON client without JSON", async () => {
    const doc = (await (await h.app.request(`${ORIGIN}/openapi.json`)).json()) as Doc;
    const routes = new Set(h.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`));
    const undescribed = [...routes].filter((r) => {
      const [method = "", path = ""] = r.split(" ");
      return !doc.paths[path]?.[method.toLowerCase()] && !(r in NOT_JSON);
    });
    expect(undescribed).toEqual([]);

    // What a listed page answers an API client (bearer token, Accept: application/json) when it
    // succeeds, with real ids; errors are JSON everywhere (on-error.tsx) and prove nothing.
    const jobId = await h.completedJob(adaId);
    const shared = await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "7" });
    const shareToken = /\/shared\/([A-Za-z0-9_-]+)/.exec(await shared.text())![1]!;
    const values: Record<string, string> = { id: jobId, token: shareToken, name: "bootstrap.min.css" };
    const answers: Record<string, string> = {};
    for (const route of routes) {
      const [method, path = ""] = route.split(" ");
      if (method !== "GET" || !(route in NOT_JSON)) continue; // forms change things: not sent
      const res = await h.app.request(`${ORIGIN}${path.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? k)}`, {
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      });
      // A job whose result may still be archived keeps its event stream open: read none of it.
      if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) await res.body?.cancel();
      else await res.arrayBuffer();
      if (res.ok) answers[route] = res.headers.get("content-type") ?? "";
    }
    expect(Object.keys(answers).length).toBeGreaterThan(5);
    expect(Object.entries(answers).filter(([route, type]) => type.includes("json") && route !== "GET /openapi.json")).toEqual([]);
  });
});
