/**
 * The annotation worker on the real local ports (PGlite, the PostgreSQL queue): a redelivered
 * request for a job that is already finished is acked without work, and its job.completed is
 * published again, because the worker that finished it may have died before publishing (the
 * notifier and archiver are idempotent). Found by bench/soak.ts: 2 of 300 emails lost to kill -9.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import type { Reference } from "../annotator/index.ts";
import { type JobRequest, createAnnotationWorker } from "./annotation-worker.ts";

describe("annotation worker: a finished job's redelivery", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
  }, 60_000);
  afterAll(() => h.close());

  test("is acked as a duplicate, publishes job.completed again and removes the finisher's work folder", async () => {
    const { ports, config, log } = h.container;
    const userId = await h.client().signIn("ada@example.org", "Ada");
    const jobId = await h.completedJob(userId); // COMPLETED in the store, never published: the finisher "died"
    const job = (await ports.jobStore.get(jobId))!;
    const queue = ports.queue<JobRequest>("annotator");
    const notifier = ports.queue<{ jobId: string; status: string }>("notifier");
    await queue.send({ jobId, userId: job.userId, inputKey: job.inputKey, inputFileName: job.inputFileName, submitTime: new Date().toISOString() });
    const worker = createAnnotationWorker({
      jobs: ports.jobStore,
      inputs: ports.inputs,
      results: ports.results,
      topic: ports.topic,
      queue,
      // Never opened: a finished job is not annotated again (the engine is not reached).
      reference: null as unknown as Reference,
      workDir: config.backend.workDir,
      visibilitySeconds: 30,
      maxAttempts: 5,
      log,
    });
    // The finisher's work folder, left when it died before its cleanup.
    const stale = join(config.backend.workDir, `${jobId}-${"dead-token"}`);
    await mkdir(stale, { recursive: true });
    const [delivery] = await queue.receive();
    expect(await worker.handle(delivery!, new AbortController().signal)).toBe("duplicate");
    expect(await queue.receive()).toEqual([]); // acked
    const published = (await notifier.receive({ max: 10 })).map((d) => d.message);
    expect(published).toEqual([expect.objectContaining({ jobId, status: "COMPLETED" })]);
    expect(existsSync(stale)).toBe(false);
  });
});
