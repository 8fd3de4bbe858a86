/**
 * The annotator role's handler for one `job.requested` delivery. Safe under at-least-once
 * delivery: the job is claimed with a conditional write (PENDING → RUNNING, or a lapsed claim
 * taken over after a crash), only the claim holder can complete it, and a finished job is acked
 * without work (its job.completed published again, in case the finisher died before publishing). While the engine runs, a heartbeat extends both the message lease and the claim;
 * losing the claim aborts the run.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Job, JobProgress, JobStore, JobSummary, UserUsage } from "../../ports/job-store.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { malformedBody } from "../../metrics/malformed-messages.ts";
import type { Delivery, Queue, Topic, TopicMessages } from "../../ports/queue.ts";
import type { Logger } from "../../shared/logger.ts";
import { type AnnotateSummary, type AnnotationEngine, AnnotationInputError } from "../annotator/index.ts";
import type { Tier } from "../accounts/index.ts";
import { buildInfo } from "../../build-info.ts";
import { bgzfPlainSize } from "./bgzf-plain-size.ts";
import { buildManifest, type ReferenceIdentity } from "./job-manifest.ts";
import { resultKeys } from "./job-keys.ts";
import { type Plans, inputLimits, resultQuotaProblem } from "./plan-limits.ts";
import { workPathScrubber } from "./work-path-scrubber.ts";
import type { SplitStore } from "../../ports/split-store.ts";
import {
  type AnnotatorMessage,
  type ChunkOutcome,
  type ChunkRequest,
  createSplitter,
  isChunkRequest,
  malformedChunk,
  type SplitSettings,
} from "./split/split-job.ts";

export type JobRequest = TopicMessages["job.requested"];
export type { AnnotatorMessage } from "./split/split-job.ts";

export interface AnnotationWorkerDeps {
  jobs: JobStore;
  inputs: ObjectStore;
  results: ObjectStore;
  topic: Topic;
  /** The annotators' queue: job requests, and the chunks of split jobs (split/split-job.ts). */
  queue: Queue<AnnotatorMessage>;
  /** The engine on its own thread (startEngineThread): a job never runs on this event loop. */
  engine: Pick<AnnotationEngine, "annotate">;
  workDir: string;
  visibilitySeconds: number;
  maxAttempts: number;
  log: Logger;
  /**
   * The plans and each user's tier: input limits, the stored-results quota, the cap on a user's
   * running jobs and fair turns between users (plan-limits.ts). Absent: none of these apply.
   */
  plans?: { limits: Plans; tierOf(userId: string): Promise<Tier>; archiveAfterSeconds: number };
  /** Called with the queue's name for each malformed message deleted (gas_malformed_messages_total). */
  onMalformed?: (queue: string) => void;
  /**
   * The reference the engine runs on, with its files' checksums, for each job's manifest (taken
   * once per process: annotator.role.ts). Absent: jobs get no manifest.
   */
  reference?: () => Promise<ReferenceIdentity>;
  /**
   * Whole-genome jobs split across the annotators (split/split-job.ts): the chunk bookkeeping and
   * when to split. Absent (or `split` null): every job is annotated whole.
   */
  splits?: SplitStore;
  split?: SplitSettings | null;
}

export type HandleOutcome =
  | "completed"
  | "failed"
  | "duplicate"
  | "busy"
  | "lost"
  | "retry"
  | "handed-back"
  | "malformed"
  | "deferred"
  /** Cut into chunks queued for the fleet (or a split job's request again). */
  | "split"
  | ChunkOutcome;

/**
 * A request whose user is at their running-jobs cap comes back after this long: a slot frees only
 * when one of their jobs ends (seconds to minutes), and a shorter wait only spins on the queue.
 */
const CAP_DEFER_SECONDS = 5;

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why a delivery cannot be a job request (null when it can). Such a message never succeeds: retried,
 * it went to the dead-letter queue and looped there for ever (issue 14), so it is deleted at once.
 */
export function malformedJobRequest(message: unknown): string | null {
  if (typeof message !== "object" || message === null) return `not a JSON object (${typeof message})`;
  const { jobId } = message as { jobId?: unknown };
  if (typeof jobId !== "string") return "no jobId";
  if (!JOB_ID.test(jobId)) return "jobId is not a job id (UUID)";
  if (isChunkRequest(message)) return malformedChunk(message);
  return null;
}

/**
 * The claim lapses a little before the message reappears, so the worker that receives a crashed
 * job's redelivered message finds the claim free rather than "busy".
 */
const claimSeconds = (visibility: number) => Math.max(1, visibility - 2);

const toSummary = (s: AnnotateSummary, scrub: (text: string) => string): JobSummary => ({
  records: s.records,
  alleles: s.alleles,
  known: s.known,
  novel: s.novel,
  skipped: s.skipped,
  byMostSevere: s.byMostSevere,
  byConsequence: s.byConsequence,
  byImpact: s.byImpact,
  warnings: s.warnings.slice(0, 50).map(scrub),
  warningsTotal: s.warningsTotal,
  seconds: s.seconds,
  variantsPerSecond: s.variantsPerSecond,
});

/** Create the handler. `shutdown` aborts running jobs so they can be handed back. */
export function createAnnotationWorker(deps: AnnotationWorkerDeps) {
  const { jobs, inputs, results, topic } = deps;
  // Job requests are what this file handles; chunks go to the splitter.
  const queue = deps.queue as Queue<JobRequest>;

  async function publishFinished(job: Job, status: "COMPLETED" | "FAILED") {
    const fresh = await jobs.get(job.id);
    await topic.publish("job.completed", {
      jobId: job.id,
      userId: job.userId,
      status,
      completeTime: (fresh?.completeTime ?? new Date()).toISOString(),
    });
  }

  const splitter =
    deps.splits && deps.split
      ? createSplitter({
          jobs,
          splits: deps.splits,
          inputs,
          results,
          queue: deps.queue,
          topic,
          engine: deps.engine,
          workDir: deps.workDir,
          visibilitySeconds: deps.visibilitySeconds,
          settings: deps.split,
          log: deps.log,
          reference: deps.reference,
          publishFinished,
          // Chunk summaries name the user's file only: nothing to scrub.
          toSummary: (s) => toSummary(s, (t) => t),
        })
      : null;

  async function removeEarlierAttempts(jobId: string) {
    const stale = (await readdir(deps.workDir).catch(() => [] as string[])).filter((f) => f.startsWith(`${jobId}-`));
    await Promise.all(stale.map((f) => rm(join(deps.workDir, f), { recursive: true, force: true })));
  }

  /** Handle one delivery; `stopping` aborts when the process shuts down (the job is handed back). */
  /** Delete a message that is not a job request, logging its id, why and its body, and counting it (metrics/malformed-messages.ts). */
  async function dropMalformed(d: Delivery<JobRequest>, from: Queue<JobRequest>): Promise<boolean> {
    const why = malformedJobRequest(d.message);
    if (!why) return false;
    deps.log.error("malformed job request deleted", {
      queue: from.name,
      delivery: d.id,
      receiveCount: d.receiveCount,
      why,
      body: malformedBody(d.message),
    });
    await from.ack(d);
    deps.onMalformed?.(from.name);
    return true;
  }

  /** Send the request to the queue's tail again, marked with when; then let this delivery go. */
  async function defer(d: Delivery<JobRequest>, delaySeconds: number) {
    await queue.send({ ...d.message, queuedAt: new Date().toISOString() }, { delaySeconds });
    await queue.ack(d);
  }

  /**
   * Fair turns and the running-jobs cap, decided before the claim. A waiting job's request goes
   * back to the queue's tail (sent again with `queuedAt`, this delivery acked: waiting is never a
   * failed attempt counted towards the dead-letter queue) when its user
   * - already has their cap of jobs running: it comes back after CAP_DEFER_SECONDS;
   * - has had a job start since the request joined the queue: that user had their turn, so every
   *   request queued behind this one, other users', gets its turn first. One user's backlog then
   *   delays another user's next job by at most the job running when it arrived (issue 13 item 4:
   *   a 1 s job waited 19.7 s behind 8 flood jobs), at the price of one pass over the heavy
   *   user's backlog (a send and an ack per request) per job of theirs that starts.
   * Returns the user's tier and usage when the job may be claimed; null when it was deferred.
   */
  async function schedule(
    d: Delivery<JobRequest>,
    plans: NonNullable<AnnotationWorkerDeps["plans"]>,
    log: Logger,
  ): Promise<{ tier: Tier; usage: UserUsage } | null> {
    const { jobId } = d.message;
    const userId = typeof d.message.userId === "string" ? d.message.userId : (await jobs.get(jobId))?.userId;
    if (!userId) return { tier: "free", usage: { running: 0, startedAfter: 0, resultBytes: 0, oldestPending: null, othersPending: false } }; // the claim says "missing"
    const tier = await plans.tierOf(userId);
    const queuedAt = new Date(d.message.queuedAt ?? d.message.submitTime);
    const usage = await jobs.usage(userId, Number.isNaN(queuedAt.getTime()) ? {} : { startedAfter: queuedAt });
    const atCap = usage.running >= plans.limits[tier].maxRunningJobs;
    if (!atCap && (usage.startedAfter === 0 || !usage.othersPending)) return { tier, usage };
    // Only a job still waiting is deferred: a duplicate of a finished or running job goes on to
    // the claim, which acks it; a crashed worker's job (RUNNING, claim lapsed) is taken over.
    const job = await jobs.get(jobId);
    if (job?.status !== "PENDING") return { tier, usage };
    await defer(d, atCap ? CAP_DEFER_SECONDS : 0);
    log.debug("job deferred", { reason: atCap ? "running-jobs cap" : "another user's turn", running: usage.running });
    return null;
  }

  /**
   * When one of a user's jobs has ended, their oldest waiting job's request is sent again at once
   * (to the queue's tail: every other user's request already queued still goes first). Without it
   * a user at their running-jobs cap waited for a deferred request to come back after
   * CAP_DEFER_SECONDS: the soak's one free user ran 8 jobs per 30 s instead of ~4 per second. A
   * duplicate request is harmless: the claim acknowledges it once the job has started or ended.
   */
  async function wakeNext(userId: string, log: Logger) {
    try {
      const next = (await jobs.usage(userId)).oldestPending;
      const job = next ? await jobs.get(next) : null;
      if (job?.status !== "PENDING") return;
      await queue.send({
        jobId: job.id,
        userId,
        inputKey: job.inputKey,
        inputFileName: job.inputFileName,
        submitTime: job.submitTime.toISOString(),
        queuedAt: new Date().toISOString(),
      });
    } catch (err) {
      // The deferred request still comes back: only the wait is longer.
      log.warn("could not wake the user's next job", { error: String(err) });
    }
  }

  async function handle(d: Delivery<AnnotatorMessage>, stopping: AbortSignal): Promise<HandleOutcome> {
    if (isChunkRequest(d.message)) {
      if (await dropMalformed(d as Delivery<JobRequest>, queue)) return "malformed";
      // A split job's chunk arriving where splitting is off (a rolling configuration change) is still done.
      if (!chunkWorker) throw new Error("a chunk arrived but this annotator has no split store");
      return chunkWorker.handleChunk(d as Delivery<ChunkRequest>, stopping);
    }
    return handleJob(d as Delivery<JobRequest>, stopping);
  }

  // Chunks are handled wherever a split store exists, whatever this annotator's own thresholds.
  const chunkWorker =
    splitter ??
    (deps.splits
      ? createSplitter({
          jobs,
          splits: deps.splits,
          inputs,
          results,
          queue: deps.queue,
          topic,
          engine: deps.engine,
          workDir: deps.workDir,
          visibilitySeconds: deps.visibilitySeconds,
          settings: { minVariants: 0, minBytes: 0, chunkVariants: 1 },
          log: deps.log,
          reference: deps.reference,
          publishFinished,
          toSummary: (s) => toSummary(s, (t) => t),
        })
      : null);

  async function handleJob(d: Delivery<JobRequest>, stopping: AbortSignal): Promise<HandleOutcome> {
    const outcome = await handleRequest(d, stopping);
    const userId = d.message?.userId;
    if (deps.plans && (outcome === "completed" || outcome === "failed") && typeof userId === "string")
      await wakeNext(userId, deps.log.child({ jobId: d.message.jobId }));
    return outcome;
  }

  async function handleRequest(d: Delivery<JobRequest>, stopping: AbortSignal): Promise<HandleOutcome> {
    if (await dropMalformed(d, queue)) return "malformed";
    const { jobId } = d.message;
    const log = deps.log.child({ jobId, delivery: d.id, receiveCount: d.receiveCount });
    const plans = deps.plans;
    const turn = plans ? await schedule(d, plans, log) : null;
    if (plans && !turn) return "deferred";
    const token = randomUUID();
    const claim = await jobs.claim(
      jobId,
      token,
      claimSeconds(deps.visibilitySeconds),
      plans && turn ? { maxRunningPerUser: plans.limits[turn.tier].maxRunningJobs } : undefined,
    );
    if (claim.outcome === "capped") {
      // Another slot started one of this user's jobs since schedule() looked: wait for a free one.
      await defer(d, CAP_DEFER_SECONDS);
      log.debug("job deferred", { reason: "running-jobs cap" });
      return "deferred";
    }
    if (claim.outcome === "missing" || claim.outcome === "finished") {
      log.info("nothing to do", { outcome: claim.outcome });
      if (claim.outcome === "finished") {
        // A worker killed between complete() and its publish leaves a finished job whose message
        // comes back: publish again, or its email (and archiving) is lost. The notifier and the
        // archiver are idempotent, so a second publish is harmless. (Found by bench/soak.ts.)
        const job = await jobs.get(jobId);
        if (job && (job.status === "COMPLETED" || job.status === "FAILED")) await publishFinished(job, job.status);
        await removeEarlierAttempts(jobId); // and its work folder, if it died before removing it
        // A split job's files and records, if it ended (failed, deleted) while none of its chunks ran.
        await chunkWorker?.discard(jobId, log);
      }
      await queue.ack(d);
      return "duplicate";
    }
    if (claim.outcome === "busy") {
      // First delivery while someone holds the job: a duplicate publish, and the holder's own
      // message covers a crash. A redelivery: the holder's claim is about to lapse; look again soon.
      if (d.receiveCount === 1) await queue.ack(d);
      else await queue.retry(d, { delaySeconds: 2, error: "job claimed by another worker" });
      log.info("job busy elsewhere", { requeued: d.receiveCount > 1 });
      return "busy";
    }
    const job = claim.job;
    const overQuota = plans && turn ? resultQuotaProblem(plans.limits, turn.tier, turn.usage.resultBytes, plans.archiveAfterSeconds) : null;
    if (overQuota) {
      await jobs.fail(job.id, token, overQuota);
      await publishFinished(job, "FAILED");
      await queue.ack(d);
      log.info("job refused: stored-results quota", { resultBytes: turn?.usage.resultBytes });
      return "failed";
    }
    // A job split already (this is a duplicate request, or its cutter died before acking): its
    // chunks are sent again where not done, and the claim let go of (the merger takes it).
    if (chunkWorker && (await chunkWorker.resume(job))) {
      await jobs.renewClaim(job.id, token, 0);
      await queue.ack(d);
      log.info("split job: chunks not done sent again");
      return "split";
    }
    log.info("job running", { attempt: job.attempts });
    const work = join(deps.workDir, `${job.id}-${token}`);
    // The engine names the input by its path here; what users see names only their file.
    const scrub = workPathScrubber(work);
    // An earlier attempt's claim has lapsed (its worker was killed, or lost the claim and aborts):
    // its work folder would be left forever, so the new claim holder removes it.
    if (job.attempts > 1) await removeEarlierAttempts(job.id);
    const run = new AbortController();
    const onStop = () => run.abort(new Error("shutting down"));
    stopping.addEventListener("abort", onStop, { once: true });
    let lost = false;
    // The engine reports often; the latest figures are written once a second for the job page.
    let progress: JobProgress | null = null;
    let reported: JobProgress | null = null;
    const report = setInterval(() => {
      if (!progress || progress === reported) return;
      reported = progress;
      jobs.reportProgress(job.id, token, progress).catch((err) => log.warn("progress report failed", { err }));
    }, 1000);
    const beat = setInterval(
      async () => {
        try {
          const kept =
            (await jobs.renewClaim(job.id, token, claimSeconds(deps.visibilitySeconds))) && (await queue.extend(d, deps.visibilitySeconds));
          if (!kept && !lost) {
            lost = true;
            clearInterval(beat);
            // The message went to another receiver (our lease on it lapsed: a starved event loop,
            // a database outage). Let go of the job's claim too: renewed above, it kept the job
            // 'busy' for that receiver until this run wound down, and each 'busy' is a delivery
            // counted towards the dead-letter queue (bench/soak.ts: a good job FAILED that way).
            await jobs.renewClaim(job.id, token, 0).catch(() => {});
            run.abort(new Error("claim lost"));
          }
        } catch (err) {
          log.warn("heartbeat failed", { err });
        }
      },
      Math.max(500, (deps.visibilitySeconds * 1000) / 3),
    );
    try {
      await mkdir(work, { recursive: true });
      const input = await inputs.get(job.inputKey);
      if (!input) {
        await jobs.fail(job.id, token, `The input file ${job.inputFileName} is no longer available; please upload it again.`);
        await publishFinished(job, "FAILED");
        await queue.ack(d);
        return "failed";
      }
      // Named as the user named it: the engine's log and messages mention the input's file name.
      const inputPath = join(work, basename(job.inputFileName));
      // The manifest's input checksum, taken as the copy streams in (no second read).
      const inputHash = new Bun.CryptoHasher("sha256");
      const hashed = input.stream().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            inputHash.update(chunk);
            controller.enqueue(chunk);
          },
        }),
      );
      const inputBytes = await Bun.write(inputPath, new Response(hashed));
      const inputSha256 = inputHash.digest("hex");
      // Large enough to split: chunks go to the fleet; the merger completes the job.
      const limits = plans && turn ? inputLimits(plans.limits, turn.tier) : undefined;
      const within = (records: number, plainBytes: number) =>
        !limits || ((!limits.maxRecords || records <= limits.maxRecords) && (!limits.maxInputBytes || plainBytes <= limits.maxInputBytes));
      if (splitter && (await splitter.cutAndQueue(job, inputPath, { bytes: inputBytes, sha256: inputSha256 }, work, within, token))) {
        await jobs.renewClaim(job.id, token, 0);
        await queue.ack(d);
        return "split";
      }
      // The VCF as BGZF: the engine writes its tabix index beside it (out.annot.vcf.gz.tbi) in the
      // same pass. No .annot.json (1.2 GB per 1M variants): JSON rows come from the store on demand.
      const out = {
        vcf: join(work, "out.annot.vcf.gz"),
        log: join(work, "out.vcf.count.log"),
        store: join(work, "out.results.sqlite"),
      };
      const summary = await deps.engine.annotate({
        input: inputPath,
        outputs: out,
        signal: run.signal,
        // The user's choices (job-settings.ts): which INFO fields, and VEP's transcript choice.
        fields: { ann: job.options.fields.includes("ann"), csq: job.options.fields.includes("csq"), pick: job.options.pick },
        // The plan's limits on what the file really holds, checked as it streams.
        limits: plans && turn ? inputLimits(plans.limits, turn.tier) : undefined,
        onProgress: (p) => {
          progress = { records: p.records, bytesRead: p.bytesRead, totalBytes: p.totalBytes };
        },
      });
      run.signal.throwIfAborted();
      const keys = resultKeys(job.userId, job.id, job.inputFileName);
      await results.put(keys.vcfGz, Bun.file(out.vcf));
      const index = Bun.file(`${out.vcf}.tbi`);
      const indexed = await index.exists();
      // No index when the records are unsorted or lie past 2^29 (tabix-index.ts): the VCF is
      // still complete; the job page then offers no .tbi.
      if (indexed) await results.put(keys.tbi, index);
      else log.warn("annotated VCF left without a tabix index (unsorted records, or positions past 2^29)");
      await results.put(keys.log, scrub.stream(Bun.file(out.log).stream()));
      // Its `engine` summary names the input by its file name only (results-store-writer.ts), so
      // there is no work path to scrub.
      await results.put(keys.store, Bun.file(out.store));
      const manifestKey = deps.reference ? keys.manifest : null;
      if (deps.reference) {
        const manifest = buildManifest({
          job,
          input: { bytes: inputBytes, sha256: inputSha256 },
          reference: await deps.reference(),
          engine: buildInfo,
          annotationSeconds: summary.seconds,
          counts: {
            records: summary.records,
            alleles: summary.alleles,
            known: summary.known,
            novel: summary.novel,
            skipped: summary.skipped,
          },
          finished: new Date(),
        });
        await results.put(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
      }
      const done = await jobs.complete(job.id, token, {
        resultKey: keys.vcfGz,
        logKey: keys.log,
        rowsKey: keys.store,
        manifestKey,
        // The plain size the job page shows beside the decompressed download.
        summary: {
          ...toSummary(summary, scrub.text),
          plainVcfBytes: await bgzfPlainSize(out.vcf),
          // What the stored-results quota counts (the log as written here; scrubbing changes it by a few bytes).
          storedBytes: [out.vcf, out.log, out.store].reduce((n, f) => n + Bun.file(f).size, indexed ? index.size : 0),
        },
      });
      if (!done) {
        log.warn("claim lost before completion; another worker owns the job");
        await queue.ack(d);
        return "lost";
      }
      await publishFinished(job, "COMPLETED");
      await queue.ack(d);
      log.info("job completed", { records: summary.records, seconds: summary.seconds });
      return "completed";
    } catch (err) {
      if (err instanceof AnnotationInputError) {
        // The user's file is the problem: retrying cannot help. The message is safe to show.
        const reason = scrub.text(err.message);
        await jobs.fail(job.id, token, reason);
        await publishFinished(job, "FAILED");
        await queue.ack(d);
        log.info("job failed on its input", { reason });
        return "failed";
      }
      if (lost) {
        log.warn("claim lost while running; another worker owns the job");
        return "lost";
      }
      // Infrastructure trouble or shutdown: let go of the claim and hand the message back.
      await jobs.renewClaim(job.id, token, 0).catch(() => {});
      const handingBack = stopping.aborted;
      await queue.retry(d, handingBack ? { delaySeconds: 0, error: "worker shut down" } : { error: String(err) });
      if (handingBack) log.info("job handed back on shutdown");
      else log.error("job attempt failed; will retry", { err });
      return handingBack ? "handed-back" : "retry";
    } finally {
      clearInterval(beat);
      clearInterval(report);
      stopping.removeEventListener("abort", onStop);
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Dead-letter handler: the job could not be processed in `maxAttempts` tries. */
  async function handleDeadLetter(delivery: Delivery<AnnotatorMessage>, deadLetters: Queue<AnnotatorMessage>): Promise<void> {
    // A chunk's dead letter fails its whole job, as a request's does: both carry the job id.
    const d = delivery as Delivery<JobRequest>;
    const dlq = deadLetters as Queue<JobRequest>;
    if (await dropMalformed(d, dlq)) return;
    const { jobId } = d.message;
    const reason = `The annotation could not be completed after ${deps.maxAttempts} attempts because of a problem on our side. Please submit the file again.`;
    // Fail the job only from a claim of our own: a worker holding a live claim is running it now,
    // and only its lease on the message lapsed that often (slow heartbeats on a loaded host, a
    // database outage), not its work. Failing it under that worker FAILED a job about to complete
    // and left its results beside the FAILED job (bench/soak.ts in CI, 2 of 200 at load 17). The
    // request goes back on the queue instead, so the crash of that worker is still covered.
    const token = randomUUID();
    const claim = await jobs.claim(jobId, token, claimSeconds(deps.visibilitySeconds));
    if (claim.outcome === "busy") {
      await queue.send(d.message as unknown as JobRequest);
      await dlq.ack(d);
      deps.log.warn("dead letter of a job a live worker holds: request sent again", { jobId });
      return;
    }
    if (claim.outcome === "claimed" && (await jobs.fail(jobId, token, reason))) {
      const job = await jobs.get(jobId);
      if (job) await publishFinished(job, "FAILED");
      deps.log.warn("job dead-lettered", { jobId });
    }
    // A split job's chunk files and records (the job is failed now, or was already).
    await chunkWorker?.discard(jobId, deps.log.child({ jobId }));
    await dlq.ack(d);
  }

  /**
   * At start: remove work folders of finished or unknown jobs. A worker killed after acking but
   * before its cleanup leaves one that no redelivery will find. Folders of jobs still PENDING or
   * RUNNING are left to their next claim holder (another live worker may be using them).
   */
  async function sweepWorkDir(): Promise<number> {
    let removed = 0;
    for (const f of await readdir(deps.workDir).catch(() => [] as string[])) {
      const job = await jobs.get(f.slice(0, 36)).catch(() => null);
      if (job && (job.status === "PENDING" || job.status === "RUNNING")) continue;
      await rm(join(deps.workDir, f), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  return { handle, handleDeadLetter, sweepWorkDir };
}
