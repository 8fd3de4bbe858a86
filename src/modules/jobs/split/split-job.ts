/**
 * Whole-genome jobs split across the annotator fleet (issue 16 item 5; DESIGN.md §3):
 *
 * 1. The annotator that claims a job whose input reaches the threshold (SPLIT_MIN_VARIANTS data
 *    lines or SPLIT_MIN_BYTES decompressed) cuts it into chunks of SPLIT_CHUNK_VARIANTS lines
 *    (cut-input.ts), stores them, records the split (SplitStore.begin) and sends one `chunk`
 *    message per chunk on the annotators' own queue: no new topic or queue, so the messaging
 *    topology, IAM policies and Ansible stay as they are (annotators already send on that queue
 *    when they defer a request). It then lets go of the job's claim; the job stays RUNNING.
 * 2. Any annotator takes any chunk: claims it (a lease, renewed by a heartbeat), annotates it with
 *    the engine, stores its VCF, results store and summary under its claim token (so a chunk
 *    redone after a crash never mixes with a dead attempt's files), and records it done. A
 *    killed annotator costs its chunk only: the chunk's message comes back after its lease and
 *    the next annotator takes the lapsed claim over.
 * 3. The annotator that records the last chunk done merges (SplitStore.claimMerge: once; a dead
 *    merger's claim lapses and its chunk's message comes back to whoever merges next): VCF and
 *    index (merge-vcf.ts), results store (merge-store.ts), summary and log (merge-summary.ts), in
 *    input order, identical to an unsplit run's apart from timings (split-identity.test.ts); then
 *    completes the job under the cutter's claim token (SplitPlan.jobToken: the job's attempts
 *    count its claims, not the split's steps) and removes the chunks' files and records.
 * 4. Nothing of a split outlives it: a chunk handler that finds its job failed, deleted or already
 *    finished removes the split's files (object store `split/<job>/`) and records (`discard`), as
 *    do the dead-letter handler and a job request that finds its job finished. Whichever handler
 *    of the job ends last runs after every upload of the job's chunks, so its removal is the last.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Job, JobStore, JobSummary } from "../../../ports/job-store.ts";
import type { ObjectStore } from "../../../ports/object-store.ts";
import type { Delivery, Queue, Topic, TopicMessages } from "../../../ports/queue.ts";
import type { SplitStore } from "../../../ports/split-store.ts";
import type { Logger } from "../../../shared/logger.ts";
import { buildInfo } from "../../../build-info.ts";
import { type AnnotateSummary, type AnnotationEngine, AnnotationInputError } from "../../annotator/index.ts";
import { renderCountLog } from "../../annotator/output/count-log.ts";
import { buildManifest, type ReferenceIdentity } from "../job-manifest.ts";
import { resultKeys } from "../job-keys.ts";
import { cutInput } from "./cut-input.ts";
import { mergeSummaries, shiftLineNumbers } from "./merge-summary.ts";
import { mergeResultsStores } from "./merge-store.ts";
import { mergeBgzfVcfs } from "./merge-vcf.ts";

type JobRequest = TopicMessages["job.requested"];

/** One chunk of a split job, sent by the annotator that cut it on the annotators' queue. */
export interface ChunkRequest {
  kind: "chunk";
  jobId: string;
  userId: string;
  /** 0-based, in input order. */
  chunk: number;
  chunks: number;
  /** Data lines per chunk (the last may hold fewer): chunk n starts at the input's line n × chunkLines + header. */
  chunkLines: number;
}

/** What the annotators' queue carries: job requests (the web role's) and chunks (the annotators' own). */
export type AnnotatorMessage = JobRequest | ChunkRequest;

export const isChunkRequest = (m: unknown): m is ChunkRequest =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "chunk";

/** Why a chunk message cannot be one (null when it can). */
export function malformedChunk(m: ChunkRequest): string | null {
  const ok = (n: unknown, min: number) => Number.isInteger(n) && (n as number) >= min;
  if (!ok(m.chunk, 0) || !ok(m.chunks, 1) || m.chunk >= m.chunks) return "chunk is not a chunk number below chunks";
  if (!ok(m.chunkLines, 1)) return "chunkLines is not a positive whole number";
  if (typeof m.userId !== "string") return "no userId";
  return null;
}

/** SPLIT_MIN_VARIANTS, SPLIT_MIN_BYTES (0: that test off), SPLIT_CHUNK_VARIANTS (config.ts). */
export interface SplitSettings {
  minVariants: number;
  minBytes: number;
  chunkVariants: number;
}

export interface SplitDeps {
  jobs: JobStore;
  splits: SplitStore;
  inputs: ObjectStore;
  results: ObjectStore;
  queue: Queue<AnnotatorMessage>;
  /** Chunks are published on job.requested (the annotators' queue is its subscriber): see sendChunks. */
  topic: Topic;
  engine: Pick<AnnotationEngine, "annotate">;
  workDir: string;
  visibilitySeconds: number;
  settings: SplitSettings;
  log: Logger;
  reference?: () => Promise<ReferenceIdentity>;
  /** The worker's: publish job.completed for a finished job. */
  publishFinished(job: Job, status: "COMPLETED" | "FAILED"): Promise<void>;
  /** The worker's: the engine's summary as a job records it (warnings capped, paths scrubbed). */
  toSummary(s: AnnotateSummary): JobSummary;
}

/** Where a split job's files live in the results store while it runs (removed after the merge). */
export const splitKeys = (jobId: string) => {
  const root = `split/${jobId}`;
  return {
    root,
    input: (n: number) => `${root}/in/${n}.vcf`,
    output: (n: number, token: string) => ({
      vcf: `${root}/out/${n}/${token}/annot.vcf.gz`,
      store: `${root}/out/${n}/${token}/results.sqlite`,
      summary: `${root}/out/${n}/${token}/summary.json`,
    }),
  };
};

/** The claim lapses a little before the message comes back (as a job's does: annotation-worker.ts). */
const leaseOf = (visibility: number) => Math.max(1, visibility - 2);

export type ChunkOutcome = "chunk-done" | "merged" | "duplicate" | "busy" | "lost" | "failed" | "retry" | "handed-back";

export function createSplitter(deps: SplitDeps) {
  const { jobs, splits, results, queue, settings } = deps;
  const lease = leaseOf(deps.visibilitySeconds);

  /** Whether the input could reach a threshold at all: a compressed VCF holds at most ~100× its size, ≥ 20 bytes a line. */
  function mayReach(inputBytes: number): boolean {
    return (
      (settings.minBytes > 0 && inputBytes * 100 >= settings.minBytes) ||
      (settings.minVariants > 0 && inputBytes * 100 >= settings.minVariants * 20)
    );
  }

  /**
   * Through the job.requested topic rather than a send to the queue: the queue receives the same
   * message, and in push mode SNS also rings every annotator's webhook, so the fleet takes the
   * chunks at once instead of at its next sweep (ANNOTATOR_PUSH_SWEEP_SECONDS, 60 s by default).
   * The topic's type names the web role's requests; its queue carries AnnotatorMessage.
   */
  async function sendChunks(job: Job, chunks: number, chunkLines: number, only?: Set<number>) {
    for (let n = 0; n < chunks; n++) {
      if (only && !only.has(n)) continue;
      const chunk: ChunkRequest = { kind: "chunk", jobId: job.id, userId: job.userId, chunk: n, chunks, chunkLines };
      await deps.topic.publish("job.requested", chunk as unknown as JobRequest);
    }
  }

  /**
   * Called by the claim holder of a job request once its input is in `work`: when the input
   * reaches the threshold (and `within` its plan's limits), cut it, queue the chunks and return
   * true (the caller lets go of the claim and acks); false: annotate it whole.
   */
  async function cutAndQueue(
    job: Job,
    inputPath: string,
    input: { bytes: number; sha256: string },
    work: string,
    within: (records: number, plainBytes: number) => boolean,
    claimToken: string,
  ): Promise<boolean> {
    if (!mayReach(input.bytes)) return false;
    const started = performance.now();
    const cut = await cutInput(inputPath, join(work, "chunks"), basename(job.inputFileName), settings.chunkVariants);
    const reached =
      (settings.minVariants > 0 && cut.records >= settings.minVariants) || (settings.minBytes > 0 && cut.plainBytes >= settings.minBytes);
    if (cut.files.length < 2 || !reached || !within(cut.records, cut.plainBytes)) return false;
    const keys = splitKeys(job.id);
    for (const [n, file] of cut.files.entries()) await results.put(keys.input(n), Bun.file(file));
    await splits.begin(job.id, {
      chunks: cut.files.length,
      chunkLines: settings.chunkVariants,
      records: cut.records,
      inputBytes: input.bytes,
      inputSha256: input.sha256,
      jobToken: claimToken,
    });
    await sendChunks(job, cut.files.length, settings.chunkVariants);
    deps.log.info("job split", {
      jobId: job.id,
      chunks: cut.files.length,
      records: cut.records,
      plainBytes: cut.plainBytes,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    });
    return true;
  }

  /**
   * A job request for a job already split (a duplicate, or the cutter died before acking): send
   * the chunks not done again (a duplicate chunk is acked by whoever finds it busy or done).
   * Returns false when the job was never split.
   */
  async function resume(job: Job): Promise<boolean> {
    const split = await splits.get(job.id);
    if (!split) return false;
    if (split.mergedAt) return true;
    const open = new Set((await splits.chunks(job.id)).filter((c) => !c.result).map((c) => c.n));
    await sendChunks(job, split.chunks, split.chunkLines, open);
    return true;
  }

  /** Handle one chunk delivery. */
  async function handleChunk(d: Delivery<ChunkRequest>, stopping: AbortSignal): Promise<ChunkOutcome> {
    const { jobId, chunk: n } = d.message;
    const log = deps.log.child({ jobId, chunk: n, delivery: d.id, receiveCount: d.receiveCount });
    const job = await jobs.get(jobId);
    if (!job || job.deletedAt || job.status !== "RUNNING") {
      log.info("chunk of a job no longer running", { status: job?.status ?? "missing" });
      await discard(jobId, log);
      await queue.ack(d);
      return "duplicate";
    }
    const token = randomUUID();
    const claim = await splits.claimChunk(jobId, n, token, lease);
    if (claim.outcome === "missing") {
      await queue.ack(d);
      return "duplicate";
    }
    if (claim.outcome === "done") {
      // Done already: if every chunk is, the merge may still be owed (its merger died).
      const outcome = await mergeIfLast(job, d, stopping, log);
      await queue.ack(d);
      return outcome === "merged" ? "merged" : "duplicate";
    }
    if (claim.outcome === "busy") {
      if (d.receiveCount === 1) await queue.ack(d);
      else await queue.retry(d, { delaySeconds: 2, error: "chunk claimed by another annotator" });
      return "busy";
    }
    if (claim.attempts > 1) log.warn("chunk redone", { attempts: claim.attempts });
    else log.info("chunk running");
    const work = join(deps.workDir, `${jobId}-${token}`);
    const run = new AbortController();
    const onStop = () => run.abort(new Error("shutting down"));
    stopping.addEventListener("abort", onStop, { once: true });
    let lost = false;
    const beat = setInterval(
      async () => {
        try {
          const kept = (await splits.renewChunk(jobId, n, token, lease)) && (await queue.extend(d, deps.visibilitySeconds));
          if (!kept) {
            lost = true;
            run.abort(new Error("chunk claim lost"));
          }
        } catch (err) {
          log.warn("chunk heartbeat failed", { err });
        }
      },
      Math.max(500, (deps.visibilitySeconds * 1000) / 3),
    );
    try {
      await mkdir(work, { recursive: true });
      const keys = splitKeys(jobId);
      const stored = await results.get(keys.input(n));
      if (!stored) throw new Error(`chunk input ${keys.input(n)} is missing`);
      const name = basename(job.inputFileName);
      const inputPath = join(work, name);
      await Bun.write(inputPath, new Response(stored.stream()));
      // The store without indexes: the merge builds them once over all the chunks' rows.
      const out = { vcf: join(work, "out.annot.vcf.gz"), store: join(work, "out.results.sqlite"), storeWithoutIndexes: true };
      const summary = await deps.engine.annotate({
        input: inputPath,
        outputs: out,
        signal: run.signal,
        fields: { ann: job.options.fields.includes("ann"), csq: job.options.fields.includes("csq"), pick: job.options.pick },
      });
      run.signal.throwIfAborted();
      // Named by the user's file only, as the results store names it: no work path leaves this host.
      const named: AnnotateSummary = { ...summary, input: name, warnings: summary.warnings.map((w) => w.replaceAll(inputPath, name)) };
      const dest = keys.output(n, token);
      await results.put(dest.vcf, Bun.file(out.vcf));
      await results.put(dest.store, Bun.file(out.store));
      await results.put(dest.summary, JSON.stringify(named));
      const counts = await splits.finishChunk(jobId, n, token, { records: summary.records, seconds: summary.seconds });
      if (!counts) {
        log.warn("chunk claim lost before it was recorded; another annotator redoes it");
        await discardIfOver(jobId, log);
        await queue.ack(d);
        return "lost";
      }
      log.info("chunk done", { done: counts.done, chunks: counts.chunks, records: summary.records, seconds: summary.seconds });
      let outcome: ChunkOutcome = "chunk-done";
      if (counts.done === counts.chunks && (await mergeIfLast(job, d, stopping, log)) === "merged") outcome = "merged";
      await queue.ack(d);
      return outcome;
    } catch (err) {
      if (err instanceof AnnotationInputError) {
        // The user's file is the problem: the whole job fails, with the input's line numbers.
        const reason = shiftLineNumbers(
          err.message.replaceAll(join(work, basename(job.inputFileName)), basename(job.inputFileName)),
          n * d.message.chunkLines,
        );
        if (await jobs.fail(jobId, null, reason)) await deps.publishFinished(job, "FAILED");
        // The other chunks' handlers find the job failed and remove what they add.
        await discard(jobId, log);
        await queue.ack(d);
        log.info("split job failed on its input", { reason });
        return "failed";
      }
      if (lost) {
        log.warn("chunk claim lost while running; another annotator owns the chunk");
        await discardIfOver(jobId, log);
        return "lost";
      }
      await splits.renewChunk(jobId, n, token, 0).catch(() => {});
      const handingBack = stopping.aborted;
      await queue.retry(d, handingBack ? { delaySeconds: 0, error: "worker shut down" } : { error: String(err) });
      if (handingBack) log.info("chunk handed back on shutdown");
      else log.error("chunk attempt failed; will retry", { err });
      return handingBack ? "handed-back" : "retry";
    } finally {
      clearInterval(beat);
      stopping.removeEventListener("abort", onStop);
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Merge the chunks' results if every chunk is done and nobody merges already. Throws on
   * trouble (the delivery is retried and the merge tried again once the claim lapses).
   */
  async function mergeIfLast(job: Job, d: Delivery<ChunkRequest>, stopping: AbortSignal, log: Logger): Promise<"merged" | "not-mine"> {
    const token = randomUUID();
    const claim = await splits.claimMerge(job.id, token, lease);
    if (claim !== "claimed") return "not-mine";
    const held = await holdJob(job, token);
    if (held.outcome !== "held") {
      await splits.renewMerge(job.id, token, 0);
      if (held.outcome === "finished") {
        await splits.finishMerge(job.id, token).catch(() => {});
        await discard(job.id, log);
        return "not-mine";
      }
      throw new Error(`merge: the job's claim is ${held.outcome}`);
    }
    const jobToken = held.token;
    const work = join(deps.workDir, `${job.id}-${token}`);
    // A merger whose merge claim lapsed (a long stall) stops: the next merger owns the merge.
    const lostMerge = new AbortController();
    const signal = AbortSignal.any([stopping, lostMerge.signal]);
    const beat = setInterval(
      () => {
        Promise.all([
          splits.renewMerge(job.id, token, lease),
          jobs.renewClaim(job.id, jobToken, lease),
          queue.extend(d, deps.visibilitySeconds),
        ])
          .then(([mergeKept]) => {
            if (!mergeKept) lostMerge.abort(new Error("merge claim lost"));
          })
          .catch((err) => log.warn("merge heartbeat failed", { err }));
      },
      Math.max(500, (deps.visibilitySeconds * 1000) / 3),
    );
    try {
      const merged = await merge(held.job, jobToken, work, signal, log);
      if (!merged) {
        await discardIfOver(job.id, log);
        return "not-mine";
      }
      await splits.finishMerge(job.id, token);
      await deps.publishFinished(job, "COMPLETED");
      // The chunks' files and records are not needed any more (files a failure here leaves behind
      // are removed by the next handler of the job's messages, or the bucket's lifecycle).
      await discard(job.id, log);
      return "merged";
    } catch (err) {
      await Promise.allSettled([splits.renewMerge(job.id, token, 0), jobs.renewClaim(job.id, jobToken, 0)]);
      throw err;
    } finally {
      clearInterval(beat);
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * The job's claim for the merger: the cutter's (SplitPlan.jobToken) renewed, which leaves the
   * job's attempts as they are; or, when that claim was taken over meanwhile (a duplicate request
   * claimed the job) or the split names none, a claim of its own.
   */
  async function holdJob(
    job: Job,
    token: string,
  ): Promise<{ outcome: "held"; token: string; job: Job } | { outcome: "finished" | "busy" | "missing" | "capped" }> {
    const split = await splits.get(job.id);
    if (split?.jobToken && (await jobs.renewClaim(job.id, split.jobToken, lease))) {
      const fresh = await jobs.get(job.id);
      if (fresh) return { outcome: "held", token: split.jobToken, job: fresh };
    }
    const c = await jobs.claim(job.id, token, lease);
    return c.outcome === "claimed" ? { outcome: "held", token, job: c.job } : { outcome: c.outcome };
  }

  async function merge(job: Job, token: string, work: string, stopping: AbortSignal, log: Logger): Promise<boolean> {
    const started = performance.now();
    const split = await splits.get(job.id);
    const chunks = await splits.chunks(job.id);
    if (!split || chunks.some((c) => !c.result)) throw new Error("merge: a chunk is not done");
    await mkdir(work, { recursive: true });
    const keys = splitKeys(job.id);
    const parts: { vcf: string; store: string; summary: AnnotateSummary }[] = [];
    for (const c of chunks) {
      stopping.throwIfAborted();
      const dest = keys.output(c.n, c.result!.token);
      const vcf = join(work, `${c.n}.annot.vcf.gz`);
      const store = join(work, `${c.n}.results.sqlite`);
      for (const [key, path] of [
        [dest.vcf, vcf],
        [dest.store, store],
      ] as const) {
        const o = await results.get(key);
        if (!o) throw new Error(`merge: ${key} is missing`);
        await Bun.write(path, new Response(o.stream()));
      }
      const s = await results.get(dest.summary);
      if (!s) throw new Error(`merge: ${dest.summary} is missing`);
      parts.push({ vcf, store, summary: JSON.parse(await new Response(s.stream()).text()) as AnnotateSummary });
    }
    const fetched = performance.now();
    // Chunk n's lines follow n × chunkLines lines of the input; its records, the records before it.
    const { chunkLines } = split;
    let records = 0;
    const offsets = parts.map((p, n) => {
      const o = { recordOffset: records, lineOffset: n * chunkLines };
      records += p.summary.records;
      return o;
    });
    const wall = (Date.now() - split.startedAt.getTime()) / 1000;
    const summary = mergeSummaries(
      parts.map((p, n) => ({ summary: p.summary, lineOffset: offsets[n]!.lineOffset })),
      wall,
    );
    const out = { vcf: join(work, "out.annot.vcf.gz"), store: join(work, "out.results.sqlite"), log: join(work, "out.vcf.count.log") };
    // The VCF on this thread while the results store's two threads merge it (merge-store.ts): the
    // fleet's other annotators idle meanwhile, so the merge is the job's tail; in parallel it is shorter.
    let vcfDone = 0;
    let storeDone = 0;
    // Both settle before either's failure is thrown: the work folder is removed after, not under a running merge.
    const [vcfMerge, storeMerge] = await Promise.allSettled([
      mergeBgzfVcfs(
        parts.map((p) => p.vcf),
        out.vcf,
      ).finally(() => {
        vcfDone = performance.now();
      }),
      mergeResultsStores(
        parts.map((p, n) => ({ path: p.store, ...offsets[n]! })),
        out.store,
        summary,
      ).finally(() => {
        storeDone = performance.now();
      }),
    ]);
    if (vcfMerge.status === "rejected") throw vcfMerge.reason;
    if (storeMerge.status === "rejected") throw storeMerge.reason;
    const [vcf, storeTimes] = [vcfMerge.value, storeMerge.value];
    stopping.throwIfAborted();
    await Bun.write(out.log, renderCountLog(summary));
    const rk = resultKeys(job.userId, job.id, job.inputFileName);
    await results.put(rk.vcfGz, Bun.file(out.vcf));
    if (vcf.indexPath) await results.put(rk.tbi, Bun.file(vcf.indexPath));
    else log.warn("merged VCF left without a tabix index", { problem: vcf.problem });
    await results.put(rk.log, Bun.file(out.log));
    await results.put(rk.store, Bun.file(out.store));
    let manifestKey: string | null = null;
    if (deps.reference) {
      const manifest = buildManifest({
        job,
        input: { bytes: split.inputBytes, sha256: split.inputSha256 },
        reference: await deps.reference(),
        engine: buildInfo,
        annotationSeconds: wall,
        counts: {
          records: summary.records,
          alleles: summary.alleles,
          known: summary.known,
          novel: summary.novel,
          skipped: summary.skipped,
        },
        finished: new Date(),
      });
      await results.put(rk.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
      manifestKey = rk.manifest;
    }
    const indexBytes = vcf.indexPath ? Bun.file(vcf.indexPath).size : 0;
    const done = await jobs.complete(job.id, token, {
      resultKey: rk.vcfGz,
      logKey: rk.log,
      rowsKey: rk.store,
      manifestKey,
      summary: {
        ...deps.toSummary(summary),
        plainVcfBytes: vcf.plainBytes,
        storedBytes: [out.vcf, out.log, out.store].reduce((n, f) => n + Bun.file(f).size, indexBytes),
      },
    });
    if (!done) {
      log.warn("job claim lost before the merge was recorded");
      return false;
    }
    log.info("split job merged", {
      chunks: chunks.length,
      redone: chunks.filter((c) => c.attempts > 1).length,
      records: summary.records,
      mergeSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      // Where the merge's time goes: fetching the chunks' files, the VCF and index, the results store.
      fetchSeconds: Number(((fetched - started) / 1000).toFixed(3)),
      // The VCF and the store are merged at the same time: each from the fetch's end.
      vcfSeconds: Number(((vcfDone - fetched) / 1000).toFixed(3)),
      storeSeconds: Number(((storeDone - fetched) / 1000).toFixed(3)),
      ...storeTimes,
      wallSeconds: Number(wall.toFixed(3)),
    });
    return true;
  }

  /**
   * Remove a split's files (object store: list `split/<job>/`, delete each) and records. For a
   * job merged, failed, deleted or unknown; idempotent. Trouble is logged, not thrown: the
   * caller's outcome stands, and the next handler of the job's messages tries again.
   */
  async function discard(jobId: string, log: Logger): Promise<void> {
    try {
      for (const o of await results.list(`${splitKeys(jobId).root}/`)) await results.delete(o.key);
      await splits.delete(jobId);
    } catch (err) {
      log.warn("could not remove the split's files and records", { err });
    }
  }

  /** `discard` when the job no longer runs (its handlers end; the last one's removal is final). */
  async function discardIfOver(jobId: string, log: Logger): Promise<void> {
    const job = await jobs.get(jobId).catch(() => undefined);
    if (job === undefined) return; // the store did not answer: the next handler looks again
    if (!job || job.deletedAt || job.status !== "RUNNING") await discard(jobId, log);
  }

  return {
    cutAndQueue,
    resume,
    handleChunk,
    discard,
  };
}
