/**
 * `gas aws bootstrap` as an operator runs it (the real executable, credentials from the
 * environment through the SDK's default chain) against fauxqs and dynalite started here; then the
 * composition root on GAS_BACKEND=aws wires every port to what it created.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetBucketLifecycleConfigurationCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { DescribeVaultCommand, GlacierClient } from "@aws-sdk/client-glacier";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { type GlacierFake, startGlacierFake } from "../../../test/support/glacier-fake.ts";
import { loadConfig } from "../../config.ts";
import { type Container, buildContainer } from "../../container.ts";
import { BUCKET_LIFECYCLE, QUEUES, QUEUE_SETTINGS } from "../../ports/messaging-topology.ts";
import { createLogger } from "../../shared/logger.ts";
import {
  type Emulator,
  TEST_CREDENTIALS,
  deleteBucket,
  deleteMessaging,
  deleteTable,
  emulatorClients,
  startDynaliteEmulator,
  startFauxqsEmulator,
  uniqueName,
} from "../../../test/support/aws-emulators.ts";
import type { AwsClients } from "./aws-clients.ts";
import type { BootstrapReport } from "./aws-bootstrap.ts";
import { messagingLayout } from "./aws-resources.ts";

// Emulator round trips on a shared 2-core CI machine: bun's 5 s default is too tight (bunfig has no test timeout).
setDefaultTimeout(30_000);

const MAIN = join(import.meta.dir, "..", "..", "main.ts");
let fauxqs: Emulator;
let dynamo: Emulator;
let clients: AwsClients;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  [fauxqs, dynamo] = await Promise.all([startFauxqsEmulator(), startDynaliteEmulator()]);
  clients = emulatorClients(fauxqs.endpoint);
  dataDir = await mkdtemp(join(tmpdir(), "gas-aws-"));
  const prefix = uniqueName("gas-boot");
  env = {
    GAS_BACKEND: "aws",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL: fauxqs.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    GAS_AWS_PREFIX: prefix,
    S3_INPUTS_BUCKET: `${prefix}-inputs`,
    S3_RESULTS_BUCKET: `${prefix}-results`,
    SES_FROM: "GAS <noreply@gas.example.org>",
    // The service's lease; the queues' own attributes are the topology's whatever it says.
    QUEUE_VISIBILITY_SECONDS: "30",
    DATA_DIR: dataDir,
  };
});
afterAll(async () => {
  clients.destroy();
  await Promise.all([fauxqs.stop(), dynamo.stop()]);
  await rm(dataDir, { recursive: true, force: true });
});

/** Run the executable. Asynchronously: the emulators live in this process and must keep answering. */
const bootstrap = async (extra: Record<string, string> = {}) => {
  const child = Bun.spawn(["bun", MAIN, "aws", "bootstrap"], {
    env: { PATH: process.env.PATH ?? "", HOME: dataDir, ...env, ...extra },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
};

describe("gas aws bootstrap", () => {
  let report: BootstrapReport;

  test("creates buckets, topics, queues with DLQs and subscriptions, and the table with its index", async () => {
    const r = await bootstrap();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.out);
    const p = env.GAS_AWS_PREFIX!;
    expect(report.created).toEqual(
      expect.arrayContaining([
        `s3://${p}-inputs`,
        `s3://${p}-results`,
        `sqs:${p}-annotator`,
        `sqs:${p}-annotator-dlq`,
        `sqs:${p}-notifier-dlq`,
        `dynamodb:${p}-annotations`,
      ]),
    );
    // Every topic and queue the topology defines (src/ports/messaging-topology.ts), each queue with its DLQ.
    const layout = messagingLayout(p);
    expect(Object.keys(report.topics).sort()).toEqual(layout.topics.map((t) => t.name).sort());
    expect(Object.keys(report.topics)).toContain(`${p}-job-requested`);
    expect(Object.keys(report.queues).sort()).toEqual(layout.queues.flatMap((q) => [q.name, q.deadLetterName]).sort());
    for (const b of report.buckets) await clients.s3.send(new HeadBucketCommand({ Bucket: b }));
    // Queue attributes and lifecycle rules as messaging-topology.ts defines them (and Ansible sets them).
    for (const q of ["annotator", "archiver", "thaw"] as const) {
      const a = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: report.queues[`${p}-${q}`], AttributeNames: ["All"] }));
      expect(a.Attributes?.VisibilityTimeout).toBe(String(QUEUES[q].visibilitySeconds));
      expect(a.Attributes?.ReceiveMessageWaitTimeSeconds).toBe(String(QUEUE_SETTINGS.receiveWaitSeconds));
      expect(Number(JSON.parse(a.Attributes!.RedrivePolicy!).maxReceiveCount)).toBe(QUEUE_SETTINGS.maxReceives);
    }
    const dlq = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: report.queues[`${p}-notifier-dlq`], AttributeNames: ["MessageRetentionPeriod"] }),
    );
    expect(dlq.Attributes?.MessageRetentionPeriod).toBe(String(QUEUE_SETTINGS.deadLetterRetentionSeconds));
    const rules = async (bucket: string) =>
      (await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
    const { inputs, results } = BUCKET_LIFECYCLE;
    expect(await rules(`${p}-inputs`)).toMatchObject([
      {
        ID: inputs.id,
        Expiration: { Days: inputs.expireAfterDays },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: inputs.abortIncompleteUploadAfterDays },
      },
    ]);
    expect(await rules(`${p}-results`)).toMatchObject([
      { ID: results.id, AbortIncompleteMultipartUpload: { DaysAfterInitiation: results.abortIncompleteUploadAfterDays } },
    ]);
    expect((await rules(`${p}-results`))[0]?.Expiration).toBeUndefined();
    const ddb = emulatorClients(dynamo.endpoint);
    const t = await ddb.dynamodb.send(new DescribeTableCommand({ TableName: report.table }));
    expect(t.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(["user_id_index"]);
    ddb.destroy();
  }, 60_000);

  test("a second run creates nothing and puts drifted settings back to the topology's; QUEUE_MAX_ATTEMPTS cannot change them", async () => {
    const annotator = report.queues[`${env.GAS_AWS_PREFIX}-annotator`]!;
    await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: annotator, Attributes: { VisibilityTimeout: "60" } }));
    const r = await bootstrap({ QUEUE_MAX_ATTEMPTS: "6" });
    expect(r.code).toBe(0);
    expect(r.err).toContain("QUEUE_MAX_ATTEMPTS is 6 but the queues dead-letter after 5 receives");
    const again = JSON.parse(r.out) as BootstrapReport;
    expect(again.created).toEqual([]);
    expect(again.queues).toEqual(report.queues);
    expect(again.topics).toEqual(report.topics);
    const a = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: annotator, AttributeNames: ["VisibilityTimeout", "RedrivePolicy"] }),
    );
    expect(a.Attributes?.VisibilityTimeout).toBe(String(QUEUES.annotator.visibilitySeconds));
    expect(Number(JSON.parse(a.Attributes!.RedrivePolicy!).maxReceiveCount)).toBe(QUEUE_SETTINGS.maxReceives);
  }, 60_000);

  test("ANNOTATOR_PUSH_URL: the annotators' webhook is subscribed to the job-requests topic once", async () => {
    const url = "https://annotators.gas.internal:5000/process-job-request";
    const first = await bootstrap({ ANNOTATOR_PUSH_URL: url });
    expect(first.code).toBe(0);
    const jobTopic = report.topics[`${env.GAS_AWS_PREFIX}-job-requested`]!;
    expect((JSON.parse(first.out) as BootstrapReport).created).toEqual([`${jobTopic} → ${url}`]);
    const again = await bootstrap({ ANNOTATOR_PUSH_URL: url });
    expect((JSON.parse(again.out) as BootstrapReport).created).toEqual([]);
    const subs = (await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: jobTopic }))).Subscriptions ?? [];
    expect(subs.filter((s) => s.Endpoint === url).map((s) => s.Protocol)).toEqual(["https"]);
    const bad = await bootstrap({ ANNOTATOR_PUSH_URL: "annotators:5000" });
    expect(bad.code).toBe(78);
    expect(bad.err).toContain("ANNOTATOR_PUSH_URL: must be an http:// or https:// URL");
  }, 60_000);

  test("without GAS_BACKEND=aws, or with a variable missing, it exits 78 naming the problem", async () => {
    const local = await bootstrap({ GAS_BACKEND: "local" });
    expect(local.code).toBe(78);
    expect(local.err).toContain("GAS_BACKEND is not aws");
    const missing = await bootstrap({ S3_RESULTS_BUCKET: "" });
    expect(missing.code).toBe(78);
    expect(missing.err).toContain("S3_RESULTS_BUCKET: is required when GAS_BACKEND=aws");
  });

  test("the container on GAS_BACKEND=aws wires every port to the created resources", async () => {
    await withAwsContainer(env, report, async (c) => {
      expect(c.uploads).toBeNull();
      await c.ports.inputs.put("u1/j1~a.vcf", "##fileformat=VCFv4.2\n");
      expect((await c.ports.inputs.list("u1/")).map((o) => o.key)).toEqual(["u1/j1~a.vcf"]);
      expect(await c.ports.results.list("")).toEqual([]);
      const form = await c.ports.inputs.createUploadForm({
        key: "u1/j2~${filename}",
        keyPrefix: "u1/",
        maxBytes: 10,
        successRedirect: "http://x/",
        expiresInSeconds: 60,
      });
      expect(form.url).toBe(`${fauxqs.endpoint}/${env.S3_INPUTS_BUCKET}`);
      await c.ports.topic.publish("job.completed", { jobId: "j1", userId: "u1", status: "COMPLETED", completeTime: "t" });
      const [d] = await c.ports.queue("notifier").receive({ waitSeconds: 2 });
      expect(d?.message).toMatchObject({ jobId: "j1" });
      expect(await c.ports.queue("notifier").ack(d!)).toBe(true);
      expect(
        await c.ports.jobStore.create({ id: "j1", userId: "u1", inputFileName: "a.vcf", inputKey: "u1/j1~a.vcf", submitTime: new Date() }),
      ).toBe(true);
      expect((await c.ports.jobStore.listByUser("u1")).map((j) => j.id)).toEqual(["j1"]);
    });
  }, 60_000);
});

describe("gas aws bootstrap with ARCHIVE_VAULT=glacier", () => {
  let fake: GlacierFake;
  let glacier: GlacierClient;
  let glacierEnv: Record<string, string>;
  beforeAll(() => {
    fake = startGlacierFake({ sns: clients.sns, restoreMs: 500 });
    glacier = new GlacierClient({ region: "us-east-1", endpoint: fake.endpoint, credentials: TEST_CREDENTIALS });
    const prefix = uniqueName("gas-bootg");
    glacierEnv = {
      GAS_AWS_PREFIX: prefix,
      S3_INPUTS_BUCKET: `${prefix}-inputs`,
      S3_RESULTS_BUCKET: `${prefix}-results`,
      ARCHIVE_VAULT: "glacier",
      GLACIER_VAULT_NAME: `${prefix}-vault`,
      AWS_ENDPOINT_URL_GLACIER: fake.endpoint,
    };
  });
  afterAll(async () => {
    glacier.destroy();
    await fake.stop();
  });

  test("bad values exit 78 naming the variable", async () => {
    const tape = await bootstrap({ ...glacierEnv, ARCHIVE_VAULT: "tape" });
    expect(tape.code).toBe(78);
    expect(tape.err).toContain("ARCHIVE_VAULT: must be s3 (S3 DEEP_ARCHIVE objects) or glacier (an S3 Glacier vault)");
    const stray = await bootstrap({ ...glacierEnv, ARCHIVE_VAULT: "s3" });
    expect(stray.code).toBe(78);
    expect(stray.err).toContain("GLACIER_VAULT_NAME: is set but ARCHIVE_VAULT is not glacier");
    const badName = await bootstrap({ ...glacierEnv, GLACIER_VAULT_NAME: "a vault" });
    expect(badName.code).toBe(78);
    expect(badName.err).toContain("GLACIER_VAULT_NAME: must be 1-255 letters, digits");
  });

  test("creates the vault (endpoint from AWS_ENDPOINT_URL_GLACIER) and lets Glacier publish to archive.restored; the container archives into it", async () => {
    const r = await bootstrap(glacierEnv);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as BootstrapReport;
    const topicArn = report.topics[`${glacierEnv.GAS_AWS_PREFIX}-archive-restored`]!;
    const describeVault = () => glacier.send(new DescribeVaultCommand({ accountId: "-", vaultName: glacierEnv.GLACIER_VAULT_NAME }));
    expect((await describeVault()).NumberOfArchives).toBe(0);
    const policy = JSON.parse((await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy ?? "{}");
    expect(policy.Statement?.map((s: { Principal: unknown }) => s.Principal)).toEqual([{ Service: "glacier.amazonaws.com" }]);

    await withAwsContainer({ ...env, ...glacierEnv }, report, async (c) => {
      const id = await c.ports.vault.archive("job-1", new TextEncoder().encode("archived"));
      expect(id).toMatch(/^[A-Za-z0-9_-]{138}$/);
      expect((await describeVault()).NumberOfArchives).toBe(1);
      await c.ports.vault.delete(id);
    });
  }, 60_000);
});

/**
 * A container on GAS_BACKEND=aws built from `vars` for `use`, then closed, and the resources in
 * `report` removed. The container's SDK clients use the default chain: the keys go in this
 * process's environment for the call only (bun runs every test file in one process).
 */
async function withAwsContainer(
  vars: Record<string, string>,
  report: BootstrapReport,
  use: (c: Container) => Promise<void>,
): Promise<void> {
  const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...withoutKeys } = vars;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  const c = await buildContainer(loadConfig(withoutKeys), createLogger("error", {}));
  try {
    await use(c);
  } finally {
    await c.close();
    for (const [k, v] of [
      ["AWS_ACCESS_KEY_ID", saved.id],
      ["AWS_SECRET_ACCESS_KEY", saved.secret],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const ddb = emulatorClients(dynamo.endpoint);
    await deleteTable(ddb, report.table);
    ddb.destroy();
    await deleteMessaging(clients, report);
    for (const b of report.buckets) await deleteBucket(clients, b);
  }
}
