/**
 * Persistent job records (DynamoDB on AWS, PostgreSQL locally). Every state change is a
 * conditional write, so a job is claimed by one worker at a time and finishes once.
 */
import type { TopicMessages } from "./queue.ts";

export type JobStatus = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED";
export type ResultState = "AVAILABLE" | "ARCHIVED" | "RESTORING";

/** The engine's figures for a finished job (what the count log says, as data). */
export interface JobSummary {
  records: number;
  alleles: number;
  known: number;
  novel: number;
  skipped: number;
  byMostSevere: Record<string, number>;
  byConsequence: Record<string, number>;
  byImpact: Record<string, number>;
  /** The first warnings (capped); `warningsTotal` counts them all. */
  warnings: string[];
  warningsTotal: number;
  seconds: number;
  variantsPerSecond: number;
  /**
   * Bytes of the annotated VCF as plain text: it is stored as BGZF and offered decompressed, and
   * the job page shows that size. Absent on jobs from before (they stored the plain file).
   */
  plainVcfBytes?: number;
  /**
   * Bytes this job's results occupy in the results store (VCF, index, log, results store): what
   * a user's stored-results quota counts. Absent on jobs from before (counted as 0).
   */
  storedBytes?: number;
}

/** The annotator's latest progress report for a RUNNING job (the engine's own figures). */
export interface JobProgress {
  records: number;
  bytesRead: number;
  totalBytes: number;
  /**
   * A job split across the annotators (SplitStore): chunks done of all, and the speed so far
   * (variants of the chunks done over the time since the split). `bytesRead`/`totalBytes` then
   * count chunks, so a progress bar reads the same either way. Absent for a job annotated whole.
   */
  split?: { done: number; chunks: number; variantsPerSecond: number };
}

/**
 * How the engine chooses among a variant's transcripts (VEP's options, `gas annotate --pick` …):
 * `none` writes every effect.
 */
export type JobPick = "none" | "pick" | "pick-allele" | "per-gene" | "flag-pick" | "most-severe";
export const JOB_PICKS = ["none", "pick", "pick-allele", "per-gene", "flag-pick", "most-severe"] as const satisfies readonly JobPick[];
export type JobField = "ann" | "csq";

/** The annotation options a job runs with (the engine's `fields`), chosen at submit and kept for "Run again". */
export interface JobOptions {
  pick: JobPick;
  /** The INFO fields written: SnpEff's ANN, VEP's CSQ, or both (the engine's default). */
  fields: JobField[];
}

/** What a job with no recorded options ran with: every effect, both fields (the engine's defaults). */
export const DEFAULT_JOB_OPTIONS: Readonly<JobOptions> = { pick: "none", fields: ["ann", "csq"] };

export interface Job {
  id: string;
  userId: string;
  /** What the user calls the job (the input's file name unless they named it). */
  name: string;
  /** The user's free-text note, or null. */
  note: string | null;
  options: JobOptions;
  inputFileName: string;
  inputKey: string;
  status: JobStatus;
  submitTime: Date;
  startTime: Date | null;
  completeTime: Date | null;
  /** Times the job was claimed (1 normally; more after a crash). */
  attempts: number;
  resultKey: string | null;
  logKey: string | null;
  rowsKey: string | null;
  resultState: ResultState | null;
  /** The ArchiveVault's id while the result is ARCHIVED or RESTORING; null otherwise. */
  archiveId: string | null;
  failureReason: string | null;
  summary: JobSummary | null;
  /** Latest progress while RUNNING; null before the first report. */
  progress: JobProgress | null;
  /**
   * The job manifest (input checksum, reference, engine, options, timings) in the results store,
   * written when the job completes; null before, and for jobs from before manifests.
   */
  manifestKey: string | null;
  /**
   * When its owner deleted the job (JobStore.markDeleted): the job is then gone for every reader
   * but the worker removing its files and record; null for a live job.
   */
  deletedAt: Date | null;
}

/** A job to create; `name` defaults to the file name, `note` to none, `options` to DEFAULT_JOB_OPTIONS. */
export type NewJob = Pick<Job, "id" | "userId" | "inputFileName" | "inputKey" | "submitTime"> &
  Partial<Pick<Job, "name" | "note" | "options">>;

export type ClaimResult =
  | { outcome: "claimed"; job: Job }
  /** Another worker holds a live claim. */
  | { outcome: "busy" }
  /** The job's owner already has `maxRunningPerUser` jobs with live claims: nothing changed. */
  | { outcome: "capped" }
  /** COMPLETED or FAILED already: nothing to do. */
  | { outcome: "finished"; job: Job }
  | { outcome: "missing" };

export interface ClaimOptions {
  /**
   * Claim only while the job's owner has fewer RUNNING jobs with live claims (the per-user
   * concurrency cap). PostgreSQL decides under a per-user lock, so concurrent claims never pass
   * the cap. DynamoDB counts through the user index (see `usage`): claims racing within its lag
   * may pass it by one, briefly: a soft cap there.
   */
  maxRunningPerUser?: number;
}

/** Where a COMPLETED job's result is: its lifecycle state and, when in the vault, the archive id. */
export interface ResultLocation {
  state: ResultState;
  archiveId: string | null;
}

export interface CompletedFields {
  resultKey: string;
  logKey: string;
  rowsKey: string | null;
  summary: JobSummary;
  /** Where the job manifest was stored (absent: none). */
  manifestKey?: string | null;
}

/** One user's jobs as a scheduler and a quota see them (JobStore.usage). */
export interface UserUsage {
  /** RUNNING jobs whose claim is live (a lapsed claim's worker is gone and counts for nothing). */
  running: number;
  /** Jobs whose first start is later than `startedAfter` (0 without it). */
  startedAfter: number;
  /**
   * `summary.storedBytes` summed over COMPLETED jobs whose result is in hot storage (AVAILABLE or
   * RESTORING): an ARCHIVED result has left the results store for the vault.
   */
  resultBytes: number;
  /**
   * The user's PENDING job submitted first (its id), null when none: when one of their jobs ends,
   * the annotator sends its request again at once, so a capped user's backlog flows job after job
   * instead of waiting for the deferred requests to come back (annotation-worker.ts).
   */
  oldestPending: string | null;
  /**
   * Another user has a PENDING job. Without one, fair turns have nobody to give way to: a user's
   * request is not sent back to the queue's tail, so a lone user's backlog runs at full speed.
   */
  othersPending: boolean;
}

/**
 * Where a page of a user's jobs ended: the last job's submit time and id. The next page starts
 * strictly after it in (submitTime, id) descending order (keyset pagination: each page costs the
 * same however deep, and jobs submitted meanwhile do not shift the pages).
 */
export interface JobCursor {
  submitTime: Date;
  id: string;
}

/** One page of a user's jobs (JobStore.pageByUser). */
export interface JobPage {
  jobs: Job[];
  /** Pass as `after` for the next page; null when this page is the last. */
  next: JobCursor | null;
}

/** The `job.requested` message that tells the annotators about a new job. */
export interface JobAnnouncement {
  topic: "job.requested";
  message: TopicMessages["job.requested"];
}

export interface JobStore {
  /** Insert a PENDING job; false (and no change) when the id already exists. */
  create(job: NewJob): Promise<boolean>;
  /**
   * Optional: `create`, and publish `announce` if and only if the job was inserted, as one atomic
   * step (a transactional outbox: one statement when the queue lives in the same PostgreSQL), so
   * no crash can leave a PENDING job nobody was told about, and a submit costs one round trip.
   * Stores that cannot leave it out; callers then `create` and publish themselves.
   */
  createAndAnnounce?(job: NewJob, announce: JobAnnouncement): Promise<boolean>;
  get(id: string): Promise<Job | null>;
  /** A user's newest jobs, newest first, at most `limit` (1,000 by default): see pageByUser for all. */
  listByUser(userId: string, opts?: { limit?: number }): Promise<Job[]>;
  /**
   * One page of a user's jobs, newest first: at most `limit`, all older than `after` (the first
   * page without it). Follow `next` until it is null to read every job of the user, however many.
   * Jobs sharing a submit time to the millisecond are ordered by id on PostgreSQL; on DynamoDB in
   * the index's order, which `next` follows, so no job is skipped or repeated either way.
   */
  pageByUser(userId: string, opts: { limit: number; after?: JobCursor | null }): Promise<JobPage>;
  /**
   * PENDING → RUNNING, or take over a RUNNING job whose claim lapsed (its worker died).
   * `token` identifies this attempt; only its holder can renew or finish the job.
   */
  claim(id: string, token: string, leaseSeconds: number, opts?: ClaimOptions): Promise<ClaimResult>;
  /** Extend a live claim. False when the claim was lost. */
  renewClaim(id: string, token: string, leaseSeconds: number): Promise<boolean>;
  /** Record progress while the claim held by `token` lasts. False when the claim was lost. */
  reportProgress(id: string, token: string, progress: JobProgress): Promise<boolean>;
  /** RUNNING (held by `token`) → COMPLETED with results. False when the claim was lost. */
  complete(id: string, token: string, fields: CompletedFields): Promise<boolean>;
  /**
   * → FAILED with a reason the user can read. With a token: only while that claim holds.
   * Without (dead-letter handling, bad uploads): from PENDING or RUNNING.
   */
  fail(id: string, token: string | null, reason: string): Promise<boolean>;
  /**
   * One step of the result lifecycle (AVAILABLE → ARCHIVED → RESTORING → AVAILABLE), as a
   * conditional write: applied only when the job is COMPLETED and its result is exactly at `from`
   * (state and archive id). False, and no change, otherwise.
   */
  moveResult(id: string, from: ResultLocation, to: ResultLocation): Promise<boolean>;
  /**
   * Point a COMPLETED job's rows at another object (an old job's `.annot.json`, or none, replaced
   * by the results store converted from it), as a conditional write: applied only when the job is
   * COMPLETED and its rowsKey is exactly `from` (null: none). False, and no change, otherwise, so
   * of two web processes converting the same job at once one records its store.
   */
  setRowsKey(id: string, from: string | null, to: string): Promise<boolean>;
  /**
   * One user's running jobs, recent starts and stored result bytes, read together. PostgreSQL
   * reads its own writes; DynamoDB reads a global secondary index, whose copy lags writes by
   * well under a second normally, so two workers deciding in that window may both start a job
   * (a cap is then exceeded by one, briefly). Cost grows with the user's number of jobs: one
   * aggregate over the user's index on PostgreSQL, a Query of the user index on DynamoDB.
   */
  usage(userId: string, opts?: { startedAfter?: Date }): Promise<UserUsage>;
  /**
   * Mark the job deleted (a tombstone, kept until `delete` removes the record): from now on
   * `listByUser`, `pageByUser` and `usage` leave it out; `get` still returns it, with `deletedAt`,
   * for the worker that deletes its files. Idempotent: a second mark keeps the first time. Returns
   * the job as marked, or null (and no record created) when there is none.
   */
  markDeleted(id: string): Promise<Job | null>;
  /**
   * Remove the job's record. Idempotent: true when a record was removed, false when there was
   * none. Its objects (input, results, archive) are the caller's to delete first: a record is the
   * only place their keys are kept.
   */
  delete(id: string): Promise<boolean>;
  /**
   * How many jobs are in each status now (every status present, 0 when none), for /metrics.
   * One GROUP BY on PostgreSQL; on DynamoDB a few reads of counter items that each status change
   * updates (constant cost, however big the table). Callers still refresh it at most once in a
   * while (src/metrics/cluster-gauges.ts caches it).
   */
  countByStatus(): Promise<Record<JobStatus, number>>;
}

/** Every job status, in lifecycle order. */
export const JOB_STATUSES = ["PENDING", "RUNNING", "COMPLETED", "FAILED"] as const satisfies readonly JobStatus[];

/**
 * Every job of a user, newest first, read a page at a time through `pageByUser` (so a user with
 * more jobs than any one read holds is still read whole, with bounded memory per page).
 */
export async function* eachJobOfUser(store: Pick<JobStore, "pageByUser">, userId: string, pageSize = 500): AsyncGenerator<Job> {
  let after: JobCursor | null = null;
  do {
    const page: JobPage = await store.pageByUser(userId, { limit: pageSize, after });
    yield* page.jobs;
    after = page.next;
  } while (after);
}
