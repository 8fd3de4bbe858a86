/**
 * The DynamoDB job item, spelled as the original's (reference §2.1) so its tools and queries keep
 * working: `job_id`, `user_id`, `input_file_name`, `s3_key_input_file`, `submit_time` and
 * `complete_time` in epoch seconds (with milliseconds as decimals, where the original had whole
 * seconds), `job_status`, `s3_key_result_file`, `s3_key_log_file`. Our additions use the same
 * snake_case style.
 */
import {
  DEFAULT_JOB_OPTIONS,
  type Job,
  type JobOptions,
  type JobProgress,
  type JobStatus,
  type JobSummary,
  type NewJob,
  type ResultState,
} from "../../ports/job-store.ts";

export interface JobItem {
  job_id: string;
  user_id: string;
  input_file_name: string;
  /** The user's name for the job (absent on items from before names: the file name). */
  job_name?: string;
  job_note?: string;
  job_options?: JobOptions;
  s3_key_manifest_file?: string;
  s3_key_input_file: string;
  s3_inputs_bucket?: string;
  s3_results_bucket?: string;
  submit_time: number;
  job_status: JobStatus;
  start_time?: number;
  complete_time?: number;
  attempts?: number;
  claim_token?: string;
  /** Epoch milliseconds; the claim lapses after this. */
  claim_expires_at?: number;
  s3_key_result_file?: string;
  s3_key_log_file?: string;
  s3_key_rows_file?: string;
  result_state?: ResultState;
  /** The vault's archive id while ARCHIVED or RESTORING (the original's name: present = archived). */
  results_file_archive_id?: string;
  failure_reason?: string;
  summary?: JobSummary;
  progress?: JobProgress;
  /** Epoch seconds: deleted by its owner, hidden until the archiver removes the item (JobStore.markDeleted). */
  deleted_at?: number;
}

/** Epoch seconds with millisecond decimals. */
export const toEpochSeconds = (d: Date) => d.getTime() / 1000;
const fromEpochSeconds = (n: number | undefined) => (n === undefined ? null : new Date(Math.round(n * 1000)));

/** A new PENDING item. */
export function newJobItem(job: NewJob, buckets?: { inputs: string; results: string }): JobItem {
  return {
    job_id: job.id,
    user_id: job.userId,
    input_file_name: job.inputFileName,
    job_name: job.name ?? job.inputFileName,
    ...(job.note ? { job_note: job.note } : {}),
    job_options: job.options ?? { ...DEFAULT_JOB_OPTIONS },
    s3_key_input_file: job.inputKey,
    ...(buckets ? { s3_inputs_bucket: buckets.inputs, s3_results_bucket: buckets.results } : {}),
    submit_time: toEpochSeconds(job.submitTime),
    job_status: "PENDING",
    attempts: 0,
  };
}

/** The port's Job from an item. */
export function toJob(i: JobItem): Job {
  return {
    id: i.job_id,
    userId: i.user_id,
    name: i.job_name ?? i.input_file_name,
    note: i.job_note ?? null,
    options: i.job_options ?? { ...DEFAULT_JOB_OPTIONS },
    inputFileName: i.input_file_name,
    inputKey: i.s3_key_input_file,
    status: i.job_status,
    submitTime: fromEpochSeconds(i.submit_time)!,
    startTime: fromEpochSeconds(i.start_time),
    completeTime: fromEpochSeconds(i.complete_time),
    attempts: Number(i.attempts ?? 0),
    resultKey: i.s3_key_result_file ?? null,
    logKey: i.s3_key_log_file ?? null,
    rowsKey: i.s3_key_rows_file ?? null,
    resultState: i.result_state ?? null,
    archiveId: i.results_file_archive_id ?? null,
    failureReason: i.failure_reason ?? null,
    summary: i.summary ?? null,
    progress: i.progress ?? null,
    manifestKey: i.s3_key_manifest_file ?? null,
    deletedAt: fromEpochSeconds(i.deleted_at),
  };
}
