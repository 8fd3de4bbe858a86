/**
 * The sign-in and upload rate limits: through the real app (harness), the limiter alone on a fake
 * clock, and client addresses as a real Bun server sees them (with and without trusted proxies).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { ORIGIN, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { clientAddress, clientAddressOf, fixedWindowRateLimit } from "../../web/rate-limit.ts";

/** Windows are whole wall-clock minutes: start a counted burst well inside one, never across a boundary. */
async function awayFromMinuteBoundary() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await Bun.sleep(left + 100);
}

describe("rate limits in the app", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness({ RATE_LIMIT_SIGNINS_PER_MINUTE: "3", RATE_LIMIT_UPLOADS_PER_MINUTE: "2" });
  }, 60_000);
  afterAll(() => h.close());

  /** One dev sign-in attempt from `address` (behind our proxy); returns the POST's response. */
  const signInFrom = async (address: string, email: string) => {
    const c = h.client();
    const headers = { "x-forwarded-for": address };
    const start = await c.request("/login?next=/annotations", { headers });
    const form = new URL(start.headers.get("location")!, ORIGIN);
    const page = await (await c.request(form.pathname + form.search, { headers })).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    return c.request("/login/dev", {
      method: "POST",
      headers,
      body: new URLSearchParams({ _csrf: token, state: form.searchParams.get("state")!, email, name: "N" }),
    });
  };

  test("sign-in: the 4th attempt in a minute from one address gets 429 with Retry-After; another address is not affected", async () => {
    await awayFromMinuteBoundary();
    for (let i = 0; i < 3; i++) expect((await signInFrom("203.0.113.7", `u${i}@example.org`)).status).toBe(303);
    const limited = await signInFrom("203.0.113.7", "u4@example.org");
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(await limited.text()).toContain("Too many requests");
    expect((await signInFrom("198.51.100.9", "other@example.org")).status).toBe(303);
  });

  test("upload forms: the 3rd in a minute gets a JSON 429 for an API client", async () => {
    const c = h.client();
    await c.signIn("uploader@example.org");
    await awayFromMinuteBoundary();
    const get = () => c.request("/annotate", { headers: { accept: "application/json", "x-forwarded-for": "192.0.2.1" } });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({ code: 429, status: "error" });
  });
});

describe("fixedWindowRateLimit", () => {
  test("counts per key, resets when the window rolls over, and 0 turns it off", async () => {
    let now = 1_000_000;
    const app = new Hono<AppEnv>();
    app.use("/a", fixedWindowRateLimit({ limit: 2, windowSeconds: 10, now: () => now, keyOf: (c) => c.req.header("x-who") ?? "" }));
    app.use("/off", fixedWindowRateLimit({ limit: 0, windowSeconds: 10 }));
    app.get("*", (c) => c.text("ok"));
    const hit = (who: string, path = "/a") => app.request(path, { headers: { "x-who": who } });
    expect((await hit("x")).status).toBe(200);
    expect((await hit("x")).status).toBe(200);
    const third = await hit("x");
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("10"); // 1,000,000 ms is the start of a 10 s window
    expect((await hit("y")).status).toBe(200);
    now += 9_000;
    expect((await hit("x")).headers.get("retry-after")).toBe("1");
    now += 1_000; // next window
    expect((await hit("x")).status).toBe(200);
    for (let i = 0; i < 50; i++) expect((await hit("x", "/off")).status).toBe(200);
  });
});

describe("clientAddressOf on a real server", () => {
  test("the socket peer; X-Forwarded-For only when the peer is a trusted proxy, read past trusted hops", async () => {
    const app = new Hono<AppEnv>();
    const behindProxies = clientAddressOf(["127.0.0.1/32", "10.0.0.0/8"]);
    app.get("/", (c) => c.text(clientAddress(c)));
    app.get("/proxied", (c) => c.text(behindProxies(c)));
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const seen = async (path: string, forwardedFor?: string) =>
        (await fetch(url + path, forwardedFor ? { headers: { "x-forwarded-for": forwardedFor } } : {})).text();
      expect(await seen("/")).toBe("127.0.0.1");
      // No proxy trusted: loopback is just another client, whatever it claims.
      expect(await seen("/", "1.2.3.4, 203.0.113.5")).toBe("127.0.0.1");
      // Trusted: the last hop no trusted proxy appended is the client.
      expect(await seen("/proxied", "1.2.3.4, 203.0.113.5")).toBe("203.0.113.5");
      expect(await seen("/proxied", "1.2.3.4, 203.0.113.5, 10.1.2.3")).toBe("203.0.113.5");
      expect(await seen("/proxied", "10.9.9.9, 10.1.2.3")).toBe("10.9.9.9");
      expect(await seen("/proxied")).toBe("127.0.0.1");
    } finally {
      await server.stop(true);
    }
  });
});
