/**
 * `gas aws bootstrap`: create (or bring up to date) every AWS resource the backend uses, on an
 * emulator or a development account. Production is provisioned by Ansible alone
 * (ansible/playbooks/provision_aws.yml), which tags its buckets and queues gas_managed_by=ansible:
 * bootstrap refuses to touch such a topology (issue 14: run after the playbook it once reset
 * settings the playbook had made). Idempotent: each step looks first and only creates what is missing, then sets
 * the attributes that matter. Queue attributes, redrive and the buckets' lifecycle rules come
 * from src/ports/messaging-topology.ts, the definition Ansible's vars are generated from, so a
 * run on a topology the playbook made leaves it as the playbook left it. No transactions, no
 * CloudFormation: plain API calls that the emulators and moto implement.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  GetBucketTaggingCommand,
  PutBucketNotificationConfigurationCommand,
} from "@aws-sdk/client-s3";
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { GlacierClient } from "@aws-sdk/client-glacier";
import { BUCKET_LIFECYCLE, type BucketLifecycleRule, QUEUE_SETTINGS } from "../../ports/messaging-topology.ts";
import type { AwsClients } from "./aws-clients.ts";
import { type AwsResources, messagingLayout, topicResourceName } from "./aws-resources.ts";
import { ARCHIVE_PREFIX } from "./s3-archive-vault.ts";
import { bootstrapGlacierVault } from "./glacier-vault-setup.ts";
import { allowServicePublish } from "./sns-topic-policy.ts";

/**
 * Tests only: one visibility timeout for every queue and another redrive count, for adapter
 * tests on throwaway prefixes with short leases. `gas aws bootstrap` passes none.
 */
export interface BootstrapOverrides {
  visibilitySeconds?: number;
  /** Receives before a message moves to its dead-letter queue (the redrive policy's maxReceiveCount). */
  maxAttempts?: number;
}

export interface BootstrapReport {
  buckets: string[];
  topics: Record<string, string>;
  queues: Record<string, string>;
  table: string;
  /** What this run created (empty on a second run). */
  created: string[];
}

/**
 * Encryption at rest with SQS-managed keys (SSE-SQS), as the playbook's queues have. Not the AWS
 * managed KMS key alias/aws/sqs: its key policy cannot let SNS use it, so SNS could not deliver.
 */
const SSE_SQS = { SqsManagedSseEnabled: "true" };

/** The tag ansible/roles/aws_topology puts on the buckets and queues it makes (gas_managed_tags). */
export const MANAGED_BY_TAG = { key: "gas_managed_by", value: "ansible" } as const;

/** Thrown when the topology is Ansible's: bootstrap changed nothing. */
export class AnsibleManagedTopologyError extends Error {
  override name = "AnsibleManagedTopologyError";
}

const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const named = (err: unknown, ...names: string[]) =>
  names.some((n) => (err as { name?: string }).name === n || (err as { Code?: string }).Code?.endsWith(n));

/**
 * Create what is missing and update attributes; returns the ARNs and URLs. With
 * `resources.glacierVault` (ARCHIVE_VAULT=glacier) the vault is made too; `clients.glacier` is
 * used when given, else a client with the SNS client's region and credentials, whose endpoint
 * the SDK reads from AWS_ENDPOINT_URL_GLACIER / AWS_ENDPOINT_URL like the service does.
 */
export async function bootstrapAws(
  clients: AwsClients & { glacier?: GlacierClient },
  resources: AwsResources & { glacierVault?: string; annotatorPushUrl?: string },
): Promise<BootstrapReport> {
  const managed = await ansibleManagedResource(clients, resources);
  if (managed)
    throw new AnsibleManagedTopologyError(
      `${managed} is tagged ${MANAGED_BY_TAG.key}=${MANAGED_BY_TAG.value}: this topology is provisioned by ` +
        "ansible/playbooks/provision_aws.yml, the one provisioner for AWS. Re-run the playbook to converge it " +
        '(docs/operations.md, "Deploy: AWS"); `gas aws bootstrap` is for emulators and development accounts only. Nothing was changed.',
    );
  const created: string[] = [];
  await bootstrapBuckets(clients, [resources.inputsBucket], created, BUCKET_LIFECYCLE.inputs);
  await bootstrapBuckets(clients, [resources.resultsBucket], created, BUCKET_LIFECYCLE.results);
  const { topics, queues } = await bootstrapMessaging(clients, resources.prefix, {}, created);
  const restoredTopic = topics[topicResourceName(resources.prefix, "archive.restored")]!;
  if (resources.glacierVault) {
    const glacier =
      clients.glacier ?? new GlacierClient({ region: clients.sns.config.region, credentials: clients.sns.config.credentials });
    try {
      await bootstrapGlacierVault(glacier, clients.sns, resources.glacierVault, restoredTopic);
    } finally {
      if (!clients.glacier) glacier.destroy();
    }
  } else {
    // The archive vault (S3 archive classes) keeps archives in the results bucket under archive/.
    await bootstrapArchiveNotifications(clients, resources.resultsBucket, restoredTopic, ARCHIVE_PREFIX);
  }
  await bootstrapJobTable(clients, resources, created);
  if (resources.annotatorPushUrl) {
    const jobTopic = topics[topicResourceName(resources.prefix, "job.requested")]!;
    if (await ensurePushSubscription(clients, jobTopic, resources.annotatorPushUrl))
      created.push(`${jobTopic} → ${resources.annotatorPushUrl}`);
  }
  return { buckets: [resources.inputsBucket, resources.resultsBucket], topics, queues, table: resources.table, created };
}

/**
 * The first of the buckets and the annotator queue that carries the Ansible marker tag, or null.
 * Only a tag read back counts: an absent resource, no tags, or an emulator without tagging (a
 * refused or unimplemented call) is not Ansible's.
 */
export async function ansibleManagedResource(
  clients: AwsClients,
  resources: Pick<AwsResources, "inputsBucket" | "resultsBucket" | "prefix">,
): Promise<string | null> {
  const marked = (tags: { Key?: string; Value?: string }[] | undefined) =>
    tags?.some((t) => t.Key === MANAGED_BY_TAG.key && t.Value === MANAGED_BY_TAG.value) ?? false;
  for (const bucket of [resources.resultsBucket, resources.inputsBucket]) {
    const tags = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket })).then(
      (r) => r.TagSet,
      () => undefined,
    );
    if (marked(tags)) return `S3 bucket ${bucket}`;
  }
  const queue = messagingLayout(resources.prefix).queues[0]?.name;
  if (queue) {
    const tags = await clients.sqs
      .send(new GetQueueUrlCommand({ QueueName: queue }))
      .then((q) => clients.sqs.send(new ListQueueTagsCommand({ QueueUrl: q.QueueUrl })))
      .then(
        (r) => r.Tags,
        () => undefined,
      );
    if (tags?.[MANAGED_BY_TAG.key] === MANAGED_BY_TAG.value) return `SQS queue ${queue}`;
  }
  return null;
}

/** Buckets with one lifecycle rule (by default the results bucket's: abandoned multipart uploads go). */
export async function bootstrapBuckets(
  clients: AwsClients,
  buckets: string[],
  created: string[] = [],
  lifecycle: BucketLifecycleRule = BUCKET_LIFECYCLE.results,
): Promise<void> {
  for (const bucket of buckets) {
    if (await ensureBucket(clients, bucket, lifecycle)) created.push(`s3://${bucket}`);
  }
}

/**
 * Topics, queues with their dead-letter queues, and the raw-delivery subscriptions between them,
 * with the attributes messaging-topology.ts gives them (`overrides`: tests only).
 */
export async function bootstrapMessaging(clients: AwsClients, prefix: string, overrides: BootstrapOverrides = {}, created: string[] = []) {
  const layout = messagingLayout(prefix);
  const topics: Record<string, string> = {};
  for (const t of layout.topics) {
    // CreateTopic returns the existing topic's ARN when it already exists.
    topics[t.name] = (await clients.sns.send(new CreateTopicCommand({ Name: t.name }))).TopicArn!;
  }
  const queues: Record<string, string> = {};
  const retention = String(QUEUE_SETTINGS.deadLetterRetentionSeconds);
  for (const q of layout.queues) {
    const dlq = await ensureQueue(clients, q.deadLetterName, { MessageRetentionPeriod: retention, ...SSE_SQS }, created);
    queues[q.deadLetterName] = dlq.url;
    const main = await ensureQueue(
      clients,
      q.name,
      {
        VisibilityTimeout: String(overrides.visibilitySeconds ?? q.visibilitySeconds),
        ReceiveMessageWaitTimeSeconds: String(QUEUE_SETTINGS.receiveWaitSeconds),
        ...SSE_SQS,
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: overrides.maxAttempts ?? QUEUE_SETTINGS.maxReceives,
        }),
      },
      created,
    );
    queues[q.name] = main.url;
    const sources = q.topics.map((name) => topics[name]!);
    // SNS may deliver only if the queue's policy lets these topics send to it.
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: main.url,
        Attributes: {
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "gas-topics-send",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: main.arn,
                Condition: { ArnEquals: { "aws:SourceArn": sources } },
              },
            ],
          }),
        },
      }),
    );
    for (const topicArn of sources) {
      if (await ensureSubscription(clients, topicArn, main.arn)) created.push(`${topicArn} → ${q.name}`);
    }
  }
  return { topics, queues };
}

/**
 * Restore completions of archived results: S3 publishes `s3:ObjectRestore:Completed` for keys
 * under `prefix` to the `archive.restored` topic (whose policy must let S3 publish for this
 * bucket). Replaces the bucket's notification configuration (GAS owns the bucket).
 */
export async function bootstrapArchiveNotifications(clients: AwsClients, bucket: string, topicArn: string, prefix: string): Promise<void> {
  await allowServicePublish(clients.sns, topicArn, {
    sid: "gas-s3-restore-events",
    service: "s3.amazonaws.com",
    condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucket}` } },
  });
  await clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        TopicConfigurations: [
          {
            Id: "gas-archive-restored",
            TopicArn: topicArn,
            Events: ["s3:ObjectRestore:Completed"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: prefix }] } },
          },
        ],
      },
    }),
  );
}

/** The job table and its user index. */
export async function bootstrapJobTable(
  clients: AwsClients,
  resources: Pick<AwsResources, "table" | "userIndex">,
  created: string[] = [],
): Promise<void> {
  if (await ensureTable(clients, resources)) created.push(`dynamodb:${resources.table}`);
}

async function ensureBucket(clients: AwsClients, bucket: string, lifecycle: BucketLifecycleRule): Promise<boolean> {
  let made = false;
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (status(err) !== 404)
      throw new Error(`S3 bucket ${bucket}: ${(err as Error).name} (HTTP ${status(err)}); is the name taken by another account?`);
    const region = await clients.s3.config.region();
    try {
      await clients.s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that must not be named here.
          ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
      made = true;
    } catch (e) {
      if (!named(e, "BucketAlreadyOwnedByYou")) throw e;
    }
  }
  // New buckets are private (Block Public Access) and SSE-S3 encrypted by default since 2023,
  // so only the lifecycle is set: the same rule (same id) Ansible's s3_lifecycle task writes.
  await clients.s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: lifecycle.id,
            Status: "Enabled",
            Filter: { Prefix: "" },
            ...(lifecycle.expireAfterDays ? { Expiration: { Days: lifecycle.expireAfterDays } } : {}),
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: lifecycle.abortIncompleteUploadAfterDays },
          },
        ],
      },
    }),
  );
  return made;
}

async function ensureQueue(clients: AwsClients, name: string, attributes: Record<string, string>, created: string[]) {
  let url: string;
  try {
    url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    // CreateQueue refuses an existing queue with other attributes, so update them instead.
    await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  } catch (err) {
    if (!named(err, "QueueDoesNotExist", "NonExistentQueue")) throw err;
    url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    created.push(`sqs:${name}`);
  }
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS queue ${name}: GetQueueAttributes returned no QueueArn`);
  return { url, arn };
}

/** Subscribe the queue to the topic with raw delivery; fix raw delivery on an existing subscription. */
async function ensureSubscription(clients: AwsClients, topicArn: string, queueArn: string): Promise<boolean> {
  let token: string | undefined;
  do {
    const page = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    const found = page.Subscriptions?.find((s) => s.Protocol === "sqs" && s.Endpoint === queueArn);
    if (found?.SubscriptionArn) {
      await clients.sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: found.SubscriptionArn,
          AttributeName: "RawMessageDelivery",
          AttributeValue: "true",
        }),
      );
      return false;
    }
    token = page.NextToken;
  } while (token);
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: "true" },
      ReturnSubscriptionArn: true,
    }),
  );
  return true;
}

/**
 * The annotators' webhook (ANNOTATOR_MODE=push) subscribed to the job-requests topic. SNS then
 * posts a SubscriptionConfirmation to it, which a running annotator confirms; until then the
 * subscription is "PendingConfirmation" and a second run leaves it as it is (SNS itself
 * re-sends nothing, so confirm by starting the annotators before or right after bootstrap).
 */
async function ensurePushSubscription(clients: AwsClients, topicArn: string, url: string): Promise<boolean> {
  const protocol = new URL(url).protocol.slice(0, -1); // "https" or "http"
  let token: string | undefined;
  do {
    const page = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    if (page.Subscriptions?.some((s) => s.Protocol === protocol && s.Endpoint === url)) return false;
    token = page.NextToken;
  } while (token);
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: url }));
  return true;
}

/** The job table: `job_id` key, on-demand capacity, and the user_id + submit_time index. */
async function ensureTable(clients: AwsClients, r: Pick<AwsResources, "table" | "userIndex">): Promise<boolean> {
  const index = {
    IndexName: r.userIndex,
    KeySchema: [
      { AttributeName: "user_id", KeyType: "HASH" as const },
      { AttributeName: "submit_time", KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "ALL" as const },
  };
  const attributes = [
    { AttributeName: "job_id", AttributeType: "S" as const },
    { AttributeName: "user_id", AttributeType: "S" as const },
    { AttributeName: "submit_time", AttributeType: "N" as const },
  ];
  let made = false;
  try {
    const t = await clients.dynamodb.send(new DescribeTableCommand({ TableName: r.table }));
    if (!t.Table?.GlobalSecondaryIndexes?.some((i) => i.IndexName === r.userIndex)) {
      await clients.dynamodb.send(
        new UpdateTableCommand({ TableName: r.table, AttributeDefinitions: attributes, GlobalSecondaryIndexUpdates: [{ Create: index }] }),
      );
    }
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && !named(err, "ResourceNotFoundException")) throw err;
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: r.table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: attributes,
        KeySchema: [{ AttributeName: "job_id", KeyType: "HASH" }],
        GlobalSecondaryIndexes: [index],
      }),
    );
    made = true;
  }
  await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 300, minDelay: 1 }, { TableName: r.table });
  return made;
}
