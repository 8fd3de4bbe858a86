/**
 * The archiver role's use cases, one per queue. Every step is safe under at-least-once delivery
 * and under a crash between any two writes:
 *
 * - job.completed (free user) → publish `job.archive` delayed until complete_time + ARCHIVE_AFTER.
 * - job.archive (due) → re-read the tier (premium: nothing to do); pack the result files (bundleKeysOf), put them in
 *   the vault under the job id (same ref → same archive, so a retry never leaves a second one),
 *   AVAILABLE → ARCHIVED with the archive id, re-read the tier (an upgrade that raced us is
 *   undone while the hot copy is intact, else a thaw is requested), then delete the hot copy.
 *   A retry after a crash finds ARCHIVED and finishes that last step.
 * - job.thaw → ARCHIVED → RESTORING, start the vault restore (idempotent).
 * - archive.restored → copy the bytes back unless already there, delete the archive, publish
 *   `result.restored` (the notifier emails the owner once), RESTORING → AVAILABLE. The publish
 *   goes before the state change so that a crash in between is repaired by the redelivery (still
 *   RESTORING) and a stray announcement for an AVAILABLE job can never send one. A failing mailer
 *   no longer holds the result in RESTORING: the notifier retries the email on its own queue.
 * - job.delete (the owner deleted the job; see jobs/job-deletion.ts) → mark it deleted and FAILED
 *   if unfinished (the web role did both; a crash may have left them), delete its result files,
 *   input and archive, then its record. Every step is idempotent, so a redelivery repeats them
 *   harmlessly; a message for a job already gone does nothing. The other handlers leave deleted
 *   jobs alone.
 */
import type { ArchiveVault } from "../../ports/archive-vault.ts";
import type { Job, JobStore } from "../../ports/job-store.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import type { Topic, TopicMessages } from "../../ports/queue.ts";
import type { Logger } from "../../shared/logger.ts";
import type { AccountsService } from "../accounts/index.ts";
import { DELETED_REASON, resultObjectKeys } from "../jobs/job-deletion.ts";
import { indexKeyOf, isBgzfResult, resultKeys } from "../jobs/job-keys.ts";
import { packResult, unpackResult } from "./result-bundle.ts";

export interface ArchiverDeps {
  jobs: JobStore;
  results: ObjectStore;
  /** Inputs: a deleted job's is deleted here (the web role may not delete objects). */
  inputs: Pick<ObjectStore, "delete">;
  vault: ArchiveVault;
  topic: Topic;
  accounts: AccountsService;
  archiveAfterSeconds: number;
  /** How long after starting a restore (and then again) to look whether it finished. */
  restoreCheckSeconds: number;
  /**
   * How long an annotator that was running a job when it was deleted may still store results
   * (its claim lease): the record, which names them, is removed only after a second pass then.
   */
  deleteSettleSeconds: number;
  log: Logger;
}

/** What a handler did; `retryInSeconds` asks for the message again later. */
export interface StepResult {
  outcome: string;
  retryInSeconds?: number;
}

const AVAILABLE = { state: "AVAILABLE" as const, archiveId: null };
const archivedAs = (archiveId: string) => ({ state: "ARCHIVED" as const, archiveId });
const restoringAs = (archiveId: string) => ({ state: "RESTORING" as const, archiveId });
/**
 * The result files that go to the vault (never the log, which stays readable). Required: the
 * annotated VCF and the browser's rows (the results store; an old job's .annot.json). Optional,
 * bundled when present: the VCF's tabix index (absent when the engine could not index the
 * records) and, for a job whose rowsKey is still its .annot.json, a results store written beside
 * it (jobs between the store's arrival and its recording on the job). Old bundles, made of the
 * required files only, restore as before.
 */
export function bundleKeysOf(job: Job): { required: string[]; optional: string[] } {
  const required = [job.resultKey, job.rowsKey].filter((k): k is string => !!k);
  const optional: string[] = [];
  if (job.resultKey && isBgzfResult(job.resultKey)) optional.push(indexKeyOf(job.resultKey));
  const store = resultKeys(job.userId, job.id, job.inputFileName).store;
  if (!required.includes(store)) optional.push(store);
  return { required, optional };
}
const resultKeysOf = (job: Job) => bundleKeysOf(job).required;

/** Create the archiver's handlers. */
export function createArchiver(deps: ArchiverDeps) {
  const { jobs, results, inputs, vault, topic, accounts } = deps;
  const afterMs = deps.archiveAfterSeconds * 1000;
  const isPremium = async (userId: string) => (await accounts.get(userId))?.tier === "premium";
  const hotCopyIntact = async (job: Job) => (await Promise.all(resultKeysOf(job).map((k) => results.head(k)))).every(Boolean);

  /** job.completed: schedule the archive of a free user's result. */
  async function onJobCompleted(m: TopicMessages["job.completed"]): Promise<StepResult> {
    if (m.status !== "COMPLETED") return { outcome: "not-completed" };
    const user = await accounts.get(m.userId);
    if (!user) return { outcome: "no-user" };
    if (user.tier === "premium") return { outcome: "premium" };
    const delaySeconds = Math.max(0, Math.ceil((Date.parse(m.completeTime) + afterMs - Date.now()) / 1000));
    await topic.publish("job.archive", { jobId: m.jobId, userId: m.userId }, { delaySeconds });
    deps.log.info("archive scheduled", { jobId: m.jobId, delaySeconds });
    return { outcome: "scheduled" };
  }

  /** After AVAILABLE → ARCHIVED: re-check the tier, then remove the hot copy. */
  async function settleArchived(job: Job & { archiveId: string }): Promise<StepResult> {
    const log = deps.log.child({ jobId: job.id, archiveId: job.archiveId });
    if (await isPremium(job.userId)) {
      // The owner upgraded while we archived; their upgrade may not have seen this job archived.
      if ((await hotCopyIntact(job)) && (await jobs.moveResult(job.id, archivedAs(job.archiveId), AVAILABLE))) {
        await vault.delete(job.archiveId);
        log.info("owner upgraded during the archive; result left in place");
        return { outcome: "upgrade-undone" };
      }
      await topic.publish("job.thaw", { jobId: job.id, userId: job.userId });
      log.info("owner upgraded during the archive; restore requested");
      return { outcome: "thaw-requested" };
    }
    const { required, optional } = bundleKeysOf(job);
    for (const key of [...required, ...optional]) await results.delete(key); // idempotent if absent
    log.info("result archived", { keys: required });
    return { outcome: "archived" };
  }

  /** job.archive: the retention period is over. */
  async function onArchiveDue(m: TopicMessages["job.archive"]): Promise<StepResult> {
    let job = await jobs.get(m.jobId);
    if (!job || job.deletedAt || job.status !== "COMPLETED" || !job.resultKey) return { outcome: "no-result" };
    if (job.resultState === "AVAILABLE") {
      const dueIn = (job.completeTime?.getTime() ?? 0) + afterMs - Date.now();
      if (dueIn > 1000) {
        await topic.publish("job.archive", m, { delaySeconds: Math.ceil(dueIn / 1000) }); // early (clock skew, replay)
        return { outcome: "early" };
      }
      if (await isPremium(job.userId)) return { outcome: "premium" };
      if (!(await hotCopyIntact(job))) {
        deps.log.error("result files missing; cannot archive", { jobId: job.id });
        return { outcome: "missing-result" };
      }
      const { required, optional } = bundleKeysOf(job);
      const archiveId = await vault.archive(job.id, await packResult(results, required, optional));
      if (!(await jobs.moveResult(job.id, AVAILABLE, archivedAs(archiveId)))) {
        job = await jobs.get(job.id);
        if (!job || job.deletedAt) {
          await vault.delete(archiveId); // deleted while we archived: nothing may name this archive
          return { outcome: "deleted" };
        }
        if (job.resultState !== "ARCHIVED" || job.archiveId !== archiveId) return { outcome: "raced" };
      }
      job = { ...job, resultState: "ARCHIVED", archiveId };
    }
    if (job.resultState === "ARCHIVED" && job.archiveId) return settleArchived({ ...job, archiveId: job.archiveId });
    return { outcome: "not-available" };
  }

  /** The restore is readable: copy back, delete the archive, announce it (the email), AVAILABLE. */
  async function finishRestore(job: Job & { archiveId: string }): Promise<StepResult> {
    const log = deps.log.child({ jobId: job.id, archiveId: job.archiveId });
    if (!(await hotCopyIntact(job))) {
      const bytes = await vault.readRestored(job.archiveId);
      if (!bytes) return { outcome: "not-ready", retryInSeconds: 5 };
      const { required, optional } = bundleKeysOf(job);
      await unpackResult(results, bytes, required, optional);
    }
    // Archive deleted before the id is cleared: a crash in between is finished by the next
    // delivery (the hot copy is back, the delete is idempotent), and no archive is left behind.
    await vault.delete(job.archiveId);
    await topic.publish("result.restored", { jobId: job.id, userId: job.userId, archiveId: job.archiveId });
    await jobs.moveResult(job.id, restoringAs(job.archiveId), AVAILABLE);
    log.info("result restored");
    return { outcome: "restored" };
  }

  /** job.thaw: start restoring one archived result. */
  async function onThaw(m: TopicMessages["job.thaw"]): Promise<StepResult> {
    let job = await jobs.get(m.jobId);
    if (!job || job.userId !== m.userId || job.deletedAt) return { outcome: "no-job" };
    if (job.resultState === "ARCHIVED" && job.archiveId) {
      if (!(await jobs.moveResult(job.id, archivedAs(job.archiveId), restoringAs(job.archiveId)))) job = await jobs.get(job.id);
      else job = { ...job, resultState: "RESTORING" };
    }
    if (!job || job.resultState !== "RESTORING" || !job.archiveId) {
      deps.log.info("thaw request for a result that is not archived", { jobId: m.jobId, state: job?.resultState ?? null });
      return { outcome: "not-archived" };
    }
    const restoring = { ...job, archiveId: job.archiveId };
    const status = await vault.startRestore(restoring.archiveId, job.id);
    if (status === "ready") return finishRestore(restoring);
    if (status === "missing") {
      // A restore that crashed after deleting the archive: the hot copy is back, finish it.
      if (await hotCopyIntact(restoring)) return finishRestore(restoring);
      deps.log.error("archive missing and no hot copy; the result is lost", { jobId: job.id, archiveId: restoring.archiveId });
      return { outcome: "lost" };
    }
    // A restore can end without a word reaching us: the announcement dead-lettered, or the
    // storage's retrieval job failed (Glacier jobs can). One chain of delayed re-checks per
    // restore looks again until the result is back: startRestore then says ready (finish it
    // here) or starts a new retrieval. A duplicate thaw finding one in progress starts no chain.
    if (status === "started" || m.check !== undefined) {
      const check = (m.check ?? 0) + 1;
      await topic.publish("job.thaw", { jobId: job.id, userId: job.userId, check }, { delaySeconds: deps.restoreCheckSeconds });
    }
    deps.log.info("restore requested", { jobId: job.id, status, check: m.check ?? 0 });
    return { outcome: `restore-${status}` };
  }

  /** archive.restored: the vault announced one or more finished restores. */
  async function onRestored(message: unknown): Promise<StepResult> {
    const done = vault.readRestoreNotice(message);
    if (done.length === 0) return { outcome: "not-a-restore" };
    const outcomes: string[] = [];
    for (const { archiveId, ref } of done) {
      const job = await jobs.get(ref);
      if (job?.deletedAt) outcomes.push("deleted");
      else if (job?.resultState === "RESTORING" && job.archiveId === archiveId) {
        const r = await finishRestore({ ...job, archiveId });
        if (r.retryInSeconds !== undefined) return r;
        outcomes.push(r.outcome);
      } else outcomes.push(job?.resultState === "AVAILABLE" ? "already-restored" : "stale");
    }
    return { outcome: outcomes.join(",") };
  }

  /** job.delete: remove a deleted job's files, input, archive and, last, its record. */
  async function onJobDelete(m: TopicMessages["job.delete"]): Promise<StepResult> {
    const log = deps.log.child({ jobId: m.jobId });
    let job = await jobs.get(m.jobId);
    if (!job) return { outcome: "gone" };
    if (job.userId !== m.userId) {
      log.warn("job.delete names another owner; ignored", { userId: m.userId });
      return { outcome: "not-owner" };
    }
    if (job.status === "PENDING" || job.status === "RUNNING") await jobs.fail(job.id, null, DELETED_REASON);
    job = (await jobs.markDeleted(job.id)) ?? job;
    await Promise.all(resultObjectKeys(job).map((k) => results.delete(k)));
    await inputs.delete(job.inputKey);
    if (job.archiveId) await vault.delete(job.archiveId);
    // An annotator running the job when it was failed stops at its next claim check, but one
    // already storing its results finishes the uploads first: look again once its lease is over.
    const stoppedAt = job.failureReason === DELETED_REASON && job.startTime ? (job.completeTime?.getTime() ?? 0) : 0;
    const settleMs = stoppedAt + deps.deleteSettleSeconds * 1000 - Date.now();
    if (settleMs > 0) {
      log.info("deleted job's files removed; its record waits for the worker that ran it", { seconds: Math.ceil(settleMs / 1000) });
      return { outcome: "settling", retryInSeconds: Math.ceil(settleMs / 1000) };
    }
    // An archive made while this ran (onArchiveDue read the job before the mark) is named on the
    // record only now.
    const last = await jobs.get(job.id);
    if (last?.archiveId && last.archiveId !== job.archiveId) await vault.delete(last.archiveId);
    await jobs.delete(job.id);
    log.info("deleted job removed");
    return { outcome: "deleted" };
  }

  return { onJobCompleted, onArchiveDue, onThaw, onRestored, onJobDelete };
}

export type Archiver = ReturnType<typeof createArchiver>;
