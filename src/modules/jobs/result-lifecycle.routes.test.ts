/**
 * The result lifecycle in the pages, the list, the API and the live stream (issue 17 item 2): a
 * free user's result says "available until <completion + ARCHIVE_AFTER> (free plan)"; archived,
 * it says ARCHIVED with "upgrade to restore" and the API gives no result_url that would answer
 * 402; a share-link visitor is told the owner's results are archived, not offered Premium;
 * restoring, the page shows the restore's steps; the events stream reports each move. The state
 * is moved through the JobStore port, as the archiver does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import { resultLifecycle } from "./result-lifecycle.ts";

const ARCHIVE_AFTER = 600;
const json = { headers: { accept: "application/json" } };

interface ListedJob {
  job_id: string;
  job_status: string;
  result_state: string | null;
  available_until: string | null;
  restore: { step: number; steps: number } | null;
}

describe("result lifecycle in view", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  let jobId: string;
  let completeTime: Date;
  const move = (from: { state: "AVAILABLE" | "ARCHIVED" | "RESTORING"; archiveId: string | null }, to: typeof from) =>
    h.container.ports.jobStore.moveResult(jobId, from, to);

  beforeAll(async () => {
    h = await startWebHarness({ ARCHIVE_AFTER_SECONDS: String(ARCHIVE_AFTER) });
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    jobId = await h.completedJob(adaId);
    completeTime = (await h.container.ports.jobStore.get(jobId))!.completeTime!;
  }, 60_000);
  afterAll(() => h.close());

  test("available: the page, the list and the API give the free plan's deadline", async () => {
    const until = new Date(completeTime.getTime() + ARCHIVE_AFTER * 1000);
    const page = await (await ada.request(`/annotations/${jobId}`)).text();
    expect(page).toContain(`<time datetime="${until.toISOString()}">`);
    expect(page).toMatch(/available until <time[^>]*>[^<]+ UTC<\/time> \(free plan\)/);
    // The page listens for the archive while the deadline is ahead.
    expect(page).toContain(`data-job-events="/annotations/${jobId}/events"`);
    const list = await (await ada.request("/annotations")).text();
    expect(list).toContain('<th scope="col">Results</th>');
    expect(list).toMatch(/data-result-state="available">available until <time/);

    const api = (await (await ada.request("/annotations", json)).json()) as { jobs: ListedJob[] };
    expect(api.jobs[0]).toMatchObject({ job_id: jobId, job_status: "COMPLETED", result_state: "available", restore: null });
    expect(api.jobs[0]!.available_until).toBe(until.toISOString());
    const detail = (await (await ada.request(`/annotations/${jobId}`, json)).json()) as ListedJob & { result_url: string | null };
    expect(detail.result_state).toBe("available");
    expect(detail.available_until).toBe(until.toISOString());
    expect(detail.result_url).toEndWith(`/annotations/${jobId}/result`);
  });

  test("archived: ARCHIVED with the upgrade for the owner, no result_url, the owner's archive for a share-link visitor", async () => {
    const created = await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "7" });
    const shared = new URL(/id="share-url" value="([^"]+)"/.exec(await created.text())![1]!).pathname;
    expect(await move({ state: "AVAILABLE", archiveId: null }, { state: "ARCHIVED", archiveId: "a1" })).toBe(true);

    const page = await (await ada.request(`/annotations/${jobId}`)).text();
    expect(page).toContain('id="job-result-state">ARCHIVED<');
    expect(page).toContain('<a href="/subscribe">Upgrade to restore</a>');
    expect(page).not.toContain("available until");
    const list = await (await ada.request("/annotations")).text();
    expect(list).toMatch(/ARCHIVED<\/span> <a href="\/subscribe">upgrade to restore<\/a>/);

    const api = (await (await ada.request("/annotations", json)).json()) as { jobs: ListedJob[] };
    expect(api.jobs[0]).toMatchObject({ job_status: "COMPLETED", result_state: "archived", available_until: null, restore: null });
    const detail = (await (await ada.request(`/annotations/${jobId}`, json)).json()) as { result_url: string | null; downloads: [] };
    expect(detail.result_url).toBeNull();
    expect(detail.downloads).toEqual([]);

    const visitor = h.client();
    for (const path of [shared, `${shared}/result`]) {
      const res = await visitor.request(path);
      expect(res.status).toBe(409);
      const text = await res.text();
      expect(text).toContain("owner&#39;s results are archived");
      expect(text).not.toContain("Upgrade to Premium");
    }
  });

  test("restoring: the restore's step on the page, in the list and in the API", async () => {
    expect(await move({ state: "ARCHIVED", archiveId: "a1" }, { state: "RESTORING", archiveId: "a1" })).toBe(true);
    const page = await (await ada.request(`/annotations/${jobId}`)).text();
    expect(page).toContain('id="job-result-state">RESTORING<');
    expect(page).toMatch(/<progress id="restore-progress" max="3" value="2"/);
    expect(page).toContain('aria-current="step"');
    const list = await (await ada.request("/annotations")).text();
    expect(list).toMatch(/RESTORING<\/span> <span class="small">step 2 of 3/);
    const api = (await (await ada.request(`/annotations/${jobId}`, json)).json()) as ListedJob & { result_url: string | null };
    expect(api).toMatchObject({ result_state: "restoring", restore: { step: 2, steps: 3 }, result_url: null });
  });

  test("the events stream reports the result's moves", async () => {
    const ctrl = new AbortController();
    const res = await ada.request(`/annotations/${jobId}/events`, { signal: ctrl.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const events: { resultState: string | null; final: boolean }[] = [];
    let buffer = "";
    const next = async () => {
      while (true) {
        const m = /event: status\ndata: (.*)\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return JSON.parse(m[1]!) as { resultState: string | null; final: boolean };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += value;
      }
    };
    events.push(await next());
    expect(events[0]).toMatchObject({ resultState: "restoring", final: false });
    // The restore finishes (the stream polls the job every couple of seconds).
    expect(await move({ state: "RESTORING", archiveId: "a1" }, { state: "AVAILABLE", archiveId: null })).toBe(true);
    events.push(await next());
    expect(events[1]!.resultState).toBe("available");
    ctrl.abort();
  }, 20_000);
});

describe("resultLifecycle", () => {
  const base = {
    status: "COMPLETED",
    resultKey: "r",
    resultState: "AVAILABLE",
    completeTime: new Date("2026-01-02T03:04:05Z"),
  } as Parameters<typeof resultLifecycle>[0];

  test("the deadline is the free plan's alone, and only while the result is available", () => {
    expect(resultLifecycle(base, "free", 300)?.availableUntil?.toISOString()).toBe("2026-01-02T03:09:05.000Z");
    expect(resultLifecycle(base, "premium", 300)).toEqual({ state: "available", availableUntil: null, changing: false, restoreStep: null });
    expect(resultLifecycle(base, "shared", 300)?.availableUntil).toBeNull();
    expect(resultLifecycle(base, "free", null)?.availableUntil).toBeNull();
    expect(resultLifecycle({ ...base, status: "RUNNING" }, "free", 300)).toBeNull();
    expect(resultLifecycle({ ...base, resultState: "ARCHIVED" }, "free", 300)).toMatchObject({ state: "archived", restoreStep: null });
    expect(resultLifecycle({ ...base, resultState: "ARCHIVED" }, "premium", 300)).toMatchObject({ state: "archived", restoreStep: 1 });
    expect(resultLifecycle({ ...base, resultState: "RESTORING" }, "free", 300)).toMatchObject({ state: "restoring", restoreStep: 2 });
  });
});
