/**
 * The AWS adapters for every port, built from `config.aws` by src/container.ts: S3 for inputs
 * and results, SNS → SQS for topics and queues, DynamoDB for jobs, S3 archive storage classes
 * (or, with ARCHIVE_VAULT=glacier, a Glacier vault) for the vault, SES for mail.
 */
import type { ArchiveVault } from "../../ports/archive-vault.ts";
import type { JobStore } from "../../ports/job-store.ts";
import type { Mailer } from "../../ports/mailer.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import type { Queue, Topic } from "../../ports/queue.ts";
import type { ScalingMetrics } from "../../ports/scaling-metrics.ts";
import { type AwsService, createAwsClients } from "./aws-clients.ts";
import type { AwsResources } from "./aws-resources.ts";
import { createCloudWatchScalingMetrics, createScalingClients } from "./cloudwatch-scaling-metrics.ts";
import { createDynamoJobStore } from "./dynamo-job-store.ts";
import { createDynamoSplitStore } from "./dynamo-split-store.ts";
import type { SplitStore } from "../../ports/split-store.ts";
import { createS3ArchiveVault } from "./s3-archive-vault.ts";
import { createS3ObjectStore } from "./s3-object-store.ts";
import { createSesMailer } from "./ses-mailer.ts";
import { createSqsMessaging } from "./sqs-messaging.ts";
import { createGlacierVaultFromSettings } from "./glacier-vault-setup.ts";

/** What src/config.ts gives as `config.aws`. */
export interface AwsSettings {
  region: string;
  endpoint: string | null;
  endpoints: Partial<Record<AwsService | "glacier", string>>;
  /** `glacierVault` is set with ARCHIVE_VAULT=glacier. */
  resources: AwsResources & { glacierVault?: string };
  ses: { from: string | null; configurationSet: string | null };
  /** The annotator group (GAS/BacklogPerInstance's dimension) and optional emulator endpoints. */
  scaling: { groupName: string; endpoints: { cloudwatch?: string; autoscaling?: string } };
}

export interface QueueSettings {
  visibilitySeconds: number;
  maxAttempts: number;
  retryBaseSeconds: number;
}

export interface AwsPorts {
  inputs: ObjectStore;
  results: ObjectStore;
  jobStore: JobStore;
  /** Split jobs' chunks: items in the jobs table. */
  splits: SplitStore;
  topic: Topic;
  queue<M>(name: string): Queue<M>;
  /** Archives in the results bucket as DEEP_ARCHIVE objects (restores announced by S3 events), or in a Glacier vault. */
  vault: ArchiveVault;
  /** null when SES_FROM is unset (SMTP_URL carries the mail instead). */
  mailer: Mailer | null;
  /** CloudWatch GAS/BacklogPerInstance and the annotator group's InService count. */
  scaling: ScalingMetrics;
  close(): Promise<void>;
}

/** Build the adapters. Credentials come from the SDK's default provider chain. */
export function createAwsPorts(aws: AwsSettings, queue: QueueSettings): AwsPorts {
  const clients = createAwsClients({ region: aws.region, endpoint: aws.endpoint, endpoints: aws.endpoints });
  const r = aws.resources;
  const messaging = createSqsMessaging({ sqs: clients.sqs, sns: clients.sns, prefix: r.prefix, ...queue });
  const scalingClients = createScalingClients({ region: aws.region, endpoint: aws.endpoint, endpoints: aws.scaling.endpoints });
  const glacier = r.glacierVault
    ? createGlacierVaultFromSettings({
        region: aws.region,
        endpoint: aws.endpoints.glacier ?? aws.endpoint,
        vault: r.glacierVault,
        prefix: r.prefix,
        sns: clients.sns,
      })
    : null;
  return {
    inputs: createS3ObjectStore({ s3: clients.s3, bucket: r.inputsBucket }),
    results: createS3ObjectStore({ s3: clients.s3, bucket: r.resultsBucket }),
    jobStore: createDynamoJobStore({
      dynamodb: clients.dynamodb,
      table: r.table,
      userIndex: r.userIndex,
      buckets: { inputs: r.inputsBucket, results: r.resultsBucket },
    }),
    splits: createDynamoSplitStore({ dynamodb: clients.dynamodb, table: r.table }),
    topic: messaging.topic,
    queue: messaging.queue,
    vault: glacier?.vault ?? createS3ArchiveVault({ s3: clients.s3, bucket: r.resultsBucket }),
    mailer: aws.ses.from ? createSesMailer({ ses: clients.ses, from: aws.ses.from, configurationSet: aws.ses.configurationSet }) : null,
    scaling: createCloudWatchScalingMetrics({ ...scalingClients, groupName: aws.scaling.groupName }),
    async close() {
      // Polls that stopping consumers left open in SQS end first, so no message is swallowed.
      await messaging.drain();
      await messaging.close();
      glacier?.destroy();
      clients.destroy();
      scalingClients.destroy();
    },
  };
}
