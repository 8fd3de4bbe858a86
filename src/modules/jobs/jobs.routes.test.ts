/**
 * Route tests for the job pages: share links (create, use, revoke, expire), the jobs list's
 * paging, the oversized-upload page. The results browser's own tests are in results-page.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

describe("job pages", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  let jobId: string;
  beforeAll(async () => {
    h = await startWebHarness({ FREE_MAX_UPLOAD_BYTES: "1000" });
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    jobId = await h.completedJob(adaId);
  }, 60_000);
  afterAll(() => h.close());

  test("the jobs list pages newest first", async () => {
    const c = h.client();
    const uid = await c.signIn("many@example.org", "Many");
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) ids.push(await h.completedJob(uid));
    // completedJob stamps submit times in order, so the newest are last.
    const first = await (await c.request("/annotations")).text();
    const listed = (html: string) => [...html.matchAll(/href="\/annotations\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(listed(first)).toEqual(ids.slice(2).reverse());
    // Keyset pages: the Older link carries where this page ended; the page number is a label.
    const older = /href="(\/annotations\?after=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&");
    expect(older).toMatch(/^\/annotations\?after=\d+\.[0-9a-f-]{36}&page=2$/);
    const second = await (await c.request(older!)).text();
    expect(listed(second)).toEqual(ids.slice(0, 2).reverse());
    expect(second).toContain("Page 2");
    expect(second).not.toContain('rel="next"');
    expect(second).toContain('href="/annotations" rel="first"');
    // The JSON list links its next page the same way (1,000 per page: one page here).
    const api = (await (await c.request("/annotations", { headers: { accept: "application/json" } })).json()) as {
      jobs: unknown[];
      next: string | null;
    };
    expect(api.jobs).toHaveLength(22);
    expect(api.next).toBeNull();
    expect((await c.request("/annotations?after=2.not-a-job")).status).toBe(400);
  }, 30_000);

  test("share link: read-only results and downloads for anyone, until revoked", async () => {
    const created = await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "7" });
    expect(created.status).toBe(201);
    const html = await created.text();
    const url = /id="share-url" value="([^"]+)"/.exec(html)![1]!;
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/shared\/[A-Za-z0-9_-]{43}$/);
    const anon = h.client();
    // The shared results page itself is tested over a real results store in results-page.test.ts.
    expect((await anon.request(`${path}/result`)).status).toBe(200);
    expect(await (await anon.request(`${path}/log`)).text()).toContain("Total: 4");
    // Read-only: the anonymous visitor still cannot reach the owner's routes.
    expect((await anon.request(`/annotations/${jobId}`)).status).toBe(303);
    // Only the hash is stored.
    const token = path.split("/").pop()!;
    const stored = await h.container.database.rows<{ token_hash: string }>(sql`select token_hash from share_links`);
    expect(stored.some((r) => r.token_hash === token)).toBe(false);
    // Revoke.
    const detail = await (await ada.request(`/annotations/${jobId}`)).text();
    const revokeAction = /action="(\/annotations\/[^"]+\/shares\/[^"]+\/revoke)"/.exec(detail)![1]!;
    expect((await ada.submit(`/annotations/${jobId}`, revokeAction, {})).status).toBe(303);
    expect((await anon.request(path)).status).toBe(404);
    expect((await anon.request(`${path}/result`)).status).toBe(404);
  });

  test("an expired or made-up share link is a 404", async () => {
    const created = await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "1" });
    const path = new URL(/id="share-url" value="([^"]+)"/.exec(await created.text())![1]!).pathname;
    await h.container.database.db.execute(sql`update share_links set expires_at = now() - interval '1 second'`);
    expect((await h.client().request(path)).status).toBe(404);
    expect((await h.client().request("/shared/not-a-real-token-at-all-0123456789")).status).toBe(404);
    expect((await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "365" })).status).toBe(400);
  });

  test("the annotate page shows the free limit; an oversized upload lands on the upgrade page", async () => {
    const page = await (await ada.request("/annotate")).text();
    expect(page).toContain("Your plan: <strong>Free</strong>");
    expect(page).toContain('data-max-bytes="1000"');
    const action = /<form id="upload-form" action="([^"]+)"/.exec(page)![1]!;
    const form = /<form id="upload-form"[\s\S]*?<\/form>/.exec(page)![0];
    const body = new FormData();
    for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g))
      body.append(m[1]!, m[2]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
    body.append("file", new File([new Uint8Array(1001).fill(65)], "big.vcf"));
    const res = await ada.request(new URL(action).pathname, { method: "POST", body });
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain("This file is too large for a free account");
    expect(html).toContain("at most 1000 bytes");
    expect(html).toContain('href="/subscribe"');
  });

  test("the job detail page shows times, downloads, log link, summary chart, and the share form", async () => {
    const html = await (await ada.request(`/annotations/${jobId}`)).text();
    for (const s of [
      "Request Time",
      "Complete Time",
      `/annotations/${jobId}/input`,
      `/annotations/${jobId}/result`,
      `/annotations/${jobId}/log`,
      `/annotations/${jobId}/results`,
      "Create share link",
      "Variants by most severe consequence",
    ]) {
      expect(html).toContain(s);
    }
    // Finished on the free plan: the page keeps listening only for the coming archive (result-lifecycle.routes.test.ts).
    expect(html).toContain("(free plan)");
    const log = await (await ada.request(`/annotations/${jobId}/log`)).text();
    expect(log).toContain("Annotation Log for Job");
    expect(log).toContain("Total: 4");
  });
});

describe("live status", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
  }, 60_000);
  afterAll(() => h.close());

  test("the events stream sends status and the annotator's progress, and ends when the job finishes", async () => {
    const c = h.client();
    const uid = await c.signIn("live@example.org", "Live");
    const { jobStore, inputs } = h.container.ports;
    const id = crypto.randomUUID();
    await inputs.put(`${uid}/${id}~live.vcf`, "##fileformat=VCFv4.2\n");
    await jobStore.create({ id, userId: uid, inputFileName: "live.vcf", inputKey: `${uid}/${id}~live.vcf`, submitTime: new Date() });
    const page = await (await c.request(`/annotations/${id}`)).text();
    expect(page).toContain(`data-job-events="/annotations/${id}/events"`);
    expect(page).toContain("job-live.js");
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="5"/></noscript>');

    const res = await c.request(`/annotations/${id}/events`, { headers: { accept: "text/event-stream" } });
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const nextEvent = async (): Promise<{ event: string; data: Record<string, unknown> }> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) continue; // keepalive
          const event = /^event: (.*)$/m.exec(block)![1]!;
          return { event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    };
    expect(await nextEvent()).toEqual({
      event: "status",
      data: {
        status: "PENDING",
        progress: null,
        completeTime: null,
        resultState: null,
        availableUntil: null,
        restoreStep: null,
        final: false,
      },
    });
    await jobStore.claim(id, "w", 60);
    await jobStore.reportProgress(id, "w", { records: 7, bytesRead: 50, totalBytes: 100 });
    const running = await nextEvent();
    expect(running.data).toMatchObject({ status: "RUNNING", progress: { records: 7, bytesRead: 50, totalBytes: 100 } });
    await jobStore.fail(id, "w", "bad input on line 3");
    expect((await nextEvent()).data).toMatchObject({ status: "FAILED", final: true });
    expect((await reader.read()).done).toBe(true); // the server closes the stream
  }, 30_000);
});
