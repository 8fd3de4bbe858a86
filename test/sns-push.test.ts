/**
 * Push mode end to end: the real executable (`gas aws bootstrap`, then `--role=all` with
 * ANNOTATOR_MODE=push) on the AWS emulators (fauxqs for S3/SNS/SQS, dynalite, aws-ses-v2-local),
 * and test/support/sns-test-publisher.ts in SNS's place towards the annotator's webhook (no
 * emulator posts signed HTTP notifications). The job request travels SNS → SQS as on AWS; the
 * signed push only rings the annotator, which then takes the job from SQS. The annotator's
 * sweep is set to 10 minutes, so a job that completes here was taken because of the push.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AwsClients } from "../src/adapters/aws/aws-clients.ts";
import type { BootstrapReport } from "../src/adapters/aws/aws-bootstrap.ts";
import { type AwsTestEndpoints, endpointClients, startAwsTestEndpoints, uniqueName } from "./support/aws-emulators.ts";
import { awsGasEnv, bootstrapForTest, removeBootstrapped } from "./support/aws-gas-env.ts";
import { freePort } from "./support/free-port.ts";
import { type Client, type GasProcess, createClient, parseUploadForm, startGas, waitForJob } from "./support/gas-process.ts";
import { type SnsTestPublisher, startSnsTestPublisher } from "./support/sns-test-publisher.ts";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");
const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");

describe("push mode: SNS webhook → annotator → SQS, on emulators", () => {
  let aws: AwsTestEndpoints;
  let clients: AwsClients;
  let env: Record<string, string>;
  let dataDir: string;
  let report: BootstrapReport;
  let gas: GasProcess;
  let sns: SnsTestPublisher;
  let webhook: string;
  let browser: Client;
  let startedAt: number;

  beforeAll(async () => {
    aws = await startAwsTestEndpoints();
    clients = endpointClients(aws);
    dataDir = await mkdtemp(join(tmpdir(), "gas-sns-push-"));
    const prefix = uniqueName("gas-push");
    env = awsGasEnv(aws, prefix, dataDir);
    report = await bootstrapForTest(env, dataDir);
    const topicArn = report.topics[`${prefix}-job-requested`]!;
    sns = await startSnsTestPublisher({ topicArn });
    const pushPort = await freePort();
    webhook = `http://127.0.0.1:${pushPort}/process-job-request`;
    gas = await startGas({
      role: "all",
      dataDir,
      env: {
        ...env,
        ANNOTATOR_MODE: "push",
        ANNOTATOR_PUSH_PORT: String(pushPort),
        ANNOTATOR_PUSH_TOPIC_ARN: topicArn,
        ANNOTATOR_PUSH_SWEEP_SECONDS: "600",
        SNS_PUSH_TEST_TRUSTED_ORIGIN: sns.origin,
      },
    });
    startedAt = Date.now();
    browser = createClient(gas.url);
    await browser.signIn("ada@example.org", "Ada");
  }, 180_000);

  afterAll(async () => {
    expect(await gas?.stop()).toBe(0);
    await sns?.stop();
    await removeBootstrapped(clients, report);
    clients.destroy();
    await aws.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Upload the demo VCF through the presigned POST and create its job; returns the job id. */
  async function submitJob(): Promise<string> {
    const { action, fields } = parseUploadForm(await (await browser.request("/annotate", { headers: { accept: "text/html" } })).text());
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    body.append("file", new File([await Bun.file(DEMO_VCF).arrayBuffer()], "test.vcf"));
    const upload = await fetch(action, { method: "POST", body, redirect: "manual" });
    expect(upload.status).toBe(303);
    const redirect = new URL(upload.headers.get("location")!);
    const created = await browser.request(redirect.pathname + redirect.search, { headers: { accept: "text/html" } });
    expect(created.status).toBe(201);
    return /was received \(ID <span class="font-monospace">([0-9a-f-]{36})<\/span>/.exec(await created.text())![1]!;
  }

  const status = async (jobId: string) =>
    String(((await (await browser.json(`/annotations/${jobId}`)).json()) as { job_status: string }).job_status);

  test("the webhook answers on the annotator's push port, and confirms its subscription through SubscribeURL", async () => {
    expect(await (await fetch(new URL("/", webhook))).text()).toContain("POST job to /process-job-request");
    const c = sns.confirmation("SubscriptionConfirmation");
    const res = await sns.post(webhook, c);
    expect(res.status).toBe(200);
    expect(sns.confirmedTokens()).toEqual([c.Token!]);
  });

  test("a job waits in SQS until a verified push: forged pushes are refused and ring nothing; the signed one gets it annotated", async () => {
    // The annotator looks at SQS once when it starts (a long poll of up to 5 s): let that pass first.
    await Bun.sleep(Math.max(0, startedAt + 6000 - Date.now()));
    const jobId = await submitJob();
    await Bun.sleep(1500);
    expect(await status(jobId)).toBe("PENDING"); // in SQS; nobody rang

    const forged = sns.notification({ foreignKey: true, message: JSON.stringify({ jobId }) });
    expect((await sns.post(webhook, forged)).status).toBe(403);
    const foreignCert = sns.notification({ certUrl: "https://sns.us-east-1.amazonaws.com.evil.org/SimpleNotificationService-1.pem" });
    expect((await sns.post(webhook, foreignCert)).status).toBe(403);
    const unsigned = sns.notification();
    delete unsigned.Signature;
    expect((await sns.post(webhook, unsigned)).status).toBe(400);
    await Bun.sleep(1000);
    expect(await status(jobId)).toBe("PENDING");

    const push = sns.notification({ version: 1, message: JSON.stringify({ jobId }) });
    const res = await sns.post(webhook, push);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ code: 201, message: "Annotation job request processed." });
    expect((await waitForJob(browser, jobId, undefined, 60_000)).job_status).toBe("COMPLETED");
    // The same push again is a replay.
    expect((await sns.post(webhook, push)).status).toBe(409);
    expect(sns.certFetches()).toBe(1);
  }, 120_000);

  test("production refuses the test-only trusted origin before anything starts", async () => {
    const proc = Bun.spawn(["bun", MAIN, "--role=annotator"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dataDir,
        ...env,
        NODE_ENV: "production",
        SESSION_SECRET: "sns-push-session-secret-0123456789",
        UPLOAD_SIGNING_SECRET: "sns-push-upload-secret-0123456789",
        PUBLIC_URL: "https://gas.example.org",
        ANNOTATOR_MODE: "push",
        ANNOTATOR_PUSH_TOPIC_ARN: sns.topicArn,
        SNS_PUSH_TEST_TRUSTED_ORIGIN: sns.origin,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(78);
    expect(err).toContain("SNS_PUSH_TEST_TRUSTED_ORIGIN: is for tests only and refused when NODE_ENV=production");
  });
});
