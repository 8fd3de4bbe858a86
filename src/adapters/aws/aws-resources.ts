/**
 * Names of the AWS resources one deployment uses, derived from a prefix (GAS_AWS_PREFIX) so that
 * several deployments (prod, staging, a test run) can share an account. SNS and SQS names allow
 * only letters, digits, `-` and `_`, so the port's dotted names (`job.requested`,
 * `annotator.dlq`) are spelled with dashes.
 */
import type { TopicName } from "../../ports/queue.ts";
import { QUEUES, type QueueName, deadLetterQueueName, resourceSuffix, topicNames } from "../../ports/messaging-topology.ts";

export interface AwsResources {
  prefix: string;
  inputsBucket: string;
  resultsBucket: string;
  table: string;
  /** Global secondary index on user_id + submit_time (the original's `user_id_index`). */
  userIndex: string;
}

/** SNS topic name for a port topic: `gas` + `job.requested` → `gas-job-requested`. */
export const topicResourceName = (prefix: string, topic: TopicName | string) => `${prefix}-${resourceSuffix(topic)}`;

/** SQS queue name for a port queue: `annotator` → `gas-annotator`, `annotator.dlq` → `gas-annotator-dlq`. */
export const queueResourceName = (prefix: string, queue: string) => `${prefix}-${resourceSuffix(queue)}`;

/**
 * Every topic, and every queue with its dead-letter queue, the topics feeding it and its
 * attributes, as src/ports/messaging-topology.ts defines them.
 */
export function messagingLayout(prefix: string) {
  const queues = (Object.keys(QUEUES) as QueueName[]).map((queue) => ({
    queue,
    name: queueResourceName(prefix, queue),
    deadLetterName: queueResourceName(prefix, deadLetterQueueName(queue)),
    topics: QUEUES[queue].topics.map((t) => topicResourceName(prefix, t)),
    visibilitySeconds: QUEUES[queue].visibilitySeconds as number,
  }));
  return { topics: topicNames().map((t) => ({ topic: t, name: topicResourceName(prefix, t) })), queues };
}
