/**
 * Names of the AWS resources one deployment uses, derived from a prefix (GAS_AWS_PREFIX) so that
 * several deployments (prod, staging, a test run) can share an account. SNS and SQS names allow
 * only letters, digits, `-` and `_`, so the port's dotted names (`job.requested`,
 * `annotator.dlq`) are spelled with dashes.
 */
import { QUEUE_SUBSCRIPTIONS, type QueueName, type TopicName, deadLetterQueueName } from "../../ports/queue.ts";

export interface AwsResources {
  prefix: string;
  inputsBucket: string;
  resultsBucket: string;
  table: string;
  /** Global secondary index on user_id + submit_time (the original's `user_id_index`). */
  userIndex: string;
}

/** SNS topic name for a port topic: `gas` + `job.requested` → `gas-job-requested`. */
export const topicResourceName = (prefix: string, topic: TopicName | string) => `${prefix}-${topic.replaceAll(".", "-")}`;

/** SQS queue name for a port queue: `annotator` → `gas-annotator`, `annotator.dlq` → `gas-annotator-dlq`. */
export const queueResourceName = (prefix: string, queue: string) => `${prefix}-${queue.replaceAll(".", "-")}`;

/** Every topic, and every queue with its dead-letter queue and the topics feeding it. */
export function messagingLayout(prefix: string) {
  const topics = [...new Set(Object.values(QUEUE_SUBSCRIPTIONS).flat())] as TopicName[];
  const queues = (Object.keys(QUEUE_SUBSCRIPTIONS) as QueueName[]).map((queue) => ({
    queue,
    name: queueResourceName(prefix, queue),
    deadLetterName: queueResourceName(prefix, deadLetterQueueName(queue)),
    topics: QUEUE_SUBSCRIPTIONS[queue].map((t) => topicResourceName(prefix, t)),
  }));
  return { topics: topics.map((t) => ({ topic: t, name: topicResourceName(prefix, t) })), queues };
}
