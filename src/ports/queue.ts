/**
 * Topics and queues (SNS → SQS on AWS, a PostgreSQL table locally). Delivery is at least once:
 * a received message is hidden for a lease (visibility timeout); if it is not acked in time it is
 * delivered again; after `maxAttempts` deliveries it moves to the queue's dead-letter queue.
 */

/** Topic names and the payloads published on them. */
export interface TopicMessages {
  "job.requested": { jobId: string; userId: string; inputKey: string; inputFileName: string; submitTime: string };
  "job.completed": { jobId: string; userId: string; status: "COMPLETED" | "FAILED"; completeTime: string };
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
}

/** The queues the roles consume, and which topics feed each. */
export const QUEUE_SUBSCRIPTIONS = {
  annotator: ["job.requested"],
  notifier: ["job.completed"],
  archiver: ["job.completed"],
} as const satisfies Record<string, readonly TopicName[]>;
export type QueueName = keyof typeof QUEUE_SUBSCRIPTIONS;

/** Name of a queue's dead-letter queue. */
export const deadLetterQueueName = (queue: string) => `${queue}.dlq`;
