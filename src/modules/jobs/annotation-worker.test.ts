/**
 * The annotation worker on the real local ports (PGlite, the PostgreSQL queue): a redelivered
 * request for a job that is already finished is acked without work, and its job.completed is
 * published again, because the worker that finished it may have died before publishing (the
 * notifier and archiver are idempotent). Found by bench/soak.ts: 2 of 300 emails lost to kill -9.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import { gunzipSync } from "node:zlib";
import { type AnnotationEngine, bundleChecksums, DEFAULT_BUNDLE_DIR, startEngineThread } from "../annotator/index.ts";
import type { Queue } from "../../ports/queue.ts";
import { type JobRequest, createAnnotationWorker } from "./annotation-worker.ts";
import { resultKeys } from "./job-keys.ts";

const DEMO_VCF = join(import.meta.dir, "../../../data/demo/vcf/test.vcf");

/**
 * The worker on the harness's ports. Without `engine` it is never reached: the tests that leave
 * it out exercise what happens before an annotation (duplicates, dead letters, the sweep).
 */
function workerOn(
  h: WebHarness,
  queue: Queue<JobRequest>,
  log: WebHarness["container"]["log"],
  more: Partial<Parameters<typeof createAnnotationWorker>[0]> = {},
) {
  const { ports, config } = h.container;
  return createAnnotationWorker({
    jobs: ports.jobStore,
    inputs: ports.inputs,
    results: ports.results,
    topic: ports.topic,
    queue,
    engine: null as unknown as AnnotationEngine,
    workDir: config.backend.workDir,
    visibilitySeconds: 30,
    maxAttempts: 5,
    log,
    ...more,
  });
}

describe("annotation worker on the local ports", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness();
  }, 60_000);
  afterAll(() => h.close());

  test("a finished job's redelivery is acked as a duplicate, publishes job.completed again and removes the finisher's work folder", async () => {
    const { ports, config, log } = h.container;
    const userId = await h.client().signIn("ada@example.org", "Ada");
    const jobId = await h.completedJob(userId); // COMPLETED in the store, never published: the finisher "died"
    const job = (await ports.jobStore.get(jobId))!;
    const queue = ports.queue<JobRequest>("annotator");
    const notifier = ports.queue<{ jobId: string; status: string }>("notifier");
    await queue.send({
      jobId,
      userId: job.userId,
      inputKey: job.inputKey,
      inputFileName: job.inputFileName,
      submitTime: new Date().toISOString(),
    });
    const worker = workerOn(h, queue, log);
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

  test("a message that is not a job request is deleted, logged with its body and counted, from the queue and from its dead-letter queue", async () => {
    const { ports, metrics } = h.container;
    const queue = ports.queue<JobRequest>("annotator");
    const dlq = ports.queue<JobRequest>("annotator.dlq");
    const logged: { msg: string; fields: Record<string, unknown> }[] = [];
    const log = {
      ...h.container.log,
      error: (msg: string, fields: Record<string, unknown>) => logged.push({ msg, fields }),
    } as typeof h.container.log;
    // The container's worker, so that its counting (gas_malformed_messages_total) is the one run.
    const worker = await h.container.annotationWorker({
      jobs: ports.jobStore,
      queue,
      engine: null as unknown as AnnotationEngine,
      log,
    });
    const bad = ["not json", { jobId: 42 }, { jobId: "../../etc" }] as unknown as JobRequest[];
    for (const m of bad) await queue.send(m);
    for (const _ of bad) {
      const [d] = await queue.receive();
      expect(await worker.handle(d!, new AbortController().signal)).toBe("malformed");
    }
    await dlq.send("also not json" as unknown as JobRequest);
    const [dead] = await dlq.receive();
    await worker.handleDeadLetter(dead!, dlq);
    expect([await queue.receive(), await dlq.receive()]).toEqual([[], []]);
    expect(logged.map((l) => [l.msg, l.fields.queue, l.fields.why, l.fields.body, typeof l.fields.delivery])).toEqual([
      ["malformed job request deleted", "annotator", "not a JSON object (string)", "not json", "string"],
      ["malformed job request deleted", "annotator", "no jobId", '{"jobId":42}', "string"],
      ["malformed job request deleted", "annotator", "jobId is not a job id (UUID)", '{"jobId":"../../etc"}', "string"],
      ["malformed job request deleted", "annotator.dlq", "not a JSON object (string)", "also not json", "string"],
    ]);
    const { body } = await metrics.render();
    expect(body.split("\n").filter((l) => l.startsWith("gas_malformed_messages_total"))).toEqual([
      'gas_malformed_messages_total{queue="annotator"} 3',
      'gas_malformed_messages_total{queue="annotator.dlq"} 1',
    ]);
  });

  test("a dead letter fails a job nobody holds, but sends a live worker's job back to the queue", async () => {
    const { ports, log } = h.container;
    const userId = await h.client().signIn("dee@example.org", "Dee");
    const queue = ports.queue<JobRequest>("annotator");
    const dlq = ports.queue<JobRequest>("annotator.dlq");
    const worker = workerOn(h, queue, log);
    const job = async (claimedBy: string | null) => {
      const id = randomUUID();
      await ports.jobStore.create({ id, userId, inputFileName: "d.vcf", inputKey: `${userId}/${id}~d.vcf`, submitTime: new Date() });
      if (claimedBy) expect((await ports.jobStore.claim(id, claimedBy, 60)).outcome).toBe("claimed");
      const request = {
        jobId: id,
        userId,
        inputKey: `${userId}/${id}~d.vcf`,
        inputFileName: "d.vcf",
        submitTime: new Date().toISOString(),
      };
      await dlq.send(request);
      const [dead] = await dlq.receive();
      await worker.handleDeadLetter(dead!, dlq);
      return id;
    };
    // Held by a live worker (its message lease lapsed five times, not its work): still RUNNING,
    // its request back on the queue, the dead letter gone.
    const held = await job("live-worker");
    expect((await ports.jobStore.get(held))!.status).toBe("RUNNING");
    expect((await queue.receive()).map((d) => d.message.jobId)).toEqual([held]);
    // Nobody holds it: FAILED with the reason the user reads.
    const orphan = await job(null);
    expect((await ports.jobStore.get(orphan))!).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringContaining("could not be completed after 5 attempts"),
    });
    expect(await dlq.receive()).toEqual([]);
  });

  test("sweepWorkDir at start removes folders of finished jobs and keeps those of running ones", async () => {
    const { ports, config, log } = h.container;
    const userId = await h.client().signIn("bob@example.org", "Bob");
    const finished = await h.completedJob(userId);
    const running = randomUUID();
    await ports.jobStore.create({
      id: running,
      userId,
      inputFileName: "r.vcf",
      inputKey: `${userId}/${running}~r.vcf`,
      submitTime: new Date(),
    });
    expect((await ports.jobStore.claim(running, "live-token", 60)).outcome).toBe("claimed");
    const dirs = [`${finished}-t1`, `${running}-live-token`].map((f) => join(config.backend.workDir, f));
    for (const d of dirs) await mkdir(d, { recursive: true });
    const worker = workerOn(h, ports.queue<JobRequest>("annotator"), log);
    expect(await worker.sweepWorkDir()).toBeGreaterThanOrEqual(1);
    expect(dirs.map((d) => existsSync(d))).toEqual([false, true]);
  });

  test("a job stores the VCF as BGZF with its tabix index, the log and the results store; no JSON; rowsKey is the store", async () => {
    const { ports, log } = h.container;
    const userId = await h.client().signIn("cy@example.org", "Cy");
    const id = randomUUID();
    const inputKey = `${userId}/${id}~test.vcf`;
    await ports.inputs.put(inputKey, Bun.file(DEMO_VCF));
    await ports.jobStore.create({ id, userId, inputFileName: "test.vcf", inputKey, submitTime: new Date() });
    const queue = ports.queue<JobRequest>("annotator");
    await queue.send({ jobId: id, userId, inputKey, inputFileName: "test.vcf", submitTime: new Date().toISOString() });
    const engine = await startEngineThread({ bundleDir: DEFAULT_BUNDLE_DIR });
    try {
      const worker = workerOn(h, queue, log, { engine });
      const [delivery] = await queue.receive();
      expect(await worker.handle(delivery!, new AbortController().signal)).toBe("completed");
    } finally {
      await engine.close();
    }
    const keys = resultKeys(userId, id, "test.vcf");
    const stored = (await ports.results.list(`${userId}/${id}~`)).map((o) => o.key).sort();
    expect(stored).toEqual([keys.vcfGz, keys.tbi, keys.store, keys.log].sort());
    const job = (await ports.jobStore.get(id))!;
    expect(job).toMatchObject({ status: "COMPLETED", resultKey: keys.vcfGz, rowsKey: keys.store, logKey: keys.log });
    const vcf = gunzipSync(await new Response((await ports.results.get(keys.vcfGz))!.stream()).bytes()).toString();
    expect(vcf.split("\n").filter((l) => l && !l.startsWith("#"))).toHaveLength(132);
    const tbi = gunzipSync(await new Response((await ports.results.get(keys.tbi))!.stream()).bytes());
    expect(tbi.subarray(0, 4).toString()).toBe("TBI\u0001");
    const store = await ports.results.head(keys.store);
    expect(store!.size).toBeGreaterThan(0);
  }, 60_000);

  test("a job runs with its options (per-gene, CSQ only) and stores its manifest: input and reference checksums, engine, options, timings", async () => {
    const { ports, config, log } = h.container;
    const userId = await h.client().signIn("di@example.org", "Di");
    const id = randomUUID();
    const inputKey = `${userId}/${id}~test.vcf`;
    await ports.inputs.put(inputKey, Bun.file(DEMO_VCF));
    await ports.jobStore.create({
      id,
      userId,
      inputFileName: "test.vcf",
      inputKey,
      submitTime: new Date(),
      name: "Chr21 demo",
      note: "per gene",
      options: { pick: "per-gene", fields: ["csq"] },
    });
    const queue = ports.queue<JobRequest>("annotator");
    await queue.send({ jobId: id, userId, inputKey, inputFileName: "test.vcf", submitTime: new Date().toISOString() });
    const engine = await startEngineThread({ bundleDir: DEFAULT_BUNDLE_DIR });
    const reference = bundleChecksums(DEFAULT_BUNDLE_DIR);
    try {
      const worker = workerOn(h, queue, log, { engine, reference: () => reference });
      const [delivery] = await queue.receive();
      expect(await worker.handle(delivery!, new AbortController().signal)).toBe("completed");
    } finally {
      await engine.close();
    }
    const keys = resultKeys(userId, id, "test.vcf");
    const job = (await ports.jobStore.get(id))!;
    expect(job.manifestKey).toBe(keys.manifest);
    const vcf = gunzipSync(await new Response((await ports.results.get(keys.vcfGz))!.stream()).bytes()).toString();
    const records = vcf.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(vcf).toContain("##INFO=<ID=CSQ");
    expect(vcf).not.toContain("##INFO=<ID=ANN");
    // per-gene: no record carries two CSQ entries for one gene
    for (const r of records) {
      const csq = /CSQ=([^;\t]+)/.exec(r)?.[1];
      if (!csq) continue;
      const genes = csq.split(",").map((e) => `${e.split("|")[0]}:${e.split("|")[4]}`);
      expect(new Set(genes).size).toBe(genes.length);
    }
    const manifest = JSON.parse(await new Response((await ports.results.get(keys.manifest))!.stream()).text());
    const sha = new Bun.CryptoHasher("sha256").update(await Bun.file(DEMO_VCF).bytes()).digest("hex");
    expect(manifest).toMatchObject({
      manifest_version: 1,
      job: { id, name: "Chr21 demo", note: "per gene" },
      input: { file_name: "test.vcf", bytes: Bun.file(DEMO_VCF).size, sha256: sha },
      reference: { build: "GRCh38" },
      engine: { name: "gas", version: expect.any(String), commit: expect.any(String) },
      options: { pick: "per-gene", fields: ["csq"], command: "gas annotate test.vcf --ref <bundle> --fields csq --per-gene" },
      counts: { records: 132 },
    });
    expect(manifest.reference.files.map((f: { role: string }) => f.role)).toEqual(
      expect.arrayContaining(["manifest", "fasta", "genes", "known"]),
    );
    for (const f of manifest.reference.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(manifest)).not.toContain(config.backend.workDir); // no server paths
    expect(manifest.timings.annotation_seconds).toBeGreaterThan(0);
  }, 60_000);
});
