/**
 * Storage and messaging checks: the three buckets (public access blocked, encrypted, lifecycle
 * rules, TLS-only policy), the jobs table and its user index, the topics, the queues with their
 * dead-letter queues and topic policies, and each queue's raw-delivery subscriptions.
 */
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeVaultCommand, type GlacierClient } from "@aws-sdk/client-glacier";
import {
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type LifecycleRule,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  paginateListTopics,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { MANAGED_BY_TAG } from "../../../src/adapters/aws/aws-bootstrap.ts";
import { type CheckLog, expectEqual, type TopologySpec, topologyNames } from "./topology-spec.ts";

/** S3 bucket checks. */
export async function checkStorage(s3: S3Client, dynamodb: DynamoDBClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  const buckets = [names.inputsBucket, names.resultsBucket, names.releaseBucket];
  for (const bucket of buckets) {
    await log.check("storage", `bucket ${bucket}: public access blocked, SSE, owner-enforced`, async () => {
      const problems: string[] = [];
      const block = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? {};
      for (const k of ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const) {
        if (block[k] !== true) problems.push(`${k} is not true`);
      }
      const sse = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0];
      const algorithm = sse?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
      if (algorithm !== "AES256" && algorithm !== "aws:kms") problems.push(`default encryption ${algorithm ?? "none"}`);
      const owner = (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules?.[0]
        ?.ObjectOwnership;
      expectEqual(problems, "object ownership", owner, "BucketOwnerEnforced");
      const versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
      if (bucket === names.releaseBucket) expectEqual(problems, "versioning", versioning, "Enabled");
      // The marker `gas aws bootstrap` refuses to touch (one provisioner: issue 14).
      const tags = (await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? [];
      const marker = tags.find((t) => t.Key === MANAGED_BY_TAG.key)?.Value;
      expectEqual(problems, `tag ${MANAGED_BY_TAG.key}`, marker, MANAGED_BY_TAG.value);
      return problems;
    });
    await log.check(
      "storage",
      `bucket ${bucket}: policy denies plain HTTP`,
      async () => {
        const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? "{}");
        const deniesHttp = (policy.Statement ?? []).some(
          (s: { Effect?: string; Condition?: Record<string, Record<string, string>> }) =>
            s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
        );
        return deniesHttp ? [] : ["no Deny on aws:SecureTransport false"];
      },
      "s3_tls_only_policy",
    );
  }

  const rules = async (bucket: string) => (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
  const rule = (all: LifecycleRule[], id: string) => all.find((r) => r.ID === id && r.Status === "Enabled");
  for (const [bucket, want] of [
    [names.inputsBucket, spec.lifecycle.inputs],
    [names.resultsBucket, spec.lifecycle.results],
  ] as const) {
    const expires = "expireAfterDays" in want ? `objects expire after ${want.expireAfterDays} days, ` : "";
    await log.check(
      "storage",
      `${bucket}: ${expires}abandoned multipart uploads after ${want.abortIncompleteUploadAfterDays}`,
      async () => {
        const r = rule(await rules(bucket), want.id);
        if (!r) return [`no enabled rule ${want.id}`];
        const problems: string[] = [];
        expectEqual(problems, "expiration days", r.Expiration?.Days, "expireAfterDays" in want ? want.expireAfterDays : undefined);
        expectEqual(
          problems,
          "abort multipart days",
          r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
          want.abortIncompleteUploadAfterDays,
        );
        return problems;
      },
    );
  }
  await log.check("storage", `${names.releaseBucket}: old release versions expire after 90 days`, async () => {
    const r = rule(await rules(names.releaseBucket), "keep-recent-releases");
    if (!r) return ["no enabled rule keep-recent-releases"];
    const problems: string[] = [];
    expectEqual(problems, "noncurrent days", r.NoncurrentVersionExpiration?.NoncurrentDays, 90);
    if (!log.hasGap("s3_lifecycle_newer_noncurrent_versions"))
      expectEqual(problems, "newer noncurrent versions kept", r.NoncurrentVersionExpiration?.NewerNoncurrentVersions, 5);
    return problems;
  });
  await log.check("storage", `${names.inputsBucket}: CORS admits browser POSTs from ${spec.publicUrl}`, async () => {
    const cors = (await s3.send(new GetBucketCorsCommand({ Bucket: names.inputsBucket }))).CORSRules ?? [];
    return cors.some((c) => c.AllowedMethods?.includes("POST") && c.AllowedOrigins?.includes(spec.publicUrl))
      ? []
      : ["no POST rule for the public URL"];
  });
  await log.check("storage", `${names.releaseBucket}: a release binary under releases/`, async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: names.releaseBucket, Prefix: "releases/", MaxKeys: 10 }));
    return (listed.Contents ?? []).some((o) => o.Key?.endsWith("/gas")) ? [] : ["no releases/<version>/gas object"];
  });

  await log.check(
    "storage",
    `DynamoDB table ${names.table} (job_id) with index user_id_index (user_id, submit_time)`,
    async () => {
      const t = (await dynamodb.send(new DescribeTableCommand({ TableName: names.table }))).Table!;
      const problems: string[] = [];
      expectEqual(problems, "key", t.KeySchema, [{ AttributeName: "job_id", KeyType: "HASH" }]);
      expectEqual(problems, "billing", t.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
      const index = t.GlobalSecondaryIndexes?.find((i) => i.IndexName === "user_id_index");
      expectEqual(problems, "user_id_index key", index?.KeySchema, [
        { AttributeName: "user_id", KeyType: "HASH" },
        { AttributeName: "submit_time", KeyType: "RANGE" },
      ]);
      expectEqual(problems, "submit_time type", t.AttributeDefinitions?.find((a) => a.AttributeName === "submit_time")?.AttributeType, "N");
      return problems;
    },
    "dynamodb_table",
  );
}

/**
 * Restores announced by the storage itself: with the S3 archive vault, the results bucket sends
 * `s3:ObjectRestore:Completed` for keys under the archive prefix to the archive-restored topic,
 * whose policy lets S3 (this bucket) publish; with Glacier, the topic lets Glacier publish.
 */
export async function checkRestoreNotification(s3: S3Client, sns: SNSClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  const topicName = names.topic("archive-restored");
  let topicArn: string | undefined;
  for await (const page of paginateListTopics({ client: sns }, {})) {
    topicArn ??= page.Topics?.find((t) => t.TopicArn?.split(":").pop() === topicName)?.TopicArn;
  }
  const [service, source] =
    spec.archiveVault === "s3" ? ["s3.amazonaws.com", `arn:aws:s3:::${names.resultsBucket}`] : ["glacier.amazonaws.com", null];
  await log.check(
    "messaging",
    `topic ${topicName}: its policy lets ${service} publish${source ? ` for ${names.resultsBucket}` : ""}`,
    async () => {
      if (!topicArn) return ["topic missing"];
      const policy = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy;
      const statements: {
        Effect?: string;
        Principal?: { Service?: string | string[] };
        Action?: string | string[];
        Condition?: Record<string, Record<string, unknown>>;
      }[] = [JSON.parse(policy ?? "{}").Statement ?? []].flat();
      const lets = statements.some(
        (st) =>
          st.Effect === "Allow" &&
          [st.Principal?.Service].flat().includes(service) &&
          [st.Action].flat().some((a) => a === "sns:Publish" || a === "SNS:Publish") &&
          (!source || Object.values(st.Condition ?? {}).some((c) => [c["aws:SourceArn"]].flat().includes(source))),
      );
      return lets ? [] : [`no Allow of sns:Publish to ${service}${source ? ` with aws:SourceArn ${source}` : ""}`];
    },
  );
  if (spec.archiveVault !== "s3") return;
  await log.check("storage", `${names.resultsBucket}: s3:ObjectRestore:Completed under ${spec.archivePrefix} → ${topicName}`, async () => {
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: names.resultsBucket }));
    const found = (config.TopicConfigurations ?? []).find((c) => c.TopicArn === topicArn);
    if (!found) return [`no topic notification to ${topicArn ?? topicName}`];
    const problems: string[] = [];
    expectEqual(problems, "events", found.Events, ["s3:ObjectRestore:Completed"]);
    const rules = found.Filter?.Key?.FilterRules ?? [];
    expectEqual(
      problems,
      "key filter",
      rules.map((r) => `${r.Name?.toLowerCase()}=${r.Value}`),
      [`prefix=${spec.archivePrefix}`],
    );
    return problems;
  });
}

/** gas_archive_vault: glacier: the vault the archiver archives into (ARCHIVE_VAULT=glacier's default name). */
export async function checkGlacierVault(glacier: GlacierClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const vault = topologyNames(spec).archiveVault;
  await log.check("storage", `Glacier vault ${vault}`, async () => {
    const found = await glacier.send(new DescribeVaultCommand({ accountId: "-", vaultName: vault })).then(
      (v) => v.VaultName,
      (err: Error) => (/ResourceNotFound|VaultNotFound/.test(err.name) ? null : Promise.reject(err)),
    );
    return found === vault ? [] : ["missing"];
  });
}

/** Topics, queues, dead-letter queues and subscriptions. */
export async function checkMessaging(sns: SNSClient, sqs: SQSClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  const topicArns = new Map<string, string>();
  for await (const page of paginateListTopics({ client: sns }, {})) {
    for (const t of page.Topics ?? []) topicArns.set(t.TopicArn!.split(":").pop()!, t.TopicArn!);
  }
  for (const topic of [...spec.topics.map(names.topic), names.alarmTopic]) {
    await log.check("messaging", `topic ${topic}`, () => (topicArns.has(topic) ? [] : ["missing"]));
  }

  const attributes = async (queue: string) => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes ?? {};
  };
  for (const q of spec.queues) {
    const queue = names.queue(q.name);
    let queueArn: string | undefined;
    await log.check(
      "messaging",
      `queue ${queue}: DLQ ${names.dlq(q.name)} after ${spec.maxReceives} receives, topic policy, SSE-SQS, Ansible's tag`,
      async () => {
        const a = await attributes(queue);
        const dlq = await attributes(names.dlq(q.name));
        queueArn = a.QueueArn;
        const problems: string[] = [];
        for (const name of [queue, names.dlq(q.name)]) {
          const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
          const marker = (await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags?.[MANAGED_BY_TAG.key];
          expectEqual(problems, `${name} tag ${MANAGED_BY_TAG.key}`, marker, MANAGED_BY_TAG.value);
        }
        const redrive = JSON.parse(a.RedrivePolicy ?? "{}");
        expectEqual(problems, "dead-letter target", redrive.deadLetterTargetArn, dlq.QueueArn);
        expectEqual(problems, "max receives", Number(redrive.maxReceiveCount), spec.maxReceives);
        expectEqual(problems, "visibility timeout", Number(a.VisibilityTimeout), q.visibilitySeconds);
        expectEqual(problems, "receive wait", Number(a.ReceiveMessageWaitTimeSeconds), spec.receiveWaitSeconds);
        expectEqual(problems, "DLQ retention", Number(dlq.MessageRetentionPeriod), spec.deadLetterRetentionSeconds);
        // SNS can deliver to a queue with SSE-SQS; with the AWS managed key alias/aws/sqs it cannot
        // (that key's policy cannot grant SNS), and it drops the messages silently (issue 14).
        for (const [which, attrs] of [
          ["queue", a],
          ["DLQ", dlq],
        ] as const) {
          if (attrs.KmsMasterKeyId)
            problems.push(
              `${which} encrypted with KMS key ${attrs.KmsMasterKeyId}, expected SSE-SQS (SqsManagedSseEnabled): SNS cannot use alias/aws/sqs`,
            );
          else if (attrs.SqsManagedSseEnabled !== "true") problems.push(`${which} not encrypted (expected SSE-SQS)`);
        }
        const statements: {
          Effect?: string;
          Principal?: { Service?: string };
          Action?: string | string[];
          Condition?: { ArnEquals?: Record<string, string | string[]> };
        }[] = JSON.parse(a.Policy ?? "{}").Statement ?? [];
        for (const topic of q.topics) {
          const arn = topicArns.get(names.topic(topic));
          const lets = statements.some(
            (s) =>
              s.Effect === "Allow" &&
              s.Principal?.Service === "sns.amazonaws.com" &&
              [s.Action].flat().includes("sqs:SendMessage") &&
              [s.Condition?.ArnEquals?.["aws:SourceArn"]].flat().includes(arn),
          );
          if (!lets) problems.push(`policy does not let ${names.topic(topic)} send`);
        }
        return problems;
      },
    );
    for (const topic of q.topics) {
      await log.check("messaging", `subscription ${names.topic(topic)} → ${queue} (raw delivery)`, async () => {
        const topicArn = topicArns.get(names.topic(topic));
        if (!topicArn || !queueArn) return ["topic or queue missing"];
        const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
        const sub = subs.find((s) => s.Protocol === "sqs" && s.Endpoint === queueArn);
        if (!sub) return ["not subscribed"];
        const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }))).Attributes ?? {};
        return a.RawMessageDelivery === "true" ? [] : [`RawMessageDelivery ${a.RawMessageDelivery}`];
      });
    }
  }
}
