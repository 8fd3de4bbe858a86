/**
 * End to end on GAS_BACKEND=aws: the real executable (`gas aws bootstrap`, then `--role=all`)
 * against emulators started by this file: fauxqs (S3,
 * SNS, SQS), dynalite (DynamoDB) and aws-ses-v2-local (SES). Accounts and sessions stay in
 * PostgreSQL (PGlite here; RDS in production). The browser flow is the original's: the upload
 * form is a presigned POST straight to S3, S3 redirects to /annotate/job, the job travels
 * SNS → SQS to the annotator, the result lands in S3, the item is COMPLETED in DynamoDB and the
 * notifier mails through SES. Then the API's way in: `POST /annotations {"upload": true}` with
 * settings, the presigned POST, S3's redirect (its bucket and key added to the settings' query),
 * the job run with those settings, and DELETE: gone for the owner at once, its objects and item
 * removed by the archiver (SNS → SQS `delete`), which the web role's IAM policy may not delete.
 *
 * Then the archive lifecycle on AWS (test/archive-lifecycle.test.ts is the local one): a free
 * user's result goes to the vault after ARCHIVE_AFTER_SECONDS, the user upgrades through the
 * local checkout, the vault restores it and SES mails the user. Once on the default vault (S3
 * DEEP_ARCHIVE objects, with test/support/s3-restore-fake.ts in front of fauxqs for the storage
 * class, RestoreObject and S3's restore event) and once with ARCHIVE_VAULT=glacier against
 * test/support/glacier-fake.ts, whose job notifications go through the SNS emulator.
 *
 * GAS_TEST_AWS_ENDPOINT=http://host:port runs it against one external endpoint instead (moto).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeVaultCommand, GlacierClient } from "@aws-sdk/client-glacier";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { CreateEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import { simpleParser } from "mailparser";
import type { AwsClients } from "../src/adapters/aws/aws-clients.ts";
import type { BootstrapReport } from "../src/adapters/aws/aws-bootstrap.ts";
import {
  type AwsTestEndpoints,
  TEST_CREDENTIALS,
  TEST_REGION,
  endpointClients,
  externalEndpoint,
  startAwsTestEndpoints,
  uniqueName,
} from "./support/aws-emulators.ts";
import { awsGasEnv, bootstrapForTest, removeBootstrapped } from "./support/aws-gas-env.ts";
import { type GasProcess, createClient, parseUploadForm, startGas, waitForJob } from "./support/gas-process.ts";
import { upgradeThroughLocalCheckout, waitForState } from "./support/result-lifecycle.ts";
import { freePort } from "./support/free-port.ts";
import { type GlacierFake, startGlacierFake } from "./support/glacier-fake.ts";
import { type S3RestoreFake, startS3RestoreFake } from "./support/s3-restore-fake.ts";

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
      ...awsGasEnv(aws, prefix, dataDir),
      QUEUE_VISIBILITY_SECONDS: "30",
    };
    report = await bootstrapForTest(env, dataDir);
    // Verifying the SES sender is an operator's step (DNS), not bootstrap's; moto, like SES, needs it.
    if (externalEndpoint) await clients.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: "gas.example.org" }));
    // Accounts live in PGlite here, which one process opens: the roles share it in --role=all
    // (on EC2 each role is its own process and they share RDS).
    web = await startGas({ role: "all", dataDir, port, env });
    roles.push(web);
  }, 180_000);

  afterAll(async () => {
    for (const r of roles) expect(await r.stop()).toBe(0);
    await removeBootstrapped(clients, report);
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
    const jobId = /was received \(ID <span class="font-monospace">([0-9a-f-]{36})<\/span>/.exec(html)?.[1];
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
    expect(resultKey).toEndWith(".annot.vcf.gz");
    expect(Number(Item?.complete_time?.N)).toBeGreaterThan(0);

    // The result and the log are objects in the results bucket.
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: env.S3_RESULTS_BUCKET!, Prefix: inputKey.split("/")[0] }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(expect.arrayContaining([resultKey, `${resultKey}.tbi`, logKey]));
    const stored = await (
      await clients.s3.send(new GetObjectCommand({ Bucket: env.S3_RESULTS_BUCKET!, Key: resultKey }))
    ).Body!.transformToByteArray();
    const plain = gunzipSync(stored).toString();
    expect(plain).toContain("ANN=");

    // Downloads are presigned S3 GETs: the web role answers 303 and never carries the bytes.
    const result = await browser.request(`/annotations/${jobId}/result`);
    expect(result.status).toBe(303);
    const presigned = new URL(result.headers.get("location")!);
    expect(presigned.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(Buffer.from(await (await fetch(presigned)).arrayBuffer()).equals(stored)).toBe(true);
    expect((await browser.request(`/annotations/${jobId}/result.tbi`)).status).toBe(303);
    // The plain text is gunzipped by the web role (jobs.service.ts says why).
    expect(await (await browser.request(`/annotations/${jobId}/result.vcf`)).text()).toBe(plain);

    // The results store is an object beside the VCF, fetched from S3 into the web role's cache to
    // answer the results page, the rows API (filtered, sorted, paged) and filtered exports.
    const storeKey = Item?.s3_key_rows_file?.S;
    expect(storeKey).toEndWith(".results.sqlite");
    expect((listed.Contents ?? []).map((o) => o.Key)).toContain(storeKey);
    const resultsPage = await browser.request(`/annotations/${jobId}/results`, { headers: { accept: "text/html" } });
    expect(resultsPage.status).toBe(200);
    expect(await resultsPage.text()).toContain("<table");
    const all = (await (await browser.json(`/annotations/${jobId}/rows?limit=1000`)).json()) as {
      total: number;
      rows: { impact: string; gene: string }[];
    };
    const records = plain.split("\n").filter((l) => l && !l.startsWith("#")).length;
    expect(all.total).toBeGreaterThanOrEqual(records - 5); // one row per ALT; the engine may skip a few records
    expect(all.rows).toHaveLength(Math.min(all.total, 1000));
    const moderate = (await (await browser.json(`/annotations/${jobId}/rows?impact=MODERATE&sort=gene`)).json()) as typeof all;
    expect(moderate.total).toBe(all.rows.filter((r) => r.impact === "MODERATE").length);
    expect(moderate.rows.every((r) => r.impact === "MODERATE")).toBe(true);
    const genes = moderate.rows.map((r) => r.gene);
    expect(genes).toEqual([...genes].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));
    const tsv = await browser.request(`/annotations/${jobId}/rows?impact=MODERATE&format=tsv`);
    expect(tsv.status).toBe(200);
    expect((await tsv.text()).trimEnd().split("\n")).toHaveLength(moderate.total + 1);
    const vcf = await (await browser.request(`/annotations/${jobId}/rows?impact=MODERATE&format=vcf`)).text();
    const vcfRecords = vcf.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(vcfRecords.length).toBeGreaterThan(0);
    expect(vcfRecords.length).toBeLessThanOrEqual(moderate.total);
    expect(vcfRecords.every((l) => l.includes("ANN="))).toBe(true);

    // The notifier's email went through SES.
    let mails: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(200)) {
      mails = (await aws.rawEmails()).filter((m) => m.includes(jobId!));
      if (mails.length > 0) break;
    }
    expect(mails).toHaveLength(1);
    const mail = await simpleParser(mails[0]!);
    expect(mail.subject).toStartWith(`Results available for job ${jobId} (`);
    expect(mail.to && "text" in mail.to ? mail.to.text : "").toContain("ada@example.org");
    expect(mail.text ?? "").toContain(`${web.url}/annotations/${jobId}`);

    // Every message was acked: the annotator's and notifier's queues drain, nothing was dead-lettered.
    expect(web.logs().some((l) => l.msg === "job completed" && l.jobId === jobId)).toBe(true);
    const p = env.GAS_AWS_PREFIX;
    const depth = async (queue: string) => {
      const a = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: report.queues[queue],
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
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

  test("API: upload: true → presigned POST to S3 → redirect with the settings → job runs with them; DELETE through the archiver", async () => {
    const session = createClient(web.url);
    await session.signIn("grace@example.org", "Grace");
    const minted = await session.json("/account/tokens", {
      method: "POST",
      body: JSON.stringify({ scopes: ["read", "submit", "manage"] }),
    });
    expect(minted.status).toBe(201);
    const api = createClient(web.url, { token: ((await minted.json()) as { token: string }).token });

    // One call answers a presigned S3 form whose redirect already carries the job's settings.
    const offered = await api.json("/annotations", {
      method: "POST",
      body: JSON.stringify({ upload: true, name: "Grace's trio", note: "via S3", pick: "per-gene", fields: "csq" }),
    });
    expect(offered.status).toBe(200);
    const form = (await offered.json()) as { url: string; fields: Record<string, string>; max_bytes: number };
    expect(form.url).toBe(`${aws.s3}/${env.S3_INPUTS_BUCKET}`);
    const redirectTo = new URL(form.fields.success_action_redirect!);
    expect(redirectTo.pathname).toBe("/annotate/job");
    expect(redirectTo.searchParams.get("name")).toBe("Grace's trio");

    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append("file", new File([await Bun.file(DEMO_VCF).arrayBuffer()], "grace.vcf"));
    const upload = await fetch(form.url, { method: "POST", body, redirect: "manual" });
    expect(upload.status).toBe(303);
    // S3 adds bucket, key and etag to a redirect that already has a query: with `&`, the settings kept.
    const location = upload.headers.get("location")!;
    expect(location.split("?")).toHaveLength(2);
    const back = new URL(location);
    expect(back.origin + back.pathname).toBe(`${web.url}/annotate/job`);
    expect(Object.fromEntries([...back.searchParams].filter(([k]) => k !== "key" && k !== "etag"))).toEqual({
      name: "Grace's trio",
      note: "via S3",
      pick: "per-gene",
      fields: "csq",
      bucket: env.S3_INPUTS_BUCKET!,
    });
    const inputKey = back.searchParams.get("key")!;
    expect(inputKey).toMatch(/^[^/]+\/[0-9a-f-]{36}~grace\.vcf$/);
    // S3 (and fauxqs) add the ETag too; moto leaves it out. GAS does not need it.
    const etag = back.searchParams.get("etag");
    if (etag !== null) expect(etag).toMatch(/^"?[0-9a-f]{32}"?$/);

    const submitted = await api.json(back.pathname + back.search);
    expect(submitted.status).toBe(201);
    const jobId = ((await submitted.json()) as { job_id: string }).job_id;
    const done = await waitForJob(api, jobId);
    expect(done).toMatchObject({
      job_status: "COMPLETED",
      name: "Grace's trio",
      note: "via S3",
      options: { pick: "per-gene", fields: ["csq"] },
    });
    // The engine ran with them: CSQ only, no ANN.
    const vcf = await (await api.request(`/annotations/${jobId}/result.vcf`)).text();
    expect(vcf).toContain("##INFO=<ID=CSQ");
    expect(vcf).not.toContain("##INFO=<ID=ANN");
    const listed = (await (await api.json("/annotations")).json()) as { jobs: Record<string, unknown>[] };
    expect(listed.jobs.find((j) => j.job_id === jobId)).toMatchObject({ name: "Grace's trio", job_status: "COMPLETED" });

    // Delete: 204 and gone for the owner at once; the archiver (SNS → SQS `delete`) removes the
    // input, every result object and the item, which the web role's IAM policy could not.
    const item = async () =>
      (await clients.dynamodb.send(new GetItemCommand({ TableName: report.table, Key: { job_id: { S: jobId } }, ConsistentRead: true })))
        .Item;
    const prefix = `${inputKey.split("/")[0]}/${jobId}~`;
    const objects = async (bucket: string) =>
      ((await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);
    expect((await objects(env.S3_RESULTS_BUCKET!)).length).toBeGreaterThan(2);
    expect((await api.request(`/annotations/${jobId}`, { method: "DELETE" })).status).toBe(204);
    expect((await api.json(`/annotations/${jobId}`)).status).toBe(404);
    const after = (await (await api.json("/annotations")).json()) as { jobs: { job_id: string }[] };
    expect(after.jobs.map((j) => j.job_id)).not.toContain(jobId);
    let left: unknown[] = [];
    // The archiver logs once its last removal has returned, and its log reaches us through a pipe:
    // storage can be empty a moment before the line arrives, so both are waited for.
    const logged = () => web.logs().some((l) => l.msg === "deleted job removed" && l.jobId === jobId);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(200)) {
      left = [await item(), ...(await objects(env.S3_RESULTS_BUCKET!)), ...(await objects(env.S3_INPUTS_BUCKET!))].filter(Boolean);
      if (left.length === 0 && logged()) break;
    }
    expect(left).toEqual([]);
    expect(logged()).toBe(true);
    expect((await api.request(`/annotations/${jobId}`, { method: "DELETE" })).status).toBe(204);
  }, 180_000);
});

const html = { headers: { accept: "text/html" } };

const ARCHIVE_AFTER = 2;
// S3's restores advance on moto only through its state manager (frozen by with-moto.ts), and the
// restore fake cannot thaw an object moto itself keeps in DEEP_ARCHIVE: that leg runs in process only.
const vaults = [
  ...(externalEndpoint ? [] : [{ vault: "s3" as const, name: "S3 DEEP_ARCHIVE objects + restore fake" }]),
  { vault: "glacier" as const, name: "Glacier vault (ARCHIVE_VAULT=glacier) on the Glacier fake" },
];
if (externalEndpoint)
  console.warn(
    "aws e2e archive lifecycle on S3 DEEP_ARCHIVE skipped on the external endpoint: moto restores objects only through its state manager",
  );

describe.each(vaults)("end to end, GAS_BACKEND=aws: archive, upgrade and restore of a free user's result on $name", ({ vault }) => {
  let aws: AwsTestEndpoints;
  let clients: AwsClients;
  let s3Fake: S3RestoreFake | null = null;
  let glacierFake: GlacierFake | null = null;
  let glacier: GlacierClient | null = null;
  let env: Record<string, string>;
  let dataDir: string;
  let report: BootstrapReport;
  let gas: GasProcess | null = null;

  beforeAll(async () => {
    aws = await startAwsTestEndpoints();
    clients = endpointClients(aws);
    dataDir = await mkdtemp(join(tmpdir(), "gas-aws-archive-"));
    const prefix = uniqueName("gas-e2ea");
    env = {
      ...awsGasEnv(aws, prefix, dataDir),
      QUEUE_VISIBILITY_SECONDS: "30",
      ARCHIVE_AFTER_SECONDS: String(ARCHIVE_AFTER),
    };
    if (vault === "s3") {
      // S3 requests (the service's and the browser's) go through the fake; SNS, SQS straight to fauxqs.
      s3Fake = startS3RestoreFake({ upstream: aws.s3, sns: clients.sns, restoreMs: 1000 });
      env.AWS_ENDPOINT_URL_S3 = s3Fake.endpoint;
      clients.s3.destroy();
      clients.s3 = endpointClients({ ...aws, s3: s3Fake.endpoint }).s3;
    } else {
      glacierFake = startGlacierFake({ sns: clients.sns, restoreMs: 1000 });
      glacier = new GlacierClient({ region: TEST_REGION, endpoint: glacierFake.endpoint, credentials: TEST_CREDENTIALS });
      Object.assign(env, {
        ARCHIVE_VAULT: "glacier",
        GLACIER_VAULT_NAME: `${prefix}-vault`,
        AWS_ENDPOINT_URL_GLACIER: glacierFake.endpoint,
      });
    }
    report = await bootstrapForTest(env, dataDir);
    if (externalEndpoint) await clients.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: "gas.example.org" }));
    gas = await startGas({ role: "all", dataDir, port: await freePort(), env });
  }, 180_000);

  afterAll(async () => {
    if (gas) expect(await gas.stop()).toBe(0);
    await removeBootstrapped(clients, report);
    glacier?.destroy();
    await glacierFake?.stop();
    await s3Fake?.stop();
    clients.destroy();
    await aws.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  test("free user's result archived after ARCHIVE_AFTER, refused, restored on upgrade into S3 again, restore email through SES", async () => {
    await aws.clearEmails();
    const ada = createClient(gas!.url);
    await ada.signIn("ada@example.org", "Ada");
    const form = (await (await ada.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append("file", new File([await Bun.file(DEMO_VCF).arrayBuffer()], "ada.vcf"));
    const upload = await fetch(form.url, { method: "POST", body, redirect: "manual" });
    expect(upload.status).toBe(303);
    const inputKey = new URL(upload.headers.get("location")!).searchParams.get("key")!;
    const submitted = await ada.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: inputKey }) });
    const jobId = ((await submitted.json()) as { job_id: string }).job_id;
    expect((await waitForJob(ada, jobId)).job_status).toBe("COMPLETED");
    const item = async () =>
      (await clients.dynamodb.send(new GetItemCommand({ TableName: report.table, Key: { job_id: { S: jobId } } }))).Item!;
    const resultKey = (await item()).s3_key_result_file!.S!;
    const resultsBucket = env.S3_RESULTS_BUCKET!;
    const original = await (
      await clients.s3.send(new GetObjectCommand({ Bucket: resultsBucket, Key: resultKey }))
    ).Body!.transformToByteArray();
    expect(gunzipSync(original).toString()).toContain("ANN="); // BGZF, as stored
    const exists = (key: string) =>
      clients.s3.send(new HeadObjectCommand({ Bucket: resultsBucket, Key: key })).then(
        (h) => h,
        (err) => ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 ? null : Promise.reject(err)),
      );
    const vaultArchives = async () =>
      (await glacier!.send(new DescribeVaultCommand({ accountId: "-", vaultName: env.GLACIER_VAULT_NAME }))).NumberOfArchives;

    // Archived: the item names the archive, the hot copy is gone from S3, the vault holds it.
    await waitForState(ada, jobId, "ARCHIVED", 60_000);
    const archived = await item();
    expect(archived.result_state?.S).toBe("ARCHIVED");
    const archiveId = archived.results_file_archive_id?.S;
    expect(archiveId).toBeTruthy();
    expect(await exists(resultKey)).toBeNull();
    expect(await exists(`${resultKey}.tbi`)).toBeNull();
    expect(await exists(archived.s3_key_rows_file!.S!)).toBeNull(); // the results store went to the vault too
    expect(await exists(archived.s3_key_log_file!.S!)).not.toBeNull();
    if (vault === "s3") {
      expect(archiveId).toBe(`archive/${jobId}`);
      expect((await exists(archiveId!))?.StorageClass).toBe("DEEP_ARCHIVE");
    } else {
      expect(archiveId).toMatch(/^[A-Za-z0-9_-]{138}$/);
      expect(await vaultArchives()).toBe(1);
    }
    expect((await ada.request(`/annotations/${jobId}/result`, html)).status).toBe(402);

    // Upgrade → thaw → the vault's restore announcement → the result is back in S3.
    expect(await upgradeThroughLocalCheckout(ada)).toContain("Subscription Succeeded");
    const seen = await waitForState(ada, jobId, "AVAILABLE", 60_000);
    expect(seen).toContain("RESTORING");
    const restored = await item();
    expect(restored.result_state?.S).toBe("AVAILABLE");
    expect(restored.results_file_archive_id).toBeUndefined();
    const again = await (
      await clients.s3.send(new GetObjectCommand({ Bucket: resultsBucket, Key: resultKey }))
    ).Body!.transformToByteArray();
    expect(Buffer.from(again).equals(original)).toBe(true);
    // The index and the results store came back with it (they were in the archive bundle).
    expect(await exists(`${resultKey}.tbi`)).not.toBeNull();
    expect(await exists((await item()).s3_key_rows_file!.S!)).not.toBeNull();
    const back = await ada.request(`/annotations/${jobId}/result`);
    expect(back.status).toBe(303);
    if (vault === "s3") expect(await exists(archiveId!)).toBeNull();
    else expect(await vaultArchives()).toBe(0);

    // The "restored" email went through SES, once.
    let mails: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(200)) {
      mails = (await aws.rawEmails()).filter((m) => m.includes(`Results restored for job ${jobId}`));
      if (mails.length > 0) break;
    }
    expect(mails).toHaveLength(1);
    const mail = await simpleParser(mails[0]!);
    expect(mail.to && "text" in mail.to ? mail.to.text : "").toContain("ada@example.org");
    if (vault === "glacier") expect(glacierFake!.calls.get("InitiateJob")).toBe(1);
  }, 180_000);
});
