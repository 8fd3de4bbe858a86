/**
 * Topics and queues (SNS → SQS on AWS, a PostgreSQL table locally). Delivery is at least once:
 * a received message is hidden for a lease (visibility timeout); if it is not acked in time it is
 * delivered again; after `maxAttempts` deliveries it moves to the queue's dead-letter queue.
 */

/** Topic names and the payloads published on them. */
export interface TopicMessages {
  "job.requested": {
    jobId: string;
    userId: string;
    inputKey: string;
    inputFileName: string;
    submitTime: string;
    /**
     * When an annotator last sent the request back to the queue's tail to give other users their
     * turn (fair scheduling, annotation-worker.ts); absent: never, the submit time counts.
     */
    queuedAt?: string;
  };
  "job.completed": { jobId: string; userId: string; status: "COMPLETED" | "FAILED"; completeTime: string };
  /** A free user's result is due for the vault (published with a delay of ARCHIVE_AFTER). */
  "job.archive": { jobId: string; userId: string };
  /**
   * Restore one archived result (published per archived job when its owner upgrades). `check`
   * counts the archiver's own delayed re-checks of a running restore (absent on the first request).
   */
  "job.thaw": { jobId: string; userId: string; check?: number };
  /**
   * An ArchiveVault restore finished. The local vault publishes `{ archiveId, ref }`; on AWS the
   * storage service publishes its own notification here, which the vault adapter decodes
   * (`ArchiveVault.readRestoreNotice`), so consumers treat the payload as opaque.
   */
  "archive.restored": unknown;
  /**
   * A restored result is downloadable again (published by the archiver before the job's result
   * goes RESTORING → AVAILABLE): the notifier emails its owner, once per archive.
   */
  "result.restored": { jobId: string; userId: string; archiveId: string };
  /**
   * The owner deleted the job (the web role marked it deleted): the archiver removes its input,
   * result files, archive and record. Only the web role publishes it, for the job's owner.
   */
  "job.delete": { jobId: string; userId: string };
}
export type TopicName = keyof TopicMessages;

export interface Topic {
  /** Deliver `message` to every queue subscribed to `topic`, optionally after a delay. */
  publish<T extends TopicName>(topic: T, message: TopicMessages[T], opts?: { delaySeconds?: number }): Promise<void>;
}

export interface Delivery<M = unknown> {
  id: string;
  message: M;
  /** 1 on first delivery. */
  receiveCount: number;
  /** Changes on every delivery: ack/extend/retry with an old receipt do nothing. */
  receipt: string;
}

export interface ReceiveOptions {
  max?: number;
  /** Long poll: wait up to this long for a message (0 = return at once). */
  waitSeconds?: number;
  signal?: AbortSignal;
}

/** A queue's messages by state. SQS's figures are approximate (they lag by up to a minute). */
export interface QueueCounts {
  /** Waiting to be received now: the backlog (SQS ApproximateNumberOfMessages). */
  visible: number;
  /** Received and leased, not yet acked (SQS ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
  /** Not visible yet because of a delay or a retry's backoff (SQS: delays only; a retry is in flight). */
  delayed: number;
}

export interface Queue<M = unknown> {
  readonly name: string;
  send(message: M, opts?: { delaySeconds?: number }): Promise<void>;
  /** Lease up to `max` visible messages; [] when none arrived within `waitSeconds`. */
  receive(opts?: ReceiveOptions): Promise<Delivery<M>[]>;
  /** Done: delete the message. False when the lease was lost (receipt no longer current). */
  ack(d: Delivery<M>): Promise<boolean>;
  /** Keep the lease for `seconds` more (heartbeat of a long job). False when the lease was lost. */
  extend(d: Delivery<M>, seconds: number): Promise<boolean>;
  /** Give up for now: visible again after exponential backoff (or `delaySeconds`). */
  retry(d: Delivery<M>, opts?: { delaySeconds?: number; error?: string }): Promise<boolean>;
  /** Messages waiting or in flight (for /metrics, benchmarks and tests). */
  depth(): Promise<number>;
  /** The same messages by state (for /metrics and the annotators' backlog per instance). */
  counts(): Promise<QueueCounts>;
}

// The topology (which queue each topic feeds, dead-letter queue names) is defined in messaging-topology.ts.
export { QUEUE_SUBSCRIPTIONS, type QueueName, deadLetterQueueName } from "./messaging-topology.ts";
