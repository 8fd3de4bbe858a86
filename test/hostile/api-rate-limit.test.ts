/**
 * Issue 13 item 4 (the API part): each signed-in user, by session or API token, has a request
 * budget per minute (RATE_LIMIT_API_PER_MINUTE). Past it: 429 with Retry-After and a message
 * saying when to try again; other users are not affected, and anonymous pages are not counted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebHarness, startWebHarness } from "../support/web-harness.ts";

describe("hostile: per-user request rate limit", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness({ RATE_LIMIT_API_PER_MINUTE: "8" });
  }, 60_000);
  afterAll(() => h.close());

  test("a user past the budget gets 429 with Retry-After; another user does not", async () => {
    const ada = h.client();
    const bob = h.client();
    await ada.signIn("ada-rate@example.org", "Ada");
    await bob.signIn("bob-rate@example.org", "Bob");
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await ada.request("/annotations", { headers: { accept: "application/json" } });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses).toContain(200);
    expect(limited).not.toBeNull();
    const retryAfter = Number(limited!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited!.text()).toMatch(/Too many requests: at most 8 per 60 s.*Try again in \d+ s/);
    // Bob's budget is his own.
    expect((await bob.request("/annotations", { headers: { accept: "application/json" } })).status).toBe(200);
    // Anonymous pages are not counted against anyone.
    const stranger = h.client();
    for (let i = 0; i < 12; i++) expect((await stranger.request("/healthz")).status).toBe(200);
  });
});
