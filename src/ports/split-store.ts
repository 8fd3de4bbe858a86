/**
 * The bookkeeping of a job split into chunks (issue 16 item 5; src/modules/jobs/split/ says how a
 * job is cut and merged). PostgreSQL tables locally, items in the DynamoDB jobs table on AWS. Every
 * state change is a conditional write, as in JobStore: a chunk is annotated under one claim at a
 * time (a lapsed claim is taken over: its annotator died), counts as done once, and a job's chunks
 * are merged under one claim, once.
 */

/** What the annotator that cut the input records when it queues the chunks. */
export interface SplitPlan {
  /** Number of chunks, numbered 0 … chunks - 1 in input order. */
  chunks: number;
  /** Input lines per chunk (the last may hold fewer): chunk n's line L is the input's line L + n × chunkLines. */
  chunkLines: number;
  /** Data lines (variants) of the whole input. */
  records: number;
  /** The input as uploaded: its size and SHA-256 (the job manifest names them). */
  inputBytes: number;
  inputSha256: string;
  /**
   * The claim token under which the annotator that cut the input held the job (it lets the claim
   * lapse once the chunks are queued): the merger renews that claim to complete the job, so the
   * job's attempts count its claims, not the split's steps. Absent: the merger claims the job.
   */
  jobToken?: string | null;
}

/** A split job as the job page and the merger see it. */
export interface SplitState extends SplitPlan {
  jobId: string;
  jobToken: string | null;
  startedAt: Date;
  /** Chunks done, and the data lines they held (progress: records done over time since startedAt). */
  done: number;
  recordsDone: number;
  /** When the merged results were recorded; null before. */
  mergedAt: Date | null;
}

/** A finished chunk: the claim token its outputs were written under, and its figures. */
export interface ChunkResult {
  token: string;
  records: number;
  seconds: number;
}

export interface ChunkState {
  n: number;
  /** Times the chunk was claimed (1 normally; more after its annotator died). */
  attempts: number;
  /** Null until the chunk is done. */
  result: ChunkResult | null;
}

export type ChunkClaim =
  | { outcome: "claimed"; attempts: number }
  /** Another annotator holds a live claim on the chunk. */
  | { outcome: "busy" }
  /** The chunk is done already: nothing to annotate. */
  | { outcome: "done" }
  /** No such split or chunk. */
  | { outcome: "missing" };

export type MergeClaim = "claimed" | "busy" | "merged" | "waiting" | "missing";

export interface SplitStore {
  /**
   * Record the split and its chunks (none done) if the job has none yet. Idempotent: a second call
   * (the cutting annotator died and the request came back) returns the split as it stands and
   * changes nothing.
   */
  begin(jobId: string, plan: SplitPlan): Promise<SplitState>;
  /** The split with its progress, or null when the job was not split. */
  get(jobId: string): Promise<SplitState | null>;
  /** Every chunk of the split, in order ([] when none). */
  chunks(jobId: string): Promise<ChunkState[]>;
  /** Claim chunk `n` for `leaseSeconds`: a lapsed claim is taken over, a done chunk never. */
  claimChunk(jobId: string, n: number, token: string, leaseSeconds: number): Promise<ChunkClaim>;
  /** Extend a live chunk claim. False when it was lost (lapsed and taken over, or done). */
  renewChunk(jobId: string, n: number, token: string, leaseSeconds: number): Promise<boolean>;
  /**
   * The chunk held by `token` is done with `result` (its outputs already stored under the token).
   * Returns the split's chunk count and how many are done now; null when the claim was lost.
   * Idempotent: a second call with the same token returns the counts again.
   */
  finishChunk(
    jobId: string,
    n: number,
    token: string,
    result: Omit<ChunkResult, "token">,
  ): Promise<{ done: number; chunks: number } | null>;
  /**
   * Claim the merge of a split whose chunks are all done: `waiting` while some are not, `busy`
   * while another merger's lease lasts, `merged` once finishMerge was recorded.
   */
  claimMerge(jobId: string, token: string, leaseSeconds: number): Promise<MergeClaim>;
  /** Extend a live merge claim. False when it was lost. */
  renewMerge(jobId: string, token: string, leaseSeconds: number): Promise<boolean>;
  /** The merge held by `token` is recorded. False when the claim was lost. */
  finishMerge(jobId: string, token: string): Promise<boolean>;
  /**
   * Remove the split's records (a merged, failed or deleted split: nothing reads them any more).
   * Idempotent.
   */
  delete(jobId: string): Promise<void>;
}
