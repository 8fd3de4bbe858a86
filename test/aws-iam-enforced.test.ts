/**
 * Least privilege proven on an emulator that enforces IAM (DESIGN §8, issue 14): moto with
 * INITIAL_NO_AUTH_ACTION_COUNT, where every request after the first few must be signed by an IAM
 * principal whose policies allow it. Each GAS role's policy is the one the playbook renders
 * (test/support/render-iam-policies.ts); each role then makes its real calls through the AWS
 * adapters (S3 object store and archive vault, SNS→SQS messaging, DynamoDB job store, SES,
 * CloudWatch/Auto Scaling) with only that policy's credentials. A call the policy does not allow
 * fails the role's test, naming the step and moto's error.
 *
 * How the principals are made: the first three requests (unauthenticated) create an admin user
 * and its key; the admin bootstraps the topology (`gas aws bootstrap`'s code) and makes one IAM
 * user per GAS role carrying exactly that role's rendered policy. A user rather than the EC2 role
 * the playbook makes, because moto evaluates a user's and an assumed role's policies the same way
 * and the SDK's STS client is not a dependency.
 *
 * What moto 5.2.5 does not enforce, so what this test cannot prove (read in moto/iam/access_control.py
 * and core/responses.py), and how the policies are adapted to it (`forMoto`, test/support/moto-iam.ts):
 * - resources are checked only for S3 (bucket and key ARNs) and SQS (queue ARNs). SNS, DynamoDB,
 *   SES, CloudWatch and Auto Scaling requests are authorized against the resource "*", which an
 *   ARN in a policy never matches: for those services a statement's resources become "*", so the
 *   test proves the action is allowed, not the resource (the checker's table does that,
 *   test/iam-policies.test.ts);
 * - conditions: moto evaluates a statement's Condition without any request context, so a
 *   conditioned Allow denies every matching request: conditions are dropped (ses:FromAddress,
 *   cloudwatch:namespace, s3:prefix on the reference bundle's listing);
 * - bucket and queue policies, KMS key policies, and what S3's HeadObject of an absent key
 *   answers without s3:ListBucket (moto answers 404 either way), so the ListBucket grants are
 *   shown by the checker only;
 * - the user-data's `aws s3 sync` runs the AWS CLI on an instance: here its two calls
 *   (ListObjectsV2 on reference/, GetObject of each file) are made through the SDK.
 *
 * Skips without moto_server or ansible-playbook (pip install "moto[server]" ansible).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { PolicyDocument } from "../ansible/scripts/topology/iam-checks.ts";
import type { GasRole } from "../ansible/scripts/topology/topology-spec.ts";
import { type AwsClients, createAwsClients } from "../src/adapters/aws/aws-clients.ts";
import { bootstrapAws } from "../src/adapters/aws/aws-bootstrap.ts";
import { createCloudWatchScalingMetrics } from "../src/adapters/aws/cloudwatch-scaling-metrics.ts";
import { createDynamoJobStore } from "../src/adapters/aws/dynamo-job-store.ts";
import { createS3ArchiveVault } from "../src/adapters/aws/s3-archive-vault.ts";
import { createS3ObjectStore } from "../src/adapters/aws/s3-object-store.ts";
import { createSesMailer } from "../src/adapters/aws/ses-mailer.ts";
import { createSqsMessaging } from "../src/adapters/aws/sqs-messaging.ts";
import { denied, forMoto, runSteps } from "./support/moto-iam.ts";
import { type MotoServer, startMotoServer } from "./support/moto-server.ts";
import { GAS_ROLES, renderIamPolicies, withoutAction } from "./support/render-iam-policies.ts";

const motoServer = Bun.which("moto_server");
const playbook = Bun.which("ansible-playbook");
const missing = !motoServer ? "moto_server is not on PATH" : !playbook ? "ansible-playbook is not on PATH" : null;
if (missing) console.warn(`aws-iam-enforced.test.ts: SKIPPED — ${missing}. Install with: pip install "moto[server]" ansible`);

const REGION = "us-east-1";
/** moto's default account. */
const ACCOUNT = "123456789012";
const SUFFIX = "iam";
const PREFIX = "gas";
const INPUTS = `${PREFIX}-inputs-${SUFFIX}`;
const RESULTS = `${PREFIX}-results-${SUFFIX}`;
const RELEASES = `${PREFIX}-releases-${SUFFIX}`;
const TABLE = `${PREFIX}-annotations`;
const FROM = "noreply@example.org";
/** Requests moto lets through unsigned: CreateUser, PutUserPolicy, CreateAccessKey of the admin. */
const UNAUTHENTICATED_REQUESTS = 3;

type Credentials = { accessKeyId: string; secretAccessKey: string };

/** The adapters as a role's process builds them (src/adapters/aws/aws-ports.ts), with one principal's keys. */
function rolePorts(endpoint: string, credentials: Credentials) {
  const clients = createAwsClients({ region: REGION, endpoint, credentials });
  const messaging = createSqsMessaging({
    sqs: clients.sqs,
    sns: clients.sns,
    prefix: PREFIX,
    visibilitySeconds: 60,
    maxAttempts: 5,
    retryBaseSeconds: 5,
  });
  const cloudwatch = new CloudWatchClient({ region: REGION, endpoint, credentials });
  const autoscaling = new AutoScalingClient({ region: REGION, endpoint, credentials });
  return {
    clients,
    inputs: createS3ObjectStore({ s3: clients.s3, bucket: INPUTS }),
    results: createS3ObjectStore({ s3: clients.s3, bucket: RESULTS }),
    jobStore: createDynamoJobStore({
      dynamodb: clients.dynamodb,
      table: TABLE,
      userIndex: "user_id_index",
      buckets: { inputs: INPUTS, results: RESULTS },
    }),
    topic: messaging.topic,
    queue: messaging.queue,
    vault: createS3ArchiveVault({ s3: clients.s3, bucket: RESULTS }),
    mailer: createSesMailer({ ses: clients.ses, from: FROM }),
    scaling: createCloudWatchScalingMetrics({ cloudwatch, autoscaling, groupName: `${PREFIX}-annotator` }),
    async close() {
      await messaging.close();
      clients.destroy();
      cloudwatch.destroy();
      autoscaling.destroy();
    },
  };
}
type RolePorts = ReturnType<typeof rolePorts>;

describe.skipIf(!!missing)("each role's calls under its own rendered policy, on moto enforcing IAM", () => {
  let moto: MotoServer | undefined;
  let endpoint: string;
  let admin: AwsClients;
  let iam: IAMClient;
  let policies: Record<GasRole, PolicyDocument>;
  const queueUrls: Record<string, string> = {};
  const open: RolePorts[] = [];

  /** An IAM user carrying exactly `policy` (moto-adapted), and the role's adapters with its keys. */
  async function principal(name: string, policy: PolicyDocument): Promise<RolePorts> {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: name, PolicyDocument: JSON.stringify(forMoto(policy)) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    const ports = rolePorts(endpoint, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    open.push(ports);
    return ports;
  }

  beforeAll(async () => {
    policies = (await renderIamPolicies({ accountId: ACCOUNT, accountSuffix: SUFFIX, region: REGION, prefix: PREFIX }))!;
    moto = await startMotoServer(motoServer!, { INITIAL_NO_AUTH_ACTION_COUNT: String(UNAUTHENTICATED_REQUESTS) });
    endpoint = moto.endpoint;
    // The only unsigned requests: an administrator and its key.
    const bootstrapIam = new IAMClient({
      region: REGION,
      endpoint,
      credentials: { accessKeyId: "bootstrap", secretAccessKey: "bootstrap" },
    });
    await bootstrapIam.send(new CreateUserCommand({ UserName: "gas-admin" }));
    await bootstrapIam.send(
      new PutUserPolicyCommand({
        UserName: "gas-admin",
        PolicyName: "admin",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      }),
    );
    const key = (await bootstrapIam.send(new CreateAccessKeyCommand({ UserName: "gas-admin" }))).AccessKey!;
    bootstrapIam.destroy();
    const adminKeys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    iam = new IAMClient({ region: REGION, endpoint, credentials: adminKeys });
    admin = createAwsClients({ region: REGION, endpoint, credentials: adminKeys });
    // Enforcement is on from here: an unknown key is refused.
    const stranger = createAwsClients({
      region: REGION,
      endpoint,
      credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" },
    });
    const refused = await stranger.s3.send(new ListObjectsV2Command({ Bucket: INPUTS })).then(
      () => null,
      (e: Error) => e.name,
    );
    stranger.destroy();
    if (!refused) throw new Error("moto accepted an unknown access key: IAM enforcement is off");

    const report = await bootstrapAws(admin, {
      prefix: PREFIX,
      inputsBucket: INPUTS,
      resultsBucket: RESULTS,
      table: TABLE,
      userIndex: "user_id_index",
    });
    for (const [name, url] of Object.entries(report.queues)) queueUrls[name.replace(`${PREFIX}-`, "")] = url;
    await admin.s3.send(new CreateBucketCommand({ Bucket: RELEASES }));
    await admin.s3.send(new PutObjectCommand({ Bucket: RELEASES, Key: "reference/manifest.json", Body: "{}" }));
    await admin.s3.send(new PutObjectCommand({ Bucket: RELEASES, Key: "releases/0.1.0/gas", Body: "#!/bin/sh\n" }));
    await admin.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: FROM }));
  }, 120_000);

  afterAll(async () => {
    for (const p of open) await p.close();
    admin?.destroy();
    iam?.destroy();
    await moto?.stop();
  }, 30_000); // closing the pools and stopping moto took over bun's default 5 s on a loaded CI machine

  const now = () => new Date();
  const SUMMARY = {
    records: 1,
    alleles: 1,
    known: 0,
    novel: 1,
    skipped: 0,
    byMostSevere: {},
    byConsequence: {},
    byImpact: {},
    warnings: [],
    warningsTotal: 0,
    seconds: 0.1,
    variantsPerSecond: 10,
  };
  const newJob = (id: string) => ({ id, userId: "user-1", inputFileName: "in.vcf", inputKey: `user-1/${id}/in.vcf`, submitTime: now() });

  /** What each role's code calls, in the order a job meets them (the adapters' calls, not the roles' logic). */
  const roleSteps: Record<GasRole, (p: RolePorts, jobId: string) => [string, () => Promise<unknown>][]> = {
    web: (p, id) => [
      ["release binary (user-data)", () => p.clients.s3.send(new GetObjectCommand({ Bucket: RELEASES, Key: "releases/0.1.0/gas" }))],
      [
        "input upload (what the presigned POST signs for)",
        () => p.inputs.put(newJob(id).inputKey, new TextEncoder().encode("##fileformat=VCFv4.2\n")),
      ],
      ["list a user's inputs", () => p.inputs.list("user-1/")],
      ["create the job", () => p.jobStore.create(newJob(id))],
      ["read the job", () => p.jobStore.get(id)],
      ["list the user's jobs", () => p.jobStore.listByUser("user-1")],
      ["the user's usage (stored-results quota at submit)", () => p.jobStore.usage("user-1")],
      [
        "publish job.requested",
        () =>
          p.topic.publish("job.requested", {
            jobId: id,
            userId: "user-1",
            inputKey: newJob(id).inputKey,
            inputFileName: "in.vcf",
            submitTime: now().toISOString(),
          }),
      ],
      ["publish job.thaw (upgrade)", () => p.topic.publish("job.thaw", { jobId: id, userId: "user-1" })],
      [
        "send an address verification email",
        () =>
          p.mailer.send({
            to: "new-address@example.org",
            subject: "Confirm your email address for GAS",
            text: "t",
            html: "<p>t</p>",
            idempotencyKey: `verify:${id}`,
          }),
      ],
      ["queue depths (metrics)", () => p.queue("annotator").counts()],
      ["job counts (metrics)", () => p.jobStore.countByStatus()],
      // Deleting a job: the web role announces it and marks it; the archiver deletes (below).
      ["publish job.delete", () => p.topic.publish("job.delete", { jobId: id, userId: "user-1" })],
      ["mark the job deleted", () => p.jobStore.markDeleted(id)],
    ],
    annotator: (p, id) => [
      ["release binary (user-data)", () => p.clients.s3.send(new GetObjectCommand({ Bucket: RELEASES, Key: "releases/0.1.0/gas" }))],
      [
        "reference bundle: list reference/ (user-data's aws s3 sync)",
        () => p.clients.s3.send(new ListObjectsV2Command({ Bucket: RELEASES, Prefix: "reference/" })),
      ],
      [
        "reference bundle: read a file (user-data's aws s3 sync)",
        () => p.clients.s3.send(new GetObjectCommand({ Bucket: RELEASES, Key: "reference/manifest.json" })),
      ],
      ["receive a job request", () => p.queue("annotator").receive({ max: 1, waitSeconds: 0 })],
      ["receive from its dead-letter queue", () => p.queue("annotator.dlq").receive({ max: 1, waitSeconds: 0 })],
      ["read the input", async () => (await (await p.inputs.get(newJob(id).inputKey))?.stream().getReader().read()) ?? null],
      ["the user's usage before a claim (Query of the user index)", () => p.jobStore.usage("user-1")],
      ["claim the job", () => p.jobStore.claim(id, "token-1", 60)],
      [
        "upload a result (PutObject, then HeadObject)",
        () => p.results.put(`user-1/${id}/in.annot.vcf`, new TextEncoder().encode("result\n")),
      ],
      [
        "complete the job",
        () =>
          p.jobStore.complete(id, "token-1", {
            resultKey: `user-1/${id}/in.annot.vcf`,
            logKey: `user-1/${id}/in.vcf.count.log`,
            rowsKey: null,
            summary: SUMMARY,
          }),
      ],
      [
        "publish job.completed",
        () => p.topic.publish("job.completed", { jobId: id, userId: "user-1", status: "COMPLETED", completeTime: now().toISOString() }),
      ],
      // No Auto Scaling group on moto here: "not found" is the answer an allowed call gets.
      [
        "backlog: annotator instances",
        () =>
          p.scaling.annotatorInstances().catch((e: Error) => {
            if (!/not found/.test(e.message)) throw e;
          }),
      ],
      ["backlog: publish the metric", () => p.scaling.publishBacklog({ waiting: 0, instances: 1, perInstance: 0, at: now() })],
    ],
    archiver: (p, id) => [
      ["release binary (user-data)", () => p.clients.s3.send(new GetObjectCommand({ Bucket: RELEASES, Key: "releases/0.1.0/gas" }))],
      ["receive job.completed", () => p.queue("archiver").receive({ max: 1, waitSeconds: 0 })],
      ["receive job.archive", () => p.queue("archive").receive({ max: 1, waitSeconds: 0 })],
      ["receive job.thaw", () => p.queue("thaw").receive({ max: 1, waitSeconds: 0 })],
      ["receive archive.restored", () => p.queue("restore").receive({ max: 1, waitSeconds: 0 })],
      ["read the job", () => p.jobStore.get(id)],
      ["a user's jobs (upgrade restores their archives)", () => p.jobStore.listByUser("user-1")],
      ["hot copy intact? (HeadObject of results)", () => p.results.head(`user-1/${id}/in.annot.vcf`)],
      [
        "read a result to pack it",
        async () => (await (await p.results.get(`user-1/${id}/in.annot.vcf`))?.stream().getReader().read()) ?? null,
      ],
      [
        "archive it",
        async () => ((globalThis as { archiveId?: string }).archiveId = await p.vault.archive(id, new TextEncoder().encode("packed"))),
      ],
      ["delete the hot copy", () => p.results.delete(`user-1/${id}/in.annot.vcf`)],
      ["restore check of an absent object (HeadObject)", () => p.results.head(`user-1/${id}/absent`)],
      ["start a restore", () => p.vault.startRestore((globalThis as { archiveId?: string }).archiveId!, id)],
      ["publish job.archive", () => p.topic.publish("job.archive", { jobId: id, userId: "user-1" })],
      ["publish job.thaw (re-check)", () => p.topic.publish("job.thaw", { jobId: id, userId: "user-1", check: 1 })],
      ["publish result.restored", () => p.topic.publish("result.restored", { jobId: id, userId: "user-1", archiveId: "a" })],
      ["delete the archive", () => p.vault.delete((globalThis as { archiveId?: string }).archiveId!)],
      // job.delete: the job's input, files and item (the web role may delete none of them).
      ["receive job.delete", () => p.queue("delete").receive({ max: 1, waitSeconds: 0 })],
      ["fail an unfinished deleted job", () => p.jobStore.fail(id, null, "Deleted by its owner.")],
      ["mark the job deleted", () => p.jobStore.markDeleted(id)],
      ["delete a deleted job's result files", () => p.results.delete(`user-1/${id}/in.vcf.count.log`)],
      ["delete a deleted job's input", () => p.inputs.delete(newJob(id).inputKey)],
      ["delete the job's item", () => p.jobStore.delete(id)],
    ],
    notifier: (p, id) => [
      ["release binary (user-data)", () => p.clients.s3.send(new GetObjectCommand({ Bucket: RELEASES, Key: "releases/0.1.0/gas" }))],
      ["receive job.completed / result.restored", () => p.queue("notifier").receive({ max: 1, waitSeconds: 0 })],
      ["read the job", () => p.jobStore.get(id)],
      [
        "send the email",
        () =>
          p.mailer.send({
            to: "user@example.org",
            subject: "Results available",
            text: "t",
            html: "<p>t</p>",
            idempotencyKey: `job.completed:${id}`,
          }),
      ],
    ],
  };

  // Roles in the order a job meets them, on one job: each role finds what the previous one left.
  const jobId = "job-iam-1";
  for (const role of GAS_ROLES) {
    test(`${role}: every call its code makes is allowed by its rendered policy`, async () => {
      const p = await principal(`${PREFIX}-${role}`, policies[role]);
      const failures = await runSteps(roleSteps[role](p, jobId));
      expect(failures).toEqual([]);
    }, 60_000);
  }

  test("and each role is refused what it does not need", async () => {
    const web = await principal("deny-web", policies.web);
    const notifier = await principal("deny-notifier", policies.notifier);
    const annotator = await principal("deny-annotator", policies.annotator);
    const attempts: [string, () => Promise<unknown>][] = [
      ["web deletes a result", () => web.results.delete("user-1/x/in.annot.vcf")],
      ["web deletes an input", () => web.inputs.delete("user-1/x/in.vcf")],
      ["web deletes a job's item", () => web.jobStore.delete("job-iam-1")],
      [
        "web reads the annotator's queue",
        () => web.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrls.annotator, WaitTimeSeconds: 0 })),
      ],
      ["notifier writes a result", () => notifier.results.put("user-1/x/evil", new TextEncoder().encode("x"))],
      ["notifier reads a result", () => notifier.clients.s3.send(new GetObjectCommand({ Bucket: RESULTS, Key: "archive/x" }))],
      ["annotator writes an input", () => annotator.inputs.put("user-1/x/evil", new TextEncoder().encode("x"))],
      [
        "annotator reads the notifier's queue",
        () => annotator.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrls.notifier, WaitTimeSeconds: 0 })),
      ],
      [
        "annotator writes the release bucket",
        () => annotator.clients.s3.send(new PutObjectCommand({ Bucket: RELEASES, Key: "releases/0.1.0/gas", Body: "x" })),
      ],
    ];
    const allowed: string[] = [];
    for (const [name, fn] of attempts) {
      const outcome = await fn().then(
        () => "allowed",
        (err) => (denied(err) ? "denied" : `failed otherwise: ${(err as Error).name}: ${(err as Error).message}`),
      );
      if (outcome !== "denied") allowed.push(`${name}: ${outcome}`);
    }
    expect(allowed).toEqual([]);
  }, 60_000);

  test("a policy missing a permission the code needs fails the role's calls (issue 14's HeadObject after upload)", async () => {
    const p = await principal(
      "annotator-without-results-get",
      withoutAction(policies.annotator, "s3:GetObject", new RegExp(`${RESULTS}/\\*$`)),
    );
    const failures = await runSteps([
      ["upload a result (PutObject, then HeadObject)", () => p.results.put("user-1/job-x/in.annot.vcf", new TextEncoder().encode("r"))],
    ]);
    expect(failures.join("\n")).toMatch(/^upload a result \(PutObject, then HeadObject\): 403 /);
  }, 60_000);

  test("the archiver without its delete grants cannot remove a deleted job's input or item", async () => {
    const noInputs = await principal(
      "archiver-without-input-delete",
      withoutAction(policies.archiver, "s3:DeleteObject", new RegExp(`${INPUTS}/\\*$`)),
    );
    const noItems = await principal("archiver-without-delete-item", withoutAction(policies.archiver, "dynamodb:DeleteItem", /:table\//));
    const failures = await runSteps([
      ["delete a deleted job's input", () => noInputs.inputs.delete("user-1/job-x/in.vcf")],
      ["delete the job's item", () => noItems.jobStore.delete("job-x")],
    ]);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toStartWith("delete a deleted job's input: 403 ");
    expect(failures[1]).toStartWith("delete the job's item: ");
  }, 60_000);
});
