/**
 * Route tests (app.request) for the web role's security: ownership (another user's ids → 404 on
 * every job route), CSRF tokens, security headers, escaping of user-chosen file names, session
 * rotation at sign-in, logout.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

const XSS = `<img src=x onerror=alert(1)>"'.vcf`;

describe("web security", () => {
  let h: WebHarness;
  let ada: WebClient;
  let eve: WebClient;
  let adaId: string;
  let jobId: string;
  let xssJobId: string;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    eve = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    await eve.signIn("eve@example.org", "Eve");
    jobId = await h.completedJob(adaId);
    xssJobId = await h.completedJob(adaId, { fileName: XSS });
  }, 60_000);
  afterAll(() => h.close());

  test("another user's job, files, log, results, events and shares → 404", async () => {
    const paths = ["", "/log", "/result", "/rows", "/input", "/results", "/results?consequence=missense_variant", "/events"].map(
      (p) => `/annotations/${jobId}${p}`,
    );
    for (const path of paths) {
      const res = await eve.request(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(await res.text()).not.toContain("MT-ND1");
    }
    const share = await eve.submit("/annotations", `/annotations/${jobId}/shares`, { days: "7" });
    expect(share.status).toBe(404);
    // The owner sees everything.
    for (const path of paths) expect((await ada.request(path)).status).toBe(200);
  });

  test("a form post without the CSRF token, or with another session's token, is refused", async () => {
    const noToken = await ada.request("/profile", {
      method: "POST",
      body: new URLSearchParams({ name: "X", email: "x@example.org", institution: "Y" }),
    });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("CSRF");
    const evePage = await (await eve.request("/profile")).text();
    const eveToken = /name="_csrf" value="([^"]+)"/.exec(evePage)![1]!;
    const wrong = await ada.request("/profile", {
      method: "POST",
      body: new URLSearchParams({ _csrf: eveToken, name: "X", email: "x@example.org", institution: "Y" }),
    });
    expect(wrong.status).toBe(403);
    const logout = await ada.request("/logout", { method: "POST", body: new URLSearchParams({}) });
    expect(logout.status).toBe(403);
    expect((await ada.request("/annotations")).status).toBe(200); // still signed in
    const ok = await ada.submit("/profile", "/profile", { name: "Ada L.", email: "ada@example.org", institution: "Analytical Engines" });
    expect(ok.status).toBe(303);
  });

  test("a cross-site Origin is refused even with a valid token", async () => {
    const page = await (await ada.request("/profile")).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await ada.request("/profile", {
      method: "POST",
      headers: { origin: "https://evil.example" },
      body: new URLSearchParams({ _csrf: token, name: "X", email: "x@example.org", institution: "Y" }),
    });
    expect(res.status).toBe(403);
  });

  test("security headers: CSP without inline scripts, frame-ancestors, nosniff, referrer policy", async () => {
    const res = await ada.request("/annotations");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script elements
    expect(html).not.toMatch(/\sstyle="/); // no inline styles
    expect(html).not.toMatch(/\son[a-z]+="/); // no inline event handlers
  });

  test("an XSS-payload file name is escaped on every page and in the download header", async () => {
    for (const path of ["/annotations", `/annotations/${xssJobId}`, `/annotations/${xssJobId}/results`]) {
      const html = await (await ada.request(path)).text();
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    }
    const input = await ada.request(`/annotations/${xssJobId}/input`);
    expect(input.status).toBe(200);
    const disposition = input.headers.get("content-disposition")!;
    // The quote cannot end the quoted-string early; the exact name travels percent-encoded.
    expect(disposition).toBe(
      `attachment; filename="<img src=x onerror=alert(1)>_'.vcf"; filename*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%22%27.vcf`,
    );
    expect(input.headers.get("content-type")).toStartWith("text/plain");
  });

  test("sign-in rotates the session id: a planted cookie is not promoted, and the old session dies", async () => {
    const c = h.client();
    await c.signIn("mallory@example.org", "Mallory");
    const first = c.jar.get("gas_session")!;
    expect(first).toBeTruthy();
    // Sign in again in the same browser: a new session id, and the previous one no longer works.
    await c.signIn("mallory@example.org", "Mallory");
    const second = c.jar.get("gas_session")!;
    expect(second).not.toBe(first);
    const stale = h.client();
    stale.jar.set("gas_session", first);
    const res = await stale.request("/annotations");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toStartWith("/login");
    // A made-up (unsigned) cookie is ignored.
    const forged = h.client();
    forged.jar.set("gas_session", "made-up-session-id");
    expect((await forged.request("/annotations")).status).toBe(303);
  });

  test("the session cookie is HttpOnly, SameSite=Lax and Secure outside development", async () => {
    const c = h.client();
    const start = await c.request("/login");
    const form = new URL(start.headers.get("location")!, "http://gas.test");
    const page = await (await c.request(form.pathname + form.search)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await c.request("/login/dev", {
      method: "POST",
      body: new URLSearchParams({ _csrf: token, state: form.searchParams.get("state")!, email: "cookie@example.org" }),
    });
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith("gas_session="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Secure");
  });

  test("logout ends the session server-side", async () => {
    const c = h.client();
    await c.signIn("bob@example.org", "Bob");
    const cookie = c.jar.get("gas_session")!;
    const out = await c.submit("/annotations", "/logout", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/");
    const replay = h.client();
    replay.jar.set("gas_session", cookie);
    expect((await replay.request("/annotations")).status).toBe(303);
  });

  test("friendly 404 and error pages", async () => {
    const res = await ada.request("/no/such/page");
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("Page not found");
    expect(html).toContain("Back home");
  });
});
