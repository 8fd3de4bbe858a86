/**
 * Issue 17 item 1, the copy: pages say what the service does and what each plan allows, with no
 * invented price or testimonials; every page is a standards-mode document; /favicon.ico exists;
 * error pages say what happened and what to do next, without jokes; the development subscribe
 * and checkout pages say nothing is charged; cancelling asks for a confirmation first.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

describe("pages and copy", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
  }, 60_000);
  afterAll(() => h.close());

  test("the home page: what it does and the plans' limits; no invented price or quotes", async () => {
    const html = await (await h.client().request("/")).text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("Upload a VCF and get every variant annotated");
    expect(html).toMatch(/Files up to [\d.]+ [KM]B; results can be browsed and downloaded for \d+ minutes/);
    for (const gone of ["$999", "satisfied postdoc", "It's a gas", "It&#39;s a gas", "What our users say"])
      expect(html).not.toContain(gone);
  });

  test("a favicon at /favicon.ico and linked from every page", async () => {
    const res = await h.client().request("/favicon.ico");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(await res.text()).toStartWith("<svg");
    expect(await (await h.client().request("/")).text()).toContain('rel="icon" type="image/svg+xml"');
  });

  test("error pages say what happened and what to do next, with the request id", async () => {
    const notFound = await h.client().request("/no/such/page", { headers: { accept: "text/html" } });
    const text = await notFound.text();
    expect(notFound.status).toBe(404);
    expect(text.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(text).toContain("The address may be mistyped");
    expect(text).toMatch(/HTTP 404 · request id \S+/);
    const forbidden = await h
      .client()
      .request("/logout", { method: "POST", headers: { accept: "text/html", origin: "https://evil.example" } });
    const refused = await forbidden.text();
    expect(forbidden.status).toBe(403);
    expect(refused).toContain("go back, reload the page and try again");
    for (const joke of ["supreme leader", "mutat", "went the way of"]) expect(refused.toLowerCase()).not.toContain(joke);
  });

  test("development billing: no price is quoted, and cancelling must be confirmed", async () => {
    const c = h.client();
    await c.signIn("copy@example.org", "Copy");
    const subscribe = await (await c.request("/subscribe")).text();
    expect(subscribe).toContain("Price: none on this development server");
    const checkout = await c.submit("/subscribe", "/subscribe", {});
    const checkoutPage = await (await c.request(new URL(checkout.headers.get("location")!, "http://gas.test").pathname)).text();
    expect(checkoutPage).toContain("none: simulated, nothing is charged");
    expect(checkoutPage).not.toContain("$999");
    // Pay, then open the (simulated) portal: cancelling without the confirmation is refused.
    const paid = await c.submit(
      new URL(checkout.headers.get("location")!, "http://gas.test").pathname,
      new URL(checkout.headers.get("location")!, "http://gas.test").pathname,
      {},
    );
    expect(paid.status).toBe(303);
    const portal = await c.submit("/profile", "/billing/portal", {});
    const portalPath = new URL(portal.headers.get("location")!, "http://gas.test").pathname;
    const portalPage = await (await c.request(portalPath)).text();
    expect(portalPage).toContain('name="confirm" value="yes"');
    const unconfirmed = await c.submit(portalPath, portalPath, {});
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain("tick the box that confirms it");
    const confirmed = await c.submit(portalPath, portalPath, { confirm: "yes" });
    expect(confirmed.status).toBe(303);
  });
});
