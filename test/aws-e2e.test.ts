/**
 * End to end on GAS_BACKEND=aws: the real executable (`gas aws bootstrap`, then `--role=all`)
 * against emulators started by this file: fauxqs (S3,
 * SNS, SQS), dynalite (DynamoDB) and aws-ses-v2-local (SES). Accounts and sessions stay in
 * PostgreSQL (PGlite here; RDS in production). The browser flow is the original's: the upload
 * form is a presigned POST straight to S3, S3 redirects to /annotate/job, the job travels
 * SNS → SQS to the annotator, the result lands in S3, the item is COMPLETED in DynamoDB and the
 * notifier mails through SES.
 *
 * GAS_TEST_AWS_ENDPOINT=http://host:port runs it against one external endpoint instead (moto).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { CreateEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import { simpleParser } from "mailparser";
import type { AwsClients } from "../src/adapters/aws/aws-clients.ts";
import type { BootstrapReport } from "../src/adapters/aws/aws-bootstrap.ts";
import {
  type AwsTestEndpoints,
  TEST_CREDENTIALS,
  TEST_REGION,
  deleteBucket,
  deleteMessaging,
  deleteTable,
  endpointClients,
  externalEndpoint,
  startAwsTestEndpoints,
  uniqueName,
} from "./support/aws-emulators.ts";
import { type GasProcess, createClient, parseUploadForm, startGas, waitForJob } from "./support/gas-process.ts";
import { freePort } from "./support/free-port.ts";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");
const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");

describe("end to end, GAS_BACKEND=aws on emulators, --role=all", () => {
  let aws: AwsTestEndpoints;
  let clients: AwsClients;
  let env: Record<string, string>;
  let dataDir: string;
  let report: BootstrapReport;
  const roles: GasProcess[] = [];
  let web: GasProcess;

  beforeAll(async () => {
    aws = await startAwsTestEndpoints();
    clients = endpointClients(aws);
    dataDir = await mkdtemp(join(tmpdir(), "gas-aws-e2e-"));
    const prefix = uniqueName("gas-e2e");
    const port = await freePort();
    env = {
      GAS_BACKEND: "aws",
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL: aws.s3,
      AWS_ENDPOINT_URL_DYNAMODB: aws.dynamodb,
      AWS_ENDPOINT_URL_SESV2: aws.ses,
      // The emulators take any key; the service reads them through the SDK's default chain.
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      GAS_AWS_PREFIX: prefix,
      S3_INPUTS_BUCKET: `${prefix}-inputs`,
      S3_RESULTS_BUCKET: `${prefix}-results`,
      SES_FROM: "GAS <noreply@gas.example.org>",
      QUEUE_VISIBILITY_SECONDS: "30",
      DATA_DIR: dataDir,
    };
    const boot = Bun.spawn(["bun", MAIN, "aws", "bootstrap"], { env: { PATH: process.env.PATH ?? "", HOME: dataDir, ...env }, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(boot.stdout).text(), new Response(boot.stderr).text(), boot.exited]);
    if (code !== 0) throw new Error(`gas aws bootstrap exited ${code}: ${err}`);
    report = JSON.parse(out);
    // Verifying the SES sender is an operator's step (DNS), not bootstrap's; moto, like SES, needs it.
    if (externalEndpoint) await clients.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: "gas.example.org" }));
    // Accounts live in PGlite here, which one process opens: the roles share it in --role=all
    // (on EC2 each role is its own process and they share RDS).
    web = await startGas({ role: "all", dataDir, port, env });
    roles.push(web);
  }, 180_000);

  afterAll(async () => {
    for (const r of roles) expect(await r.stop()).toBe(0);
    await deleteTable(clients, report.table).catch(() => {});
    await deleteMessaging(clients, report).catch(() => {});
    for (const b of report.buckets) await deleteBucket(clients, b).catch(() => {});
    clients.destroy();
    await aws.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  test("sign in, presigned POST to S3, redirect, SNS → SQS → annotator, result in S3, COMPLETED in DynamoDB, email through SES", async () => {
    await aws.clearEmails();
    const browser = createClient(web.url);
    await browser.signIn("ada@example.org", "Ada");
    const page = await browser.request("/annotate", { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    // The page lets the browser post the form to S3 (CSP form-action names the S3 origin).
    expect(page.headers.get("content-security-policy") ?? "").toContain(new URL(aws.s3).origin);
    const { action, fields } = parseUploadForm(await page.text());
    expect(action).toBe(`${aws.s3}/${env.S3_INPUTS_BUCKET}`);
    expect(fields.key).toMatch(/^[^/]+\/[0-9a-f-]{36}~\$\{filename\}$/);
    expect(fields["X-Amz-Signature"]).toMatch(/^[0-9a-f]{64}$/);

    // The browser posts to S3 itself (no cookies go there), and S3 redirects back to GAS.
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    body.append("file", new File([await Bun.file(DEMO_VCF).arrayBuffer()], "test.vcf"));
    const upload = await fetch(action, { method: "POST", body, redirect: "manual" });
    expect(upload.status).toBe(303);
    const redirect = new URL(upload.headers.get("location")!);
    expect(redirect.origin).toBe(web.url);
    expect(redirect.pathname).toBe("/annotate/job");
    expect(redirect.searchParams.get("bucket")).toBe(env.S3_INPUTS_BUCKET!);
    const inputKey = redirect.searchParams.get("key")!;
    expect(inputKey).toEndWith("~test.vcf");

    const confirm = await browser.request(redirect.pathname + redirect.search, { headers: { accept: "text/html" } });
    const html = await confirm.text();
    expect(confirm.status).toBe(201); // the job was created
    expect(html).toContain("Annotation Request Received");
    const jobId = /assigned ID <a href="\/annotations\/([0-9a-f-]{36})"/.exec(html)?.[1];
    expect(jobId).toBeTruthy();

    const done = await waitForJob(browser, jobId!);
    expect(done.job_status).toBe("COMPLETED");

    // The item in DynamoDB has the original's attributes.
    const { Item } = await clients.dynamodb.send(new GetItemCommand({ TableName: report.table, Key: { job_id: { S: jobId! } } }));
    expect(Item?.job_status?.S).toBe("COMPLETED");
    expect(Item?.s3_key_input_file?.S).toBe(inputKey);
    expect(Item?.s3_inputs_bucket?.S).toBe(env.S3_INPUTS_BUCKET!);
    expect(Item?.s3_results_bucket?.S).toBe(env.S3_RESULTS_BUCKET);
    const resultKey = Item?.s3_key_result_file?.S;
    const logKey = Item?.s3_key_log_file?.S;
    expect(resultKey).toEndWith(".annot.vcf");
    expect(Number(Item?.complete_time?.N)).toBeGreaterThan(0);

    // The result and the log are objects in the results bucket.
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: env.S3_RESULTS_BUCKET!, Prefix: inputKey.split("/")[0] }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(expect.arrayContaining([resultKey, logKey]));
    const stored = await (await clients.s3.send(new GetObjectCommand({ Bucket: env.S3_RESULTS_BUCKET!, Key: resultKey }))).Body!.transformToString();
    expect(stored).toContain("ANN=");

    // Downloads go through the web role from S3.
    const result = await browser.request(`/annotations/${jobId}/result`);
    expect(result.status === 200 || result.status === 302 || result.status === 303).toBe(true);
    const vcf = result.status === 200 ? await result.text() : await (await fetch(result.headers.get("location")!)).text();
    expect(vcf).toBe(stored);

    // The notifier's email went through SES.
    let mails: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(200)) {
      mails = (await aws.rawEmails()).filter((m) => m.includes(jobId!));
      if (mails.length > 0) break;
    }
    expect(mails).toHaveLength(1);
    const mail = await simpleParser(mails[0]!);
    expect(mail.subject).toBe(`Results available for job ${jobId}`);
    expect(mail.to && "text" in mail.to ? mail.to.text : "").toContain("ada@example.org");
    expect(mail.text ?? "").toContain(`${web.url}/annotations/${jobId}`);

    // Every message was acked: the annotator's and notifier's queues drain, nothing was dead-lettered.
    expect(web.logs().some((l) => l.msg === "job completed" && l.jobId === jobId)).toBe(true);
    const p = env.GAS_AWS_PREFIX;
    const depth = async (queue: string) => {
      const a = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: report.queues[queue], AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
      );
      return Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    };
    const watched = [`${p}-annotator`, `${p}-notifier`, `${p}-annotator-dlq`, `${p}-notifier-dlq`];
    let depths: number[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await Bun.sleep(200)) {
      depths = await Promise.all(watched.map(depth));
      if (depths.every((d) => d === 0)) break;
    }
    expect(Object.fromEntries(watched.map((q, i) => [q, depths[i]]))).toEqual(Object.fromEntries(watched.map((q) => [q, 0])));
  }, 180_000);
});
