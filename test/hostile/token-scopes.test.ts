/**
 * Issue 13 item 9: API tokens have scopes and an expiry. A token could mint more tokens and change
 * the account's email, and never expired. Now a token carries `read`, `submit` and/or `manage`
 * (default read and submit) and an expiry (default 90 days, at most 365); a request its token may
 * not make is a 403 naming the scope, an expired token a 401.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";

describe("hostile: API token scopes and expiry", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    adaId = await ada.signIn("ada-scopes@example.org", "Ada");
  }, 60_000);
  afterAll(() => h.close());

  /** A new token through the JSON API (the session creates it). */
  async function token(body: object): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await ada.request("/account/tokens", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  const as = (t: string, path: string, init: RequestInit = {}) =>
    h.app.request(`http://gas.test${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${t}`, accept: "application/json" },
    });
  const submitJob = (t: string) =>
    as(t, "/annotations", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input_file: "x~y.vcf" }),
    });

  test("defaults: read and submit, 90 days; the answer says so", async () => {
    const { status, json } = await token({ name: "default" });
    expect(status).toBe(201);
    expect(json.scopes).toEqual(["read", "submit"]);
    const days = (Date.parse(String(json.expires)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
  });

  test("a read token reads, but cannot submit, make tokens or touch the profile", async () => {
    const t = String((await token({ name: "reader", scopes: ["read"] })).json.token);
    expect((await as(t, "/annotations")).status).toBe(200);
    const submitted = await submitJob(t);
    expect(submitted.status).toBe(403);
    expect(await submitted.text()).toContain("submit scope");
    const minted = await as(t, "/account/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(minted.status).toBe(403);
    expect(await minted.text()).toContain("manage scope");
    expect((await as(t, "/profile")).status).toBe(403);
  });

  test("the local upload endpoint takes a token-holder's upload: the signed form is its authorisation", async () => {
    const t = String((await token({ name: "uploader" })).json.token);
    const form = (await (await as(t, "/annotate")).json()) as { url: string; fields: Record<string, string> };
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append("file", new File(["##fileformat=VCFv4.2\n"], "scoped.vcf"));
    const res = await as(t, new URL(form.url).pathname, { method: "POST", body });
    expect(res.status).toBeLessThan(400);
  });

  test("a submit token submits but cannot manage; a manage token can", async () => {
    const submitter = String((await token({ name: "pipeline" })).json.token);
    expect((await submitJob(submitter)).status).not.toBe(403); // refused for its input, not its scope
    expect((await as(submitter, "/account/tokens")).status).toBe(403);
    const manager = String((await token({ name: "admin", scopes: ["read", "submit", "manage"] })).json.token);
    expect((await as(manager, "/account/tokens")).status).toBe(200);
  });

  test("an expired token is refused with 401; bad lifetimes and scopes are 400s naming the field", async () => {
    const { json } = await token({ name: "short", expires_in_days: 1 });
    await h.container.database.rows(sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${String(json.id)}`);
    const res = await as(String(json.token), "/annotations");
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("expired");
    for (const bad of [{ expires_in_days: 0 }, { expires_in_days: 366 }, { scopes: ["admin"] }]) {
      const r = await token(bad);
      expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
      expect(String(r.json.message)).toMatch(/expires_in_days|scopes/);
    }
    expect(adaId).toBeTruthy();
  });
});
