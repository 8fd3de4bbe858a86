/**
 * Issue 13 item 4: quotas and fairness, on the real annotator role (PGlite, the PostgreSQL queue,
 * the engine thread on the demo bundle).
 * - Fairness: the queue was first in, first out, so a victim's 1 s job waited 19.7 s behind 8
 *   flood jobs. A first user has 20 jobs queued and one running; a second user submits one: it is
 *   the next job to start, before the first user's backlog.
 * - Concurrency cap: with three annotator slots and a cap of one, a user's jobs never run at
 *   the same time, while another user's job runs beside them.
 * - Input limits: a free job over the variant limit ends FAILED naming the limit and the plan,
 *   with nothing stored.
 * - Stored results: a free user at the quota is refused a new job at submit (403 naming it).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Job } from "../../src/ports/job-store.ts";
import { startAnnotator } from "../../src/roles/annotator.role.ts";
import { type WebHarness, startWebHarness } from "../support/web-harness.ts";

const DEMO_VCF = join(import.meta.dir, "..", "..", "data", "demo", "vcf", "test.vcf");

let h: WebHarness | null = null;
let stopAnnotator: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stopAnnotator?.();
  await h?.close();
  stopAnnotator = null;
  h = null;
});

async function start(env: Record<string, string>) {
  h = await startWebHarness({ BACKLOG_METRIC_SECONDS: "0", SHUTDOWN_GRACE_SECONDS: "0", ...env });
  return h;
}

/** A signed-in free user and a function submitting the demo VCF as one of their jobs. */
async function user(harness: WebHarness, email: string) {
  const client = harness.client();
  const id = await client.signIn(email, email.split("@")[0]);
  const vcf = await readFile(DEMO_VCF);
  return {
    id,
    client,
    async submit(): Promise<string> {
      const key = `${id}/${randomUUID()}~test.vcf`;
      await harness.container.ports.inputs.put(key, vcf);
      const job = await harness.container.jobs.submit({ id, tier: "free" }, key);
      return job.id;
    },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const jobsOf = async (harness: WebHarness, userId: string) => harness.container.ports.jobStore.listByUser(userId);
const started = (jobs: Job[]) => jobs.filter((j) => j.startTime !== null);

describe("hostile: fair scheduling and the per-user cap", () => {
  test("a second user's job starts next, before the first user's 20 queued jobs", async () => {
    const harness = await start({ ANNOTATOR_CONCURRENCY: "1" });
    const flood = await user(harness, "flood@example.org");
    const victim = await user(harness, "victim@example.org");
    for (let i = 0; i < 21; i++) await flood.submit();
    stopAnnotator = await startAnnotator(harness.container);
    // One of the flood's jobs is running; 20 wait behind it.
    await waitFor("the flood's first job to start", async () => started(await jobsOf(harness, flood.id)).length > 0);
    const victimJob = await victim.submit();
    // Jobs of the flood that had started when the victim's job was queued: only those may precede it.
    const startedBefore = started(await jobsOf(harness, flood.id)).length;
    const done = await waitFor("the victim's job to finish", async () => {
      const j = await harness.container.ports.jobStore.get(victimJob);
      return j?.status === "COMPLETED" || j?.status === "FAILED" ? j : null;
    });
    expect(done.status).toBe("COMPLETED");
    const flooded = await jobsOf(harness, flood.id);
    const ahead = started(flooded).filter((j) => j.startTime! < done.startTime!);
    const longest = Math.max(...flooded.filter((j) => j.completeTime).map((j) => j.completeTime!.getTime() - j.startTime!.getTime()));
    console.log(
      `victim waited ${done.startTime!.getTime() - done.submitTime.getTime()} ms (a flood job ran at most ${longest} ms); ` +
        `flood jobs started before it: ${ahead.length}, of which ${startedBefore} before it was queued`,
    );
    expect(ahead.length).toBeLessThanOrEqual(startedBefore);
    expect(flooded.filter((j) => j.status === "PENDING").length).toBeGreaterThan(10); // the backlog was still there
  }, 180_000);

  test("with three slots and a cap of one, a user's jobs never overlap; another user's job runs beside them", async () => {
    const harness = await start({ ANNOTATOR_CONCURRENCY: "3", FREE_MAX_RUNNING_JOBS: "1" });
    const heavy = await user(harness, "heavy@example.org");
    const other = await user(harness, "other@example.org");
    for (let i = 0; i < 6; i++) await heavy.submit();
    const otherJob = await other.submit();
    stopAnnotator = await startAnnotator(harness.container);
    const all = await waitFor("every job to finish", async () => {
      const jobs = [...(await jobsOf(harness, heavy.id)), ...(await jobsOf(harness, other.id))];
      return jobs.every((j) => j.status === "COMPLETED") ? jobs : null;
    });
    const heavyRuns = all
      .filter((j) => j.userId === heavy.id)
      .map((j) => [j.startTime!.getTime(), j.completeTime!.getTime()] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < heavyRuns.length; i++) expect(heavyRuns[i]![0]).toBeGreaterThanOrEqual(heavyRuns[i - 1]![1]);
    const mine = all.find((j) => j.id === otherJob)!;
    // The other user's job did not wait for the heavy user's backlog to drain.
    expect(mine.startTime!.getTime()).toBeLessThan(heavyRuns.at(-1)![0]);
  }, 180_000);
});

describe("hostile: plan quotas", () => {
  test("a free job over the variant limit fails naming the limit; nothing of it is stored", async () => {
    const harness = await start({ FREE_MAX_VARIANTS: "100" }); // the demo VCF has 132
    const ada = await user(harness, "ada-quota@example.org");
    const jobId = await ada.submit();
    stopAnnotator = await startAnnotator(harness.container);
    const job = await waitFor("the job to end", async () => {
      const j = await harness.container.ports.jobStore.get(jobId);
      return j?.status === "FAILED" || j?.status === "COMPLETED" ? j : null;
    });
    expect(job.status).toBe("FAILED");
    expect(job.failureReason).toBe(
      "free plan: at most 100 variants per job; this file has more, so it was not annotated. Upgrade to Premium to annotate larger files.",
    );
    expect(job.resultKey).toBeNull();
    expect(await harness.container.ports.results.list(`${ada.id}/`)).toEqual([]);
    expect(await readdir(harness.container.config.backend.workDir).catch(() => [])).toEqual([]);
  }, 120_000);

  test("a free user at the stored-results quota is refused a new job at submit, with the quota named", async () => {
    const harness = await start({ FREE_MAX_RESULT_BYTES: "1000" });
    const bob = await user(harness, "bob-quota@example.org");
    const first = await bob.submit();
    stopAnnotator = await startAnnotator(harness.container);
    const done = await waitFor("the first job to end", async () => {
      const j = await harness.container.ports.jobStore.get(first);
      return j?.status === "COMPLETED" || j?.status === "FAILED" ? j : null;
    });
    expect(done.status).toBe("COMPLETED"); // started under the quota: it completes, and takes the user over
    expect(done.summary?.storedBytes).toBeGreaterThan(1000);
    const key = `${bob.id}/${randomUUID()}~second.vcf`;
    await harness.container.ports.inputs.put(key, await readFile(DEMO_VCF));
    const res = await bob.client.request("/annotations", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ input_file: key }),
    });
    const body = await res.text();
    expect(res.status).toBe(403);
    expect(body).toContain("free plan: at most 0.0 MB of stored results per user");
    expect(body).toContain("Upgrade to Premium to store more.");
    expect((await jobsOf(harness, bob.id)).length).toBe(1);
  }, 120_000);
});
