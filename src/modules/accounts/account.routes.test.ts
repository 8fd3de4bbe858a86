/** Route tests: first sign-in → profile form, profile validation, API tokens (create, list, use, revoke). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

describe("accounts in the web UI", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
  }, 60_000);
  afterAll(() => h.close());

  test("a first sign-in creates a free account and asks for the missing profile fields", async () => {
    const c = h.client();
    const start = await c.request("/login?next=/annotate");
    const form = new URL(start.headers.get("location")!, "http://gas.test");
    const res = await c.submit(form.pathname + form.search, "/login/dev", {
      state: form.searchParams.get("state")!,
      email: "new@example.org",
      name: "",
    });
    expect(res.headers.get("location")).toBe("/profile?welcome=1&next=%2Fannotate");
    const page = await (await c.request("/profile?welcome=1&next=%2Fannotate")).text();
    expect(page).toContain("Please complete your profile");
    expect(page).toContain('<span class="badge text-bg-secondary">Free</span>');
    // Until the profile has a name and an email (the original's rule) job pages send the user back to it.
    const blocked = await c.request("/annotate");
    expect(blocked.status).toBe(303);
    const bad = await c.submit("/profile", "/profile", { name: "New", email: "not-an-email", institution: "", next: "/annotate" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain("Email: &quot;not-an-email&quot; is not an email address");
    expect(badHtml).toContain("Institution/Department: required");
    const ok = await c.submit("/profile", "/profile", {
      name: "New Person",
      email: "New@Example.org",
      institution: "Lab",
      next: "/annotate",
    });
    expect(ok.headers.get("location")).toBe("/annotate");
    expect((await c.request("/annotate")).status).toBe(200);
    const updated = await c.submit("/profile", "/profile", { name: "New Person", email: "new@example.org", institution: "Lab 2" });
    expect(updated.headers.get("location")).toBe("/profile?updated=1");
    expect(await (await c.request("/profile?updated=1")).text()).toContain("Thank you! Your profile has been successfully updated.");
    // Signing in again keeps what the user typed.
    await c.signIn("new@example.org", "Someone Else");
    expect(await (await c.request("/profile")).text()).toContain('value="New Person"');
  });

  test("only same-site paths are followed after sign-in; another next is refused (400)", async () => {
    const c = h.client();
    await c.signIn("redirect@example.org", "R");
    expect((await c.request("/login?next=//evil.example/")).status).toBe(400);
    const start = await c.request("/login");
    const form = new URL(start.headers.get("location")!, "http://gas.test");
    const res = await c.submit(form.pathname + form.search, "/login/dev", {
      state: form.searchParams.get("state")!,
      email: "redirect@example.org",
    });
    expect(res.headers.get("location")).toBe("/annotations");
  });

  test("API tokens: created once, listed by prefix, stored hashed, used, revoked", async () => {
    const c = h.client();
    await c.signIn("tokens@example.org", "T");
    const created = await c.submit("/account/tokens", "/account/tokens", { name: "laptop" });
    expect(created.status).toBe(201);
    const token = /id="new-token" value="([^"]+)"/.exec(await created.text())![1]!;
    expect(token).toMatch(/^gas_[A-Za-z0-9_-]{32}$/);
    const list = await (await c.request("/account/tokens")).text();
    expect(list).toContain("laptop");
    expect(list).toContain(`${token.slice(0, 8)}…`);
    expect(list).not.toContain(token);
    const rows = await h.container.database.rows<{ token_hash: string }>(sql`select token_hash from api_tokens`);
    expect(rows.map((r) => r.token_hash)).not.toContain(token);

    const api = await h.app.request("http://gas.test/annotations", {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    expect(api.status).toBe(200);
    // A token made with the default scopes (read, submit) cannot manage the account's tokens.
    const denied = await h.app.request("http://gas.test/account/tokens", { headers: { authorization: `Bearer ${token}` } });
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain("manage scope");
    const json = await c.request("/account/tokens", { headers: { accept: "application/json" } });
    const listed = (await json.json()) as { tokens: { id: string; name: string; last_used: string | null }[] };
    expect(listed.tokens).toHaveLength(1);
    expect(listed.tokens[0]!.last_used).not.toBeNull();

    // Another user cannot revoke it.
    const eve = h.client();
    await eve.signIn("eve2@example.org", "Eve");
    expect((await eve.submit("/account/tokens", `/account/tokens/${listed.tokens[0]!.id}/revoke`, {})).status).toBe(404);
    const revoked = await c.submit("/account/tokens", `/account/tokens/${listed.tokens[0]!.id}/revoke`, {});
    expect(revoked.headers.get("location")).toBe("/account/tokens?revoked=1");
    const after = await h.app.request("http://gas.test/annotations", {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    expect(after.status).toBe(401);
  });
});
