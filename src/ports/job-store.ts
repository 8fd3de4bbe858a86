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
}

export interface Job {
  id: string;
  userId: string;
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
}

export type NewJob = Pick<Job, "id" | "userId" | "inputFileName" | "inputKey" | "submitTime">;

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
  /** A user's jobs, newest first. */
  listByUser(userId: string, opts?: { limit?: number }): Promise<Job[]>;
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
   * How many jobs are in each status now (every status present, 0 when none), for /metrics.
   * Cost differs per adapter: one GROUP BY on PostgreSQL, a full-table Scan on DynamoDB, so
   * callers refresh it at most once in a while (src/metrics/cluster-gauges.ts caches it).
   */
  countByStatus(): Promise<Record<JobStatus, number>>;
}

/** Every job status, in lifecycle order. */
export const JOB_STATUSES = ["PENDING", "RUNNING", "COMPLETED", "FAILED"] as const satisfies readonly JobStatus[];
