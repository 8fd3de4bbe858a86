/**
 * The messaging topology, defined once: the topics and who publishes on each, the queues with
 * the topics feeding them, who consumes each (dead-letter queues included) and their settings,
 * and the retention rules of the two buckets `gas aws bootstrap` and Ansible both write.
 * Everything else is derived from it:
 *
 * - the PostgreSQL queue's fan-out (`QUEUE_SUBSCRIPTIONS`, below);
 * - `gas aws bootstrap` (src/adapters/aws/aws-bootstrap.ts): topics, queues, dead-letter queues,
 *   subscriptions, visibility timeouts, redrive, bucket lifecycle rules;
 * - Ansible: `ansible/roles/aws_topology/vars/messaging_topology.yml`, written from this module
 *   by `bun ansible/scripts/messaging-topology-vars.ts` and read by the queue, topic, alarm and
 *   lifecycle tasks and by the IAM policy templates;
 * - the topology checker's spec (ansible/scripts/topology/topology-spec.ts) and the IAM requests
 *   it expects each role to be allowed and denied.
 *
 * src/adapters/messaging-topology-drift.test.ts fails when any of them disagrees with this file.
 */
import type { TopicName } from "./queue.ts";

/** The roles of `--role=…` that run on their own hosts (`all` is every one of them in one process). */
export const GAS_ROLES = ["web", "annotator", "archiver", "notifier"] as const;
export type GasRole = (typeof GAS_ROLES)[number];

export interface TopicSpec {
  /** The roles that publish on the topic (on AWS their IAM policies allow sns:Publish on it). */
  publishers: readonly GasRole[];
}

export interface QueueSpec {
  /** The topics whose messages the queue receives. A queue fed by several topics tells them apart by the payload's shape. */
  topics: readonly TopicName[];
  /** The role that reads the queue. */
  consumer: GasRole;
  /** The consumer also reads the queue's dead-letter queue (the annotator fails those jobs). */
  consumesDeadLetters?: true;
  /**
   * The queue's visibility timeout on AWS (the lease when a receive names none). The adapters
   * name QUEUE_VISIBILITY_SECONDS on every receive and extend it while a job runs; this is the
   * fallback for anything else that reads the queue (the console, the CLI, a redrive).
   */
  visibilitySeconds: number;
}

export const TOPICS = {
  /**
   * The web role's job requests; the annotators' chunks of a split job (jobs/split/split-job.ts):
   * sent through the topic, not straight to the queue, so that in push mode SNS rings every
   * annotator's webhook and idle ones take chunks at once instead of at their next sweep.
   */
  "job.requested": { publishers: ["web", "annotator"] },
  "job.completed": { publishers: ["annotator"] },
  "job.archive": { publishers: ["archiver"] },
  /** The web role on upgrade (billing's webhook), the archiver for its re-checks. */
  "job.thaw": { publishers: ["web", "archiver"] },
  /** The local vault, inside the archiver; on AWS, S3's restore event or Glacier's job notification. */
  "archive.restored": { publishers: ["archiver"] },
  "result.restored": { publishers: ["archiver"] },
  /** The web role, when an owner deletes a job (it may not delete records or objects itself). */
  "job.delete": { publishers: ["web"] },
} as const satisfies Record<TopicName, TopicSpec>;

export const QUEUES = {
  annotator: { topics: ["job.requested"], consumer: "annotator", consumesDeadLetters: true, visibilitySeconds: 600 },
  notifier: { topics: ["job.completed", "result.restored"], consumer: "notifier", visibilitySeconds: 60 },
  archiver: { topics: ["job.completed"], consumer: "archiver", visibilitySeconds: 60 },
  /** The archiver's other queues: due archives, thaw requests, finished restores, deleted jobs. */
  archive: { topics: ["job.archive"], consumer: "archiver", visibilitySeconds: 300 },
  thaw: { topics: ["job.thaw"], consumer: "archiver", visibilitySeconds: 300 },
  restore: { topics: ["archive.restored"], consumer: "archiver", visibilitySeconds: 300 },
  /** Deleted jobs' files, archives and records: the archiver holds the delete permissions. */
  delete: { topics: ["job.delete"], consumer: "archiver", visibilitySeconds: 300 },
} as const satisfies Record<string, QueueSpec>;
export type QueueName = keyof typeof QUEUES;

/** Settings every queue shares. */
export const QUEUE_SETTINGS = {
  /**
   * Receives before SQS moves a message to the dead-letter queue (the redrive policy). Equal to
   * QUEUE_MAX_ATTEMPTS's default, as it must be on AWS: the SQS adapter makes a message whose
   * attempts are used up visible at once so that the next receive dead-letters it.
   */
  maxReceives: 5,
  /** Long polling on the queue itself (SQS's maximum). */
  receiveWaitSeconds: 20,
  /** Dead-lettered messages are kept 14 days (SQS's maximum) to inspect and redrive. */
  deadLetterRetentionSeconds: 14 * 24 * 3600,
} as const;

/** One lifecycle rule of a bucket (S3 keeps them by id; both provisioners write the same ones). */
export interface BucketLifecycleRule {
  id: string;
  /** Objects are deleted this many days after they were written (none: kept). */
  expireAfterDays?: number;
  abortIncompleteUploadAfterDays: number;
}

/** The inputs and results buckets' lifecycle rules (the release bucket is Ansible's alone). */
export const BUCKET_LIFECYCLE = {
  /** Uploaded inputs are deleted after a week: the job keeps its result and log. */
  inputs: { id: "expire-inputs", expireAfterDays: 7, abortIncompleteUploadAfterDays: 1 },
  /** Results stay (archives live under archive/ in DEEP_ARCHIVE); abandoned multipart uploads go. */
  results: { id: "abort-multipart", abortIncompleteUploadAfterDays: 1 },
} as const satisfies Record<"inputs" | "results", BucketLifecycleRule>;

const queueNames = Object.keys(QUEUES) as QueueName[];

/** The queues the roles consume, and which topics feed each. */
export const QUEUE_SUBSCRIPTIONS = Object.fromEntries(queueNames.map((q) => [q, QUEUES[q].topics])) as {
  readonly [Q in QueueName]: (typeof QUEUES)[Q]["topics"];
};

/** Name of a queue's dead-letter queue. */
export const deadLetterQueueName = (queue: string) => `${queue}.dlq`;

/** Every topic, in definition order. */
export const topicNames = (): TopicName[] => Object.keys(TOPICS) as TopicName[];

/** What one role publishes and consumes (port names; dead-letter queues as `<queue>.dlq`). */
export function roleMessaging(role: GasRole): { publishes: TopicName[]; consumes: string[] } {
  return {
    publishes: topicNames().filter((t) => (TOPICS[t].publishers as readonly GasRole[]).includes(role)),
    consumes: queueNames.flatMap((q) => {
      const spec: QueueSpec = QUEUES[q];
      if (spec.consumer !== role) return [];
      return spec.consumesDeadLetters ? [q, deadLetterQueueName(q)] : [q];
    }),
  };
}

/**
 * A topic's or queue's name in AWS and Ansible, without the deployment's prefix: SNS and SQS
 * names allow only letters, digits, `-` and `_`, so `job.requested` is `job-requested` and
 * `annotator.dlq` is `annotator-dlq`.
 */
export const resourceSuffix = (name: string) => name.replaceAll(".", "-");

/** The topics and queues under the names AWS and Ansible give them (without the prefix). */
export function resourceTopology() {
  return {
    topics: topicNames().map(resourceSuffix),
    queues: queueNames.map((q) => ({
      name: resourceSuffix(q),
      topics: QUEUES[q].topics.map(resourceSuffix),
      visibilitySeconds: QUEUES[q].visibilitySeconds as number,
    })),
  };
}
