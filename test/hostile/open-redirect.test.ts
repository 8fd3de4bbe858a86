/**
 * Issue 13, item 5: no open redirect through `next`. Browsers drop tabs and newlines from a URL,
 * read `\` as `/`, and resolve dot segments, so `/\t/evil.example`, `/\/evil.example` or
 * `/.//evil.example` all land on evil.example. Every such `next` is refused (400, naming the
 * parameter) at sign-in, on the profile page and form, and in the OpenID Connect flow; a plain
 * path still comes back after sign-in.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type TestProvider, startTestProvider } from "../support/oidc-test-provider.ts";
import { ORIGIN, type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";

/** Each of these leaves the site once a browser has normalised it. */
const OFF_SITE = [
  "/\t/evil.example",
  "/\u000b/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "\t//evil.example",
  " //evil.example",
  "//evil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "/.//evil.example",
  "/a/..//evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
];

const q = (next: string) => `next=${encodeURIComponent(next)}`;

/** The 400 a refused `next` gets: it says which parameter is wrong. */
async function expectRefused(res: Response, label: string) {
  expect({ label, status: res.status, location: res.headers.get("location") }).toEqual({ label, status: 400, location: null });
  expect(await res.text()).toContain("next");
}

describe("open redirect through next (dev sign-in and profile)", () => {
  let h: WebHarness;
  let ada: WebClient;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    await ada.signIn("ada@example.org", "Ada");
  }, 60_000);
  afterAll(() => h.close());

  test("/login refuses every off-site next; a same-site path comes back after sign-in", async () => {
    for (const next of OFF_SITE) await expectRefused(await h.client().request(`/login?${q(next)}`), JSON.stringify(next));
    const c = h.client();
    const start = await c.request(`/login?${q("/annotations?page=2#top")}`);
    expect(start.status).toBe(303);
    const form = new URL(start.headers.get("location")!, ORIGIN);
    const res = await c.submit(form.pathname + form.search, "/login/dev", {
      state: form.searchParams.get("state")!,
      email: "ada@example.org",
      name: "Ada",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/annotations?page=2#top");
  });

  test("the profile page and form refuse every off-site next", async () => {
    for (const next of OFF_SITE) {
      await expectRefused(await ada.request(`/profile?${q(next)}`), `GET ${JSON.stringify(next)}`);
      const saved = await ada.submit("/profile", "/profile", { name: "Ada", email: "ada@example.org", institution: "Engines", next });
      await expectRefused(saved, `POST ${JSON.stringify(next)}`);
    }
    const ok = await ada.submit("/profile", "/profile", {
      name: "Ada",
      email: "ada@example.org",
      institution: "Engines",
      next: "/annotate",
    });
    expect(ok.headers.get("location")).toBe("/annotate");
  });
});

describe("open redirect through next (OpenID Connect)", () => {
  let op: TestProvider;
  let h: WebHarness;
  const quiet = console.warn;
  beforeAll(async () => {
    console.warn = () => {}; // oidc-provider's development-mode warnings
    op = await startTestProvider([`${ORIGIN}/auth/callback`]);
    h = await startWebHarness({ OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: op.clientId, OIDC_CLIENT_SECRET: op.clientSecret });
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await op.close();
    console.warn = quiet;
  });

  test("/login refuses every off-site next before going to the provider; a same-site path survives the flow", async () => {
    for (const next of OFF_SITE) await expectRefused(await h.client().request(`/login?${q(next)}`), JSON.stringify(next));
    const c = h.client();
    const start = await c.request(`/login?${q("/annotations?page=2")}`);
    expect(start.status).toBe(303);
    const callback = await op.signInAt(start.headers.get("location")!, "ada");
    const back = await c.request(callback.pathname + callback.search);
    expect(back.status).toBe(303);
    // A first sign-in goes to the profile first, carrying next along.
    expect(back.headers.get("location")).toBe(`/profile?welcome=1&${q("/annotations?page=2")}`);
  });
});
