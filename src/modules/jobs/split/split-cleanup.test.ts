/**
 * Nothing of a split job outlives it (issue 16 item 5): once the job is merged, failed (on its
 * input, or dead-lettered) or deleted by its owner, no chunk file is left in the object store
 * (`split/<job>/`) and no split record in the SplitStore (job_splits, job_split_chunks here; the
 * DynamoDB adapter's `delete` is the same contract: split-store.contract.ts). Real local ports
 * (PGlite, the PostgreSQL queue, the filesystem object store), the engine on its thread, and the
 * archiver's own job.delete handler for the deletion.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeBenchVcf } from "../../../../bench/generate-vcf.ts";
import { type WebHarness, startWebHarness } from "../../../../test/support/web-harness.ts";
import { createLogger } from "../../../shared/logger.ts";
import { type AnnotationEngine, DEFAULT_BUNDLE_DIR, startEngineThread } from "../../annotator/index.ts";
import { type AnnotatorMessage, createAnnotationWorker } from "../annotation-worker.ts";

const DEMO = join(import.meta.dir, "../../../../data/demo");
const FASTA = join(DEMO, "fasta/Homo_sapiens.GRCh38.chr21.test.fa.gz");

describe("a split job leaves no chunk files and no split records", () => {
  let h: WebHarness;
  let engine: AnnotationEngine;
  let dir: string;
  let input: string;
  beforeAll(async () => {
    h = await startWebHarness();
    engine = await startEngineThread({ bundleDir: DEFAULT_BUNDLE_DIR });
    dir = await mkdtemp(join(tmpdir(), "gas-split-cleanup-"));
    input = join(dir, "in.vcf");
    await writeBenchVcf(input, FASTA, 2000);
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new job on `text`, its request queued, and a worker that splits it into 3 chunks of 700 lines. */
  async function submit(text: string, published: { topic: string; message: unknown }[] = []) {
    const { ports, config, log } = h.container;
    const userId = await h.client().signIn(`cleanup-${randomUUID().slice(0, 8)}@example.org`, "Cleanup");
    const id = randomUUID();
    const inputFileName = "genome.vcf";
    const inputKey = `${userId}/${id}~${inputFileName}`;
    await ports.inputs.put(inputKey, text);
    await ports.jobStore.create({ id, userId, inputFileName, inputKey, submitTime: new Date() });
    const queue = ports.queue<AnnotatorMessage>("annotator");
    const worker = createAnnotationWorker({
      jobs: ports.jobStore,
      inputs: ports.inputs,
      results: ports.results,
      // The real topic, its publishes noted.
      topic: {
        publish: (topic, message, opts) => {
          published.push({ topic, message });
          return ports.topic.publish(topic, message, opts);
        },
      },
      queue,
      engine,
      workDir: config.backend.workDir,
      visibilitySeconds: 30,
      maxAttempts: 5,
      log,
      splits: ports.splits,
      split: { minVariants: 500, minBytes: 0, chunkVariants: 700 },
    });
    await queue.send({ jobId: id, userId, inputKey, inputFileName, submitTime: new Date().toISOString() });
    /** Handle up to `n` deliveries (all when omitted); returns their outcomes. */
    const run = async (n = 50) => {
      const outcomes: string[] = [];
      for (let i = 0; i < n; i++) {
        const [d] = await queue.receive({ waitSeconds: 0 });
        if (!d) break;
        outcomes.push(await worker.handle(d, new AbortController().signal));
      }
      return outcomes;
    };
    return { id, userId, queue, worker, run };
  }

  const chunkFiles = (id: string) => h.container.ports.results.list(`split/${id}/`);
  const splitRecords = async (id: string) => ({
    split: await h.container.ports.splits.get(id),
    chunks: await h.container.ports.splits.chunks(id),
  });
  const none = { split: null, chunks: [] };

  test("merged: files and records removed; the job claimed once (the merge renews the cutter's claim)", async () => {
    const job = await submit(await Bun.file(input).text());
    expect(await job.run()).toEqual(["split", "chunk-done", "chunk-done", "merged"]);
    const done = (await h.container.ports.jobStore.get(job.id))!;
    expect(done.status).toBe("COMPLETED");
    expect(done.attempts).toBe(1);
    expect(await chunkFiles(job.id)).toEqual([]);
    expect(await splitRecords(job.id)).toEqual(none);
  }, 120_000);

  test("chunks go out on the job.requested topic (in push mode SNS rings every annotator's webhook)", async () => {
    const published: { topic: string; message: unknown }[] = [];
    const job = await submit(await Bun.file(input).text(), published);
    expect(await job.run(1)).toEqual(["split"]);
    expect(published.filter((p) => (p.message as { kind?: string }).kind === "chunk")).toEqual(
      [0, 1, 2].map((chunk) => ({
        topic: "job.requested",
        message: expect.objectContaining({ jobId: job.id, kind: "chunk", chunk, chunks: 3 }),
      })),
    );
    expect(await job.run()).toEqual(["chunk-done", "chunk-done", "merged"]);
  }, 120_000);

  test("failed on its input (a bad line in the last chunk): files and records removed", async () => {
    const lines = (await Bun.file(input).text()).split("\n");
    // Data line 1900 (chunk 2 of 0-2) loses its columns after POS: the engine refuses the file.
    let data = 0;
    const bad = lines.map((l) => (l && !l.startsWith("#") && ++data === 1900 ? l.split("\t").slice(0, 2).join("\t") : l)).join("\n");
    const job = await submit(bad);
    const outcomes = await job.run();
    expect(outcomes[0]).toBe("split");
    expect(outcomes).toContain("failed");
    const failed = (await h.container.ports.jobStore.get(job.id))!;
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toContain("line 19");
    expect(await chunkFiles(job.id)).toEqual([]);
    expect(await splitRecords(job.id)).toEqual(none);
  }, 120_000);

  test("dead-lettered chunk: the job fails; files and records removed, also those the other chunks add after", async () => {
    const job = await submit(await Bun.file(input).text());
    expect(await job.run(2)).toEqual(["split", "chunk-done"]);
    expect((await chunkFiles(job.id)).length).toBeGreaterThan(0);
    const [d] = await job.queue.receive({ waitSeconds: 0 });
    await job.worker.handleDeadLetter(d!, job.queue);
    expect((await h.container.ports.jobStore.get(job.id))?.status).toBe("FAILED");
    expect(await chunkFiles(job.id)).toEqual([]);
    expect(await splitRecords(job.id)).toEqual(none);
    // The last chunk's message, still queued, finds the job failed: nothing annotated, nothing added.
    expect(await job.run()).toEqual(["duplicate"]);
    expect(await chunkFiles(job.id)).toEqual([]);
    expect(await splitRecords(job.id)).toEqual(none);
  }, 120_000);

  test("deleted by its owner mid-split (the archiver's job.delete): files and records removed", async () => {
    const job = await submit(await Bun.file(input).text());
    expect(await job.run(2)).toEqual(["split", "chunk-done"]);
    expect((await chunkFiles(job.id)).length).toBeGreaterThan(0);
    const archiver = h.container.archiver(createLogger("error", {}), { deleteSettleSeconds: 0 });
    expect((await archiver.onJobDelete({ jobId: job.id, userId: job.userId })).outcome).toBe("deleted");
    expect(await h.container.ports.jobStore.get(job.id)).toBeNull();
    // The chunks still queued find their job gone and remove what the split left.
    expect(await job.run()).toEqual(["duplicate", "duplicate"]);
    expect(await chunkFiles(job.id)).toEqual([]);
    expect(await splitRecords(job.id)).toEqual(none);
  }, 120_000);
});
