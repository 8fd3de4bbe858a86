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

describe("the profile through the JSON API, and address verification (issue 13 item 10)", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
  }, 60_000);
  afterAll(() => h.close());

  test("a NUL or another control character in a profile field is a 400 naming the field, not a 500", async () => {
    const c = h.client();
    await c.signIn("nul@example.org", "Nul");
    const json = { accept: "application/json", "content-type": "application/json" };
    for (const [field, label] of [
      ["name", "Name"],
      ["institution", "Institution/Department"],
    ] as const) {
      const values = { name: "Nul", email: "nul@example.org", institution: "Lab", [field]: "a\u0000b" };
      const res = await c.request("/profile", { method: "POST", headers: json, body: JSON.stringify(values) });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toContain(`${label}: must not contain control characters`);
    }
    const rtl = await c.request("/profile", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "evil\u202Efdp.exe", email: "nul@example.org", institution: "Lab" }),
    });
    expect(rtl.status).toBe(400);
    expect((await rtl.json()).message).toContain("Name: must not contain text-direction characters");
  });

  test("GET /profile says whether the address is verified; POST /profile with a new address stores it unverified and sends a link", async () => {
    const c = h.client();
    await c.signIn("json@example.org", "Jay");
    const json = { accept: "application/json", "content-type": "application/json" };
    expect(await (await c.request("/profile", { headers: json })).json()).toMatchObject({
      email: "json@example.org",
      email_verified: true, // the dev sign-in vouches for it
    });
    const bad = await c.request("/profile", { method: "POST", headers: json, body: JSON.stringify({ name: "Jay", email: "nope" }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toContain("Institution/Department: required");
    const saved = await c.request("/profile", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "Jay", email: "Jay.New@Example.org", institution: "Lab" }),
    });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ email: "jay.new@example.org", email_verified: false, verification: "sent" });
    // Asking again at once: 429 with Retry-After, as JSON.
    const again = await c.request("/profile/verify-email/send", { method: "POST", headers: json, body: "{}" });
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
    // The profile page shows the status and the banner's button.
    const page = await (await c.request("/profile?verification=sent")).text();
    expect(page).toContain("We sent a link to jay.new@example.org");
    expect(page).toContain("Not verified");
    expect(page).toContain('action="/profile/verify-email/send"');
  });

  test("an API token needs the manage scope to change the address or ask for links", async () => {
    const c = h.client();
    await c.signIn("scoped@example.org", "Scoped");
    const made = await c.request("/account/tokens", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ name: "pipeline" }),
    });
    const token = String(((await made.json()) as { token: string }).token);
    const as = (path: string, body: object) =>
      h.app.request(`http://gas.test${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await as("/profile", { name: "S", email: "elsewhere@example.org", institution: "L" })).status).toBe(403);
    expect((await as("/profile/verify-email/send", {})).status).toBe(403);
    expect((await as("/profile/verify-email", { token: "x" })).status).toBe(403);
  });

  test("a verified address shows no banner", async () => {
    const c = h.client();
    await c.signIn("fine@example.org", "Fine");
    const page = await (await c.request("/annotations")).text();
    expect(page).not.toContain("Verify your address to get emails");
  });
});
