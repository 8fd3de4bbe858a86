/**
 * IAM proven end to end, role by role, as processes (issue 14, item 1). The topology is the one
 * `ansible-playbook playbooks/provision_aws.yml` makes (one run, test/support/provision-playbook.ts)
 * on a moto server that enforces IAM; web, annotator, archiver and notifier then run as four
 * separate GAS processes, each with only the temporary credentials of its own IAM role in its
 * environment (what an instance profile gives an EC2 instance), through: the user-data's release
 * download and the annotator's reference bundle sync; an upload → COMPLETED → email through SES;
 * a bad input → FAILED; a dead-lettered request → FAILED; a free user's result archived after
 * ARCHIVE_AFTER_SECONDS, the upgrade, the restore and its email; a job split into chunks
 * (SPLIT_* set small) whose merged result equals the engine's unsplit one and whose chunk files
 * under split/ the annotator lists and deletes (its only grants there); /readyz and /metrics; a job
 * deleted through the web role, whose files and record the archiver removes (the job.delete
 * topic: the web role may not delete results, and is shown to be refused it). Each role is also
 * shown to be refused what it does not need, and no process may log a refused call.
 *
 * How IAM is set up (moto 5.2.5, test/aws-iam-enforced.test.ts's header says what it enforces):
 * - moto starts with INITIAL_NO_AUTH_ACTION_COUNT=4: the four unsigned requests make an
 *   administrator (CreateUser, PutUserPolicy, CreateAccessKey) and request the ALB's certificate;
 *   every later request must be signed by a known principal whose policies allow it. The playbook
 *   itself runs with the administrator's key.
 * - The roles' policies are the ones the playbook attached (GetRolePolicy on each gas-<role>),
 *   rewritten in place by `forMoto` (test/support/moto-iam.ts) only where moto cannot evaluate
 *   them: conditions dropped; "*" for services whose resources moto does not check (so topics,
 *   the table and SES identities are shown by the checker's table, test/iam-policies.test.ts, not
 *   here); SQS's batch calls named beside the single calls that authorize them on AWS.
 * - Credentials come from STS AssumeRole on each role, as on an instance. The roles trust
 *   ec2.amazonaws.com, which moto cannot act as (its trust check handles AWS principals only), so
 *   the trust policy is replaced by one naming the administrator, the stand-in for EC2. Only the
 *   trust changes; the permissions are the playbook's.
 * - The playbook runs with gas_rds=false: the roles share the test's PostgreSQL, and an RDS instance
 *   in moto breaks /moto-api/data.json (write-only db_subnet_group_name), where SES's mail is read.
 * - Not provisioned by the playbook on moto and made by the administrator instead: the jobs table
 *   (gap dynamodb_table, inventories/moto), the verified SES sender (an operator's step), the
 *   reference bundle under reference/ in the release bucket (an operator's upload).
 *
 * What moto cannot do here, and what the test does instead:
 * - A browser's presigned POST carries its signature in the form, which moto does not read (its
 *   IAM check needs an Authorization header): the test checks the form is signed by the web role's
 *   session, then makes the PutObject S3 authorizes such a POST as, with the web role's credentials.
 * - The user-data runs the AWS CLI on an instance: its `aws s3 cp` of the binary and `aws s3 sync`
 *   of the bundle (ListObjectsV2 on reference/, GetObject of each file) are made through the SDK
 *   with each role's credentials, and the annotator annotates with the bundle it downloaded.
 * - The restore completes through S3's own event, as the playbook provisions it (the results
 *   bucket's s3:ObjectRestore:Completed notification under archive/ → the archive-restored topic
 *   → the archiver's restore queue): RESTORE_CHECK_SECONDS is an hour, so the archiver's periodic
 *   re-check cannot be what finishes it. moto finishes a restore the moment the object is next read
 *   and only then sends the event (moto/s3/models.py, FakeKey.status), and nothing else reads it
 *   while the re-check waits: the test reads it, standing in for S3's clock, and a witness queue
 *   subscribed to the topic shows the event S3 published.
 *
 * Every process reaches moto through test/support/refusal-recorder.ts, which keeps moto's words
 * for each refused request: "moto refused no call of any role's process" names the action (its
 * logs only have the SDK's "Unrecognized token '<'", moto answering a refused JSON call in XML).
 *
 * It fails when a policy loses a permission the code needs, three ways: (1) every AWS request each
 * process made (the recorder keeps them) is named as its IAM action (test/support/
 * iam-action-of-request.ts) and must be in the topology checker's table for that role
 * (iam-checks.ts `requiredRequests`), which test/iam-policies.test.ts holds every rendered policy
 * to, action by action: a call the code gains is caught here, an action a template loses there;
 * its first run here found the web role's queue depths of every queue and the archiver's GetItem
 * missing from the table (the policies had them). (2) The last test takes one action at a time out
 * of the web role's policy on moto (s3:GetObject, dynamodb:Query, sns:Publish), makes the user's
 * request, and shows it fail with that action refused. (3) Shown by hand once: with "s3:GetObject"
 * taken out of the annotator's WriteResults statement (roles/aws_topology/templates/
 * policy-annotator.json.j2: the HeadObject after each upload), the run failed 6 of 8 tests:
 * the annotator's /readyz answered 503 naming "results"; both jobs ended FAILED instead of
 * COMPLETED (after five attempts), so no email, no archive, no restore; /metrics counted no
 * COMPLETED job; and the recorder listed the annotator's refused "HEAD /gas-results-moto/…
 * ~bob.annot.vcf.gz" five times. Its first real catch, the same day: the annotator's
 * dynamodb:Query of the user index before each claim (fair turns), which its policy lacked,
 * left every job PENDING. Likewise with the annotator's ListSplitChunks and RemoveSplitChunks taken
 * out (7165d84's grants): 3 of 12 failed, the split job's 12 files left under split/, moto's two
 * refusals of "GET /gas-results-moto/" (ListObjectsV2) named, and the annotator's warning that it
 * could not remove them. And with the web role's ses:GetEmailIdentity (its /readyz check of the SES
 * sender) taken out of the table: 1 of 12 failed, naming "web: ses:GetEmailIdentity".
 *
 * Skips with a message without moto_server, ansible-playbook (with boto3) or PostgreSQL (the
 * roles share accounts and sessions through it, as on AWS through RDS; TEST_DATABASE_URL's server
 * when set). About 300 s on a shared 2-core machine, 120-140 s of it the one playbook run (mitogen).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { CreateEmailIdentityCommand, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { writeBenchVcf } from "../bench/generate-vcf.ts";
import { type PolicyDocument, policiesAllow, requiredRequests } from "../ansible/scripts/topology/iam-checks.ts";
import { defaultSpec, type GasRole } from "../ansible/scripts/topology/topology-spec.ts";
import { type AwsClients, createAwsClients } from "../src/adapters/aws/aws-clients.ts";
import { bootstrapJobTable } from "../src/adapters/aws/aws-bootstrap.ts";
import { createDynamoJobStore } from "../src/adapters/aws/dynamo-job-store.ts";
import { createSqsMessaging } from "../src/adapters/aws/sqs-messaging.ts";
import { startEngineThread } from "../src/modules/annotator/index.ts";
import { DEFAULT_JOB_OPTIONS } from "../src/ports/job-store.ts";
import { createTestDatabase, testDatabaseUrl } from "../src/db/test-database.ts";
import { TEST_REGION, motoSes } from "./support/aws-emulators.ts";
import { freePort } from "./support/free-port.ts";
import { iamActionsOf, resourceScope } from "./support/iam-action-of-request.ts";
import { type Client, type GasProcess, createClient, startGas, waitForJob } from "./support/gas-process.ts";
import { denied, forMoto, statusOf } from "./support/moto-iam.ts";
import { type MotoServer, startMotoServer } from "./support/moto-server.ts";
import { type RefusalRecorder, startRefusalRecorder } from "./support/refusal-recorder.ts";
import { withoutAction } from "./support/render-iam-policies.ts";
import {
  PLAYBOOK_TIMEOUT_MS,
  mitogenStrategy,
  motoInventoryVars,
  playbookMissing,
  requestCertificate,
  runProvisionPlaybook,
} from "./support/provision-playbook.ts";
import { upgradeThroughLocalCheckout, waitForState } from "./support/result-lifecycle.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "./support/throwaway-postgres.ts";

const missing =
  playbookMissing() ?? (testDatabaseUrl || findPostgresBinaries() ? null : "no PostgreSQL binaries (postgresql-15, or PG_BIN_DIR)");
if (missing)
  console.warn(
    `aws-iam.e2e.test.ts: SKIPPED — ${missing}. Install with: pip install ansible "moto[server]" mitogen; apt-get install postgresql`,
  );
else if (!mitogenStrategy().ANSIBLE_STRATEGY)
  console.warn(
    "aws-iam.e2e.test.ts: mitogen is not installed for ansible's Python: the playbook run takes twice as long (pip install mitogen)",
  );

const ROLES: GasRole[] = ["web", "annotator", "archiver", "notifier"];
/** moto's default account. */
const ACCOUNT = "123456789012";
const PREFIX = "gas";
const TABLE = `${PREFIX}-annotations`;
/** inventories/aws's gas_ses_from. */
const SES_FROM = "GAS <noreply@example.org>";
const VERSION = "0.1.0";
/** CreateUser, PutUserPolicy and CreateAccessKey of the administrator, and ACM's RequestCertificate. */
const UNAUTHENTICATED_REQUESTS = 4;
const DEMO = join(import.meta.dir, "..", "data", "demo");
const DEMO_VCF = join(DEMO, "vcf", "test.vcf");
const ARCHIVE_AFTER = 2;
/**
 * The annotator splits a job of SPLIT_MIN_VARIANTS data lines or more into chunks of
 * SPLIT_CHUNK_VARIANTS (its smallest allowed): the split test's 2,500 variants make 3 chunks;
 * the demo's 132 are annotated whole.
 */
const SPLIT_MIN_VARIANTS = 2000;
const SPLIT_CHUNK_VARIANTS = 1000;
const SPLIT_VARIANTS = 2500;
const html = { headers: { accept: "text/html" } };

interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

describe.skipIf(!!missing)("each GAS role as its own process under its own IAM role, on moto enforcing IAM", () => {
  let moto: MotoServer | undefined;
  let endpoint: string;
  let work: string;
  let pg: ThrowawayPostgres | null = null;
  let db: { url: string; drop(): Promise<void> } | null = null;
  let admin: AwsClients;
  let adminKeys: { accessKeyId: string; secretAccessKey: string };
  let iam: IAMClient;
  let buckets: { inputs: string; results: string; releases: string };
  const creds = {} as Record<GasRole, RoleCredentials>;
  const roleClients = {} as Record<GasRole, AwsClients>;
  const procs = {} as Record<GasRole, GasProcess>;
  /** Each process reaches moto through its own recorder of refused calls. */
  const recorders = {} as Record<GasRole, RefusalRecorder>;
  /** Each worker's /readyz port (METRICS_PORT plus the role's offset). */
  const readyPorts = {} as Record<GasRole, number>;
  let web: GasProcess;
  const mail = () => motoSes(endpoint);
  let bobUserId = "";
  let suffix = "";
  /** Each role's policy as put on moto (forMoto of the playbook's), to put back after a test takes an action out. */
  const motoPolicies = {} as Record<GasRole, PolicyDocument>;
  /** Each role's policy as the playbook attached it, conditions included (moto evaluates none). */
  const playbookPolicies = {} as Record<GasRole, PolicyDocument>;
  /** Bob's COMPLETED job (premium: never archived), which the delete test removes. */
  let bobJob: { client: Client; jobId: string; inputKey: string } | undefined;

  /** Every file of the bundle under reference/ (the operator's upload; the annotator syncs it at boot). */
  async function uploadBundle() {
    for (const dir of ["fasta", "genes", "known"]) {
      for (const f of await readdir(join(DEMO, dir), { recursive: true, withFileTypes: true })) {
        if (!f.isFile()) continue;
        const path = join(f.parentPath, f.name);
        await admin.s3.send(
          new PutObjectCommand({ Bucket: buckets.releases, Key: `reference/${relative(DEMO, path)}`, Body: await Bun.file(path).bytes() }),
        );
      }
    }
    await admin.s3.send(
      new PutObjectCommand({
        Bucket: buckets.releases,
        Key: "reference/manifest.json",
        Body: await Bun.file(join(DEMO, "manifest.json")).bytes(),
      }),
    );
  }

  /** The user-data's `aws s3 sync s3://<releases>/reference/ <dir>`: the two calls it makes, with `s3`'s credentials. */
  async function syncBundle(s3: S3Client, dir: string): Promise<number> {
    let token: string | undefined;
    let files = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: buckets.releases, Prefix: "reference/", ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const body = await (await s3.send(new GetObjectCommand({ Bucket: buckets.releases, Key: o.Key! }))).Body!.transformToByteArray();
        const target = join(dir, o.Key!.slice("reference/".length));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, body);
        files++;
      }
      token = page.NextContinuationToken;
    } while (token);
    return files;
  }

  /** The step's name with the error's status and name when `fn` fails: a refused call says which step it broke. */
  async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new Error(`${name}: ${statusOf(err) ?? ""} ${(err as Error).name}: ${(err as Error).message.split("\n")[0]}`);
    }
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "gas-iam-e2e-"));
    // The server CI's run already has (TEST_DATABASE_URL, .ci/run), else one of our own.
    if (!testDatabaseUrl) pg = await startThrowawayPostgres();
    db = await createTestDatabase(testDatabaseUrl ?? pg!.url);
    const vars = await motoInventoryVars();
    suffix = vars.gas_aws_account_suffix;
    buckets = { inputs: `${PREFIX}-inputs-${suffix}`, results: `${PREFIX}-results-${suffix}`, releases: `${PREFIX}-releases-${suffix}` };

    // MOTO_IAM_LOAD_MANAGED_POLICIES: AmazonSSMManagedInstanceCore exists (the playbook attaches it), as on AWS.
    moto = await startMotoServer(Bun.which("moto_server")!, {
      INITIAL_NO_AUTH_ACTION_COUNT: String(UNAUTHENTICATED_REQUESTS),
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
    });
    endpoint = moto.endpoint;
    const unsigned = new IAMClient({
      region: TEST_REGION,
      endpoint,
      credentials: { accessKeyId: "bootstrap", secretAccessKey: "bootstrap" },
    });
    await unsigned.send(new CreateUserCommand({ UserName: "gas-admin" }));
    await unsigned.send(
      new PutUserPolicyCommand({
        UserName: "gas-admin",
        PolicyName: "admin",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      }),
    );
    const key = (await unsigned.send(new CreateAccessKeyCommand({ UserName: "gas-admin" }))).AccessKey!;
    unsigned.destroy();
    const certificateArn = await requestCertificate(endpoint);
    adminKeys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    admin = createAwsClients({ region: TEST_REGION, endpoint, credentials: adminKeys });
    iam = new IAMClient({ region: TEST_REGION, endpoint, credentials: adminKeys });
    // Enforcement is on from here: an unknown key is refused.
    const stranger = createAwsClients({
      region: TEST_REGION,
      endpoint,
      credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" },
    });
    const refused = await stranger.s3.send(new ListObjectsV2Command({ Bucket: buckets.inputs })).then(
      () => false,
      () => true,
    );
    stranger.destroy();
    if (!refused) throw new Error("moto accepted an unknown access key: IAM enforcement is off");

    await writeFile(join(work, "gas"), "#!/bin/sh\necho gas\n");
    // gas_rds=false: the roles share the test's PostgreSQL, and moto cannot serialize an RDS instance
    // in /moto-api/data.json (its db_subnet_group_name is write-only), where the test reads SES's mail.
    const run = await runProvisionPlaybook({
      endpoint,
      certificateArn,
      binary: join(work, "gas"),
      credentials: adminKeys,
      extraVars: { gas_rds: "false" },
    });
    console.log(`provision_aws.yml: ${JSON.stringify(run.recap)} in ${run.seconds.toFixed(0)} s (${run.cpuSeconds.toFixed(0)} s CPU)`);
    if (run.code !== 0) throw new Error(`provision_aws.yml failed (exit ${run.code}):\n${run.out.slice(-4000)}`);

    // What the playbook leaves to the operator (or to a gap) on moto.
    await bootstrapJobTable(admin, { table: TABLE, userIndex: "user_id_index" });
    await admin.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: "noreply@example.org" }));
    await uploadBundle();

    // Each role's credentials, assumed as an instance would (the administrator standing in for EC2).
    const sts = new STSClient({ region: TEST_REGION, endpoint, credentials: adminKeys });
    const trust = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/gas-admin` }, Action: "sts:AssumeRole" }],
    };
    for (const role of ROLES) {
      const name = `${PREFIX}-${role}`;
      const attached = (await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: name }))).PolicyDocument!;
      const doc = JSON.parse(attached.startsWith("%") ? decodeURIComponent(attached) : attached) as PolicyDocument;
      playbookPolicies[role] = doc;
      motoPolicies[role] = forMoto(doc);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: name, PolicyDocument: JSON.stringify(motoPolicies[role]) }));
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(trust) }));
      const c = (
        await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`, RoleSessionName: `${role}-instance` }))
      ).Credentials!;
      creds[role] = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      roleClients[role] = createAwsClients({ region: TEST_REGION, endpoint, credentials: creds[role] });
    }
    sts.destroy();

    // The user-data, under each role's credentials: the release binary, and the annotator's bundle.
    for (const role of ROLES)
      await step(`${role} user-data: aws s3 cp releases/${VERSION}/gas`, () =>
        roleClients[role].s3.send(new GetObjectCommand({ Bucket: buckets.releases, Key: `releases/${VERSION}/gas` })),
      );
    const reference = join(work, "reference");
    const synced = await step("annotator user-data: aws s3 sync reference/", () => syncBundle(roleClients.annotator.s3, reference));
    if (synced < 4) throw new Error(`annotator user-data: only ${synced} files under reference/`);

    const webPort = await freePort();
    const common = {
      GAS_BACKEND: "aws",
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL: endpoint,
      GAS_AWS_PREFIX: PREFIX,
      S3_INPUTS_BUCKET: buckets.inputs,
      S3_RESULTS_BUCKET: buckets.results,
      SES_FROM,
      DATABASE_URL: db!.url,
      PUBLIC_URL: `http://127.0.0.1:${webPort}`,
      ARCHIVE_AFTER_SECONDS: String(ARCHIVE_AFTER),
      // An hour: a restore here can only be finished by S3's event (see the header).
      RESTORE_CHECK_SECONDS: "3600",
      QUEUE_VISIBILITY_SECONDS: "30",
      // The annotator's backlog metric (CloudWatch, Auto Scaling) once a second instead of a minute.
      BACKLOG_METRIC_SECONDS: "1",
    };
    const offsets: Partial<Record<GasRole, number>> = { annotator: 0, archiver: 1, notifier: 2 };
    const started = await Promise.all(
      ROLES.map(async (role) => {
        recorders[role] = await startRefusalRecorder(endpoint);
        const env: Record<string, string> = {
          ...common,
          AWS_ENDPOINT_URL: recorders[role].endpoint,
          // Only this role's credentials: the SDK's default chain reads them as it would the instance profile's.
          AWS_ACCESS_KEY_ID: creds[role].accessKeyId,
          AWS_SECRET_ACCESS_KEY: creds[role].secretAccessKey,
          AWS_SESSION_TOKEN: creds[role].sessionToken,
        };
        if (role === "annotator")
          Object.assign(env, {
            REFERENCE_DIR: reference,
            SPLIT_MIN_VARIANTS: String(SPLIT_MIN_VARIANTS),
            SPLIT_MIN_BYTES: "0",
            SPLIT_CHUNK_VARIANTS: String(SPLIT_CHUNK_VARIANTS),
          });
        const offset = offsets[role];
        if (offset !== undefined) {
          readyPorts[role] = await freePort();
          env.METRICS_PORT = String(readyPorts[role] - offset);
        }
        const dataDir = await mkdtemp(join(work, `${role}-`));
        return [role, await startGas({ role, env, dataDir, port: role === "web" ? webPort : undefined })] as const;
      }),
    );
    for (const [role, p] of started) procs[role] = p;
    web = procs.web;
  }, PLAYBOOK_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    // GAS_IAM_E2E_LOGS=1: each process's warnings and errors, to see why a step failed.
    if (Bun.env.GAS_IAM_E2E_LOGS)
      for (const role of ROLES)
        for (const l of procs[role]?.logs() ?? [])
          if (l.level !== "info" && l.level !== "debug") console.log(`${role}: ${JSON.stringify(l).slice(0, 600)}`);
    for (const role of ROLES) if (procs[role]) expect(await procs[role].stop()).toBe(0);
    for (const r of Object.values(recorders)) await r.stop();
    for (const c of Object.values(roleClients)) c.destroy();
    admin?.destroy();
    iam?.destroy();
    await moto?.stop();
    await db?.drop();
    await pg?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  /** An API client of the signed-in `user` (a token with every scope): DELETE takes a token, or a form's CSRF token. */
  async function apiOf(user: Client): Promise<Client> {
    const minted = await user.json("/account/tokens", { method: "POST", body: JSON.stringify({ scopes: ["read", "submit", "manage"] }) });
    if (minted.status !== 201) throw new Error(`minting an API token: ${minted.status} ${await minted.text()}`);
    return createClient(web.url, { token: ((await minted.json()) as { token: string }).token });
  }

  /** Upload `file` as `name` the way the browser's form does (see the header), submit it; the job id. */
  async function submit(user: Client, name: string, body: Uint8Array): Promise<string> {
    const form = (await (await user.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    // The POST policy is signed by the web role's session: S3 would authorize the upload as it.
    expect(form.fields["X-Amz-Credential"]).toStartWith(`${creds.web.accessKeyId}/`);
    expect(form.fields["X-Amz-Security-Token"]).toBe(creds.web.sessionToken);
    // S3 fills in ${filename} from the file part.
    const key = form.fields.key!.replace(/\$\{filename\}$/, name);
    await step("upload the input (the PutObject a presigned POST is authorized as)", () =>
      roleClients.web.s3.send(new PutObjectCommand({ Bucket: buckets.inputs, Key: key, Body: body })),
    );
    const submitted = await user.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const text = await submitted.text();
    if (submitted.status !== 201) throw new Error(`submit ${name}: ${submitted.status} ${text}`);
    return (JSON.parse(text) as { job_id: string }).job_id;
  }

  /** The raw emails moto's SES has sent whose text contains `needle`, waiting up to 30 s for one. */
  async function emailsWith(needle: string): Promise<string[]> {
    let found: string[] = [];
    // Not faster: moto's /moto-api/data.json serializes every backend, S3 objects included.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(500)) {
      found = (await mail().rawEmails()).filter((m) => m.includes(needle));
      if (found.length > 0) break;
    }
    return found;
  }

  test("every process is ready: /readyz checks its backends under its own credentials", async () => {
    const answers: Record<string, string> = {};
    for (const role of ROLES) {
      const url = role === "web" ? `${web.url}/readyz` : `http://127.0.0.1:${readyPorts[role]}/readyz`;
      const r = await fetch(url);
      answers[role] = `${r.status} ${r.status === 200 ? "" : await r.text()}`.trim();
    }
    expect(answers).toEqual({ web: "200", annotator: "200", archiver: "200", notifier: "200" });
  });

  test("upload → COMPLETED → email through SES; downloads signed by the web role", async () => {
    const bob = createClient(web.url);
    await bob.signIn("bob@example.org", "Bob");
    // Premium first, so that the archiver leaves this result in place for the downloads below.
    expect(await upgradeThroughLocalCheckout(bob)).toContain("Subscription Succeeded");
    const jobId = await submit(bob, "bob.vcf", await Bun.file(DEMO_VCF).bytes());
    const done = await waitForJob(bob, jobId);
    expect({ status: done.job_status, reason: done.failure_reason }).toEqual({ status: "COMPLETED", reason: null });
    const item = (await admin.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { job_id: { S: jobId } } }))).Item!;
    bobUserId = item.user_id!.S!;
    const resultKey = item.s3_key_result_file!.S!;
    bobJob = { client: bob, jobId, inputKey: item.s3_key_input_file!.S! };

    // The web role streams the plain VCF from S3 itself, and signs the download of the BGZF one.
    const plain = await bob.request(`/annotations/${jobId}/result.vcf`);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toContain("ANN=");
    const download = await bob.request(`/annotations/${jobId}/result`);
    expect(download.status).toBe(303);
    const signed = new URL(download.headers.get("location")!);
    expect(signed.searchParams.get("X-Amz-Credential")).toStartWith(`${creds.web.accessKeyId}/`);
    // moto checks no query-string signature: the GetObject a presigned URL is authorized as, with the web role's keys.
    const bytes = await step("download the result (the GetObject a presigned URL is authorized as)", async () =>
      (await roleClients.web.s3.send(new GetObjectCommand({ Bucket: buckets.results, Key: resultKey }))).Body!.transformToByteArray(),
    );
    expect(gunzipSync(bytes).toString()).toContain("ANN=");

    const mails = await emailsWith(`Results available for job ${jobId}`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain("bob@example.org");
  }, 120_000);

  test("a bad input → FAILED, its email sent; a dead-lettered request → FAILED", async () => {
    const carol = createClient(web.url);
    await carol.signIn("carol@example.org", "Carol");
    const bad = await submit(carol, "bad.vcf", new TextEncoder().encode("this is not a VCF\n"));
    const failed = await waitForJob(carol, bad);
    expect(failed.job_status).toBe("FAILED");
    expect(await emailsWith(`Annotation job ${bad} failed`)).toHaveLength(1);

    // A request that used up its receives: the annotator reads its dead-letter queue and fails the job.
    const jobId = crypto.randomUUID();
    const jobStore = createDynamoJobStore({
      dynamodb: admin.dynamodb,
      table: TABLE,
      userIndex: "user_id_index",
      buckets: { inputs: buckets.inputs, results: buckets.results },
    });
    const inputKey = `${bobUserId}/${jobId}~dead.vcf`;
    await jobStore.create({ id: jobId, userId: bobUserId, inputFileName: "dead.vcf", inputKey, submitTime: new Date() });
    const messaging = createSqsMessaging({
      sqs: admin.sqs,
      sns: admin.sns,
      prefix: PREFIX,
      visibilitySeconds: 30,
      maxAttempts: 5,
      retryBaseSeconds: 5,
    });
    await messaging
      .queue("annotator.dlq")
      .send({ jobId, userId: bobUserId, inputKey, inputFileName: "dead.vcf", submitTime: new Date().toISOString() });
    await messaging.close();
    let status = "";
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && status !== "FAILED"; await Bun.sleep(200))
      status = (await jobStore.get(jobId))?.status ?? "";
    expect(status).toBe("FAILED");
    expect(await emailsWith(`Annotation job ${jobId} failed`)).toHaveLength(1);
  }, 120_000);

  test("free user's result archived, refused, restored on upgrade, restore email through SES", async () => {
    const ada = createClient(web.url);
    await ada.signIn("ada@example.org", "Ada");
    const jobId = await submit(ada, "ada.vcf", await Bun.file(DEMO_VCF).bytes());
    const done = await waitForJob(ada, jobId);
    expect({ status: done.job_status, reason: done.failure_reason }).toEqual({ status: "COMPLETED", reason: null });
    const original = await (await ada.request(`/annotations/${jobId}/result.vcf`)).text();
    expect(original).toContain("ANN=");

    await waitForState(ada, jobId, "ARCHIVED", 60_000);
    const item = async () => (await admin.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { job_id: { S: jobId } } }))).Item!;
    const archived = await item();
    expect(archived.results_file_archive_id?.S).toBe(`archive/${jobId}`);
    const head = (key: string) =>
      admin.s3.send(new HeadObjectCommand({ Bucket: buckets.results, Key: key })).then(
        (h) => h,
        (err) => (statusOf(err) === 404 ? null : Promise.reject(err)),
      );
    expect(await head(archived.s3_key_result_file!.S!)).toBeNull();
    expect((await head(`archive/${jobId}`))?.StorageClass).toBe("DEEP_ARCHIVE");
    expect((await ada.request(`/annotations/${jobId}/result`, html)).status).toBe(402);

    // A witness of what S3 publishes on the archive-restored topic (the archiver's restore queue takes the other copy).
    const witness = (await admin.sqs.send(new CreateQueueCommand({ QueueName: "restore-witness" }))).QueueUrl!;
    const witnessArn = (await admin.sqs.send(new GetQueueAttributesCommand({ QueueUrl: witness, AttributeNames: ["QueueArn"] })))
      .Attributes!.QueueArn!;
    await admin.sns.send(
      new SubscribeCommand({
        TopicArn: `arn:aws:sns:${TEST_REGION}:${ACCOUNT}:${PREFIX}-archive-restored`,
        Protocol: "sqs",
        Endpoint: witnessArn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );

    expect(await upgradeThroughLocalCheckout(ada)).toContain("Subscription Succeeded");
    // RESTORING until S3 announces the restore: nothing finishes it before the object is read below.
    expect(await waitForState(ada, jobId, "RESTORING", 60_000)).toContain("RESTORING");
    // S3's clock: once the archiver has asked for the restore, reading the object finishes it on moto.
    let restore: string | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !restore; await Bun.sleep(200))
      restore = (await head(`archive/${jobId}`))?.Restore;
    expect(restore).toContain('ongoing-request="false"');
    await waitForState(ada, jobId, "AVAILABLE", 60_000);
    const events = (await admin.sqs.send(new ReceiveMessageCommand({ QueueUrl: witness, WaitTimeSeconds: 5 }))).Messages ?? [];
    const records = events.flatMap(
      (m) => (JSON.parse(m.Body!) as { Records?: { eventName: string; s3: { object: { key: string } } }[] }).Records ?? [],
    );
    expect(records.map((r) => `${r.eventName} ${decodeURIComponent(r.s3.object.key)}`)).toContain(
      `ObjectRestore:Completed archive/${jobId}`,
    );
    expect(await (await ada.request(`/annotations/${jobId}/result.vcf`)).text()).toBe(original);
    expect(await head(`archive/${jobId}`)).toBeNull();
    expect(await emailsWith(`Results restored for job ${jobId}`)).toHaveLength(1);
  }, 120_000);

  test("a job split into chunks across the annotator: COMPLETED, as unsplit, its split/ files removed", async () => {
    const dan = createClient(web.url);
    await dan.signIn("dan@example.org", "Dan");
    // Premium: the input is over the free plan's upload size.
    expect(await upgradeThroughLocalCheckout(dan)).toContain("Subscription Succeeded");
    const dir = await mkdtemp(join(work, "split-"));
    const input = join(dir, "genome.vcf");
    await writeBenchVcf(input, join(DEMO, "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz"), SPLIT_VARIANTS, {
      samples: 3,
      known: join(DEMO, "known", "known_variants.chr21_25-26Mb.vcf.gz"),
      knownShare: 0.2,
    });
    const callsBefore = recorders.annotator.calls().length;
    const jobId = await submit(dan, "genome.vcf", await Bun.file(input).bytes());
    const done = await waitForJob(dan, jobId);
    expect({ status: done.job_status, reason: done.failure_reason }).toEqual({ status: "COMPLETED", reason: null });
    const logs = procs.annotator.logs().filter((l) => l.jobId === jobId);
    expect(logs.find((l) => l.msg === "job split")?.chunks).toBe(Math.ceil(SPLIT_VARIANTS / SPLIT_CHUNK_VARIANTS));
    expect(logs.filter((l) => l.msg === "split job merged")).toHaveLength(1);

    // The same input annotated whole by the engine, on the bundle the annotator synced.
    const engine = await startEngineThread({ bundleDir: join(work, "reference") });
    const whole = { vcf: join(dir, "whole.annot.vcf.gz"), store: join(dir, "whole.results.sqlite") };
    try {
      const fields = DEFAULT_JOB_OPTIONS.fields;
      await engine.annotate({
        input,
        outputs: whole,
        fields: { ann: fields.includes("ann"), csq: fields.includes("csq"), pick: DEFAULT_JOB_OPTIONS.pick },
      });
    } finally {
      await engine.close();
    }
    const item = (await admin.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { job_id: { S: jobId } } }))).Item!;
    const merged = await (
      await admin.s3.send(new GetObjectCommand({ Bucket: buckets.results, Key: item.s3_key_result_file!.S! }))
    ).Body!.transformToByteArray();
    const split = gunzipSync(merged).toString();
    expect(split.split("\n").filter((l) => l && !l.startsWith("#"))).toHaveLength(SPLIT_VARIANTS);
    const unsplit = gunzipSync(await Bun.file(whole.vcf).bytes()).toString();
    // Byte for byte; on a difference, the first line that differs (the files are ~1 MB).
    const firstDiff = (a: string[], b: string[]) => a.findIndex((l, i) => l !== b[i]);
    const at = firstDiff(split.split("\n"), unsplit.split("\n"));
    expect(at === -1 ? null : { line: at + 1, split: split.split("\n")[at], unsplit: unsplit.split("\n")[at] }).toBeNull();
    expect(split.length).toBe(unsplit.length);

    // The merging annotator removed every chunk file under its own credentials: nothing left under split/.
    // The removal follows the completion (files, then the split's items): a few seconds' grace.
    const splitItem = async () =>
      (await admin.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { job_id: { S: `#split#${jobId}` } }, ConsistentRead: true })))
        .Item;
    let left: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(250)) {
      left = ((await admin.s3.send(new ListObjectsV2Command({ Bucket: buckets.results, Prefix: "split/" }))).Contents ?? []).map(
        (o) => o.Key!,
      );
      if ((await splitItem()) !== undefined) left.push(`#split#${jobId} (DynamoDB)`);
      if (left.length === 0) break;
    }
    expect(left).toEqual([]);
    expect(logs.filter((l) => l.msg === "could not remove the chunks' files")).toEqual([]);
    // What it called to do so, held to the policy as the playbook wrote it, condition included (moto drops conditions).
    const made = recorders.annotator
      .calls()
      .slice(callsBefore)
      .flatMap((c) => iamActionsOf(c).map((a) => ({ ...a, prefix: new URL(c.url, "http://x").searchParams.get("prefix") ?? undefined })))
      .filter((a) => (a.action === "s3:ListBucket" || a.action === "s3:DeleteObject") && a.resource?.includes(buckets.results));
    // Listed by the merger (and again by any later handler of the job's messages: split-job.ts discard).
    expect([...new Set(made.filter((a) => a.action === "s3:ListBucket").map((a) => a.prefix))]).toEqual([`split/${jobId}/`]);
    // Each chunk's input, and each chunk's VCF, results store and summary.
    expect(new Set(made.filter((a) => a.action === "s3:DeleteObject").map((a) => a.resource)).size).toBe(
      4 * Math.ceil(SPLIT_VARIANTS / SPLIT_CHUNK_VARIANTS),
    );
    const refused = made
      .filter(
        (a) => !policiesAllow([playbookPolicies.annotator], [a.action, a.resource!, a.call, a.prefix ? { "s3:prefix": a.prefix } : {}]),
      )
      .map((a) => `${a.call}${a.prefix ? ` prefix=${a.prefix}` : ""}`);
    expect(refused).toEqual([]);
    // The split's records, removed by the annotators (dynamo-split-store.ts delete): #split# items only, as the policy's condition says.
    const deletes = recorders.annotator
      .calls()
      .slice(callsBefore)
      .filter((c) => iamActionsOf(c).some((a) => a.action === "dynamodb:DeleteItem"))
      .map((c) => String((JSON.parse(c.body) as { Key?: { job_id?: { S?: string } } }).Key?.job_id?.S));
    const table = `arn:aws:dynamodb:${TEST_REGION}:${ACCOUNT}:table/${TABLE}`;
    expect(deletes.length).toBeGreaterThan(0);
    expect(
      deletes.filter(
        (key) => !policiesAllow([playbookPolicies.annotator], ["dynamodb:DeleteItem", table, "", { "dynamodb:LeadingKeys": key }]),
      ),
    ).toEqual([]);
  }, 180_000);

  test("the web role's /metrics reads queue depths and job counts; the annotator publishes its backlog", async () => {
    const metrics = await fetch(`${web.url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/gas_jobs\{[^}]*status="COMPLETED"[^}]*\} [1-9]/);
    expect(text).toMatch(/gas_queue_messages\{[^}]*queue="annotator"/);
    const cloudwatch = new CloudWatchClient({ region: TEST_REGION, endpoint, credentials: adminKeys });
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: "GAS" }));
    cloudwatch.destroy();
    expect((listed.Metrics ?? []).map((m) => m.MetricName)).toContain("BacklogPerInstance");
  });

  test("a job deleted through the web role is removed by the archiver (job.delete); the web role still may not delete", async () => {
    const { client: bob, jobId, inputKey } = bobJob!;
    const item = async () =>
      (await admin.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { job_id: { S: jobId } }, ConsistentRead: true }))).Item;
    const prefix = `${inputKey.split("/")[0]}/${jobId}~`;
    const objects = async (bucket: string) =>
      ((await admin.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
    const results = await objects(buckets.results);
    expect(results.length).toBeGreaterThan(1);
    expect(await objects(buckets.inputs)).toEqual([inputKey]);
    // Why the delete goes through the archiver: the web role may not delete this job's files.
    for (const [bucket, key] of [
      [buckets.results, results[0]!],
      [buckets.inputs, inputKey],
    ] as const) {
      const outcome = await roleClients.web.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).then(
        () => "allowed",
        (err) => (denied(err) ? "denied" : `${(err as Error).name}`),
      );
      expect(`web DeleteObject ${bucket}/${key}: ${outcome}`).toBe(`web DeleteObject ${bucket}/${key}: denied`);
    }
    expect(await objects(buckets.results)).toEqual(results);

    const api = await apiOf(bob);
    expect((await api.request(`/annotations/${jobId}`, { method: "DELETE" })).status).toBe(204);
    expect((await api.json(`/annotations/${jobId}`)).status).toBe(404);
    let left: unknown[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(250)) {
      left = [await item(), ...(await objects(buckets.results)), ...(await objects(buckets.inputs))].filter(Boolean);
      if (left.length === 0) break;
    }
    expect(left).toEqual([]);
    expect(procs.archiver.logs().some((l) => l.msg === "deleted job removed" && l.jobId === jobId)).toBe(true);
    // The web role only published job.delete and marked the job; it removed nothing itself.
    expect(recorders.web.refusals()).toEqual([]);
  }, 60_000);

  test("each role is refused what it does not need", async () => {
    const { web: w, annotator: a, archiver: r, notifier: n } = roleClients;
    // A user's result or archive: split/ is the annotator's to delete (the split test).
    const anyResult = (await admin.s3.send(new ListObjectsV2Command({ Bucket: buckets.results }))).Contents?.find(
      (o) => !o.Key!.startsWith("split/"),
    )?.Key;
    const anyInput = (await admin.s3.send(new ListObjectsV2Command({ Bucket: buckets.inputs, MaxKeys: 1 }))).Contents?.[0]?.Key;
    expect(anyResult && anyInput).toBeTruthy();
    const queueUrl = async (q: string) => (await admin.sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-${q}` }))).QueueUrl!;
    const topicArn = (t: string) => `arn:aws:sns:${TEST_REGION}:${ACCOUNT}:${PREFIX}-${t}`;
    const email = (c: AwsClients) =>
      c.ses.send(
        new SendEmailCommand({
          FromEmailAddress: "noreply@example.org",
          Destination: { ToAddresses: ["x@example.org"] },
          Content: { Simple: { Subject: { Data: "x" }, Body: { Text: { Data: "x" } } } },
        }),
      );
    const attempts: [string, () => Promise<unknown>][] = [
      ["web deletes a result", () => w.s3.send(new DeleteObjectCommand({ Bucket: buckets.results, Key: anyResult }))],
      ["web writes a result", () => w.s3.send(new PutObjectCommand({ Bucket: buckets.results, Key: anyResult, Body: "x" }))],
      ["web reads the annotator's queue", async () => w.sqs.send(new ReceiveMessageCommand({ QueueUrl: await queueUrl("annotator") }))],
      // Not "web sends an email": it sends the address verification email (from SES_FROM only, 42f02b0).
      ["annotator writes an input", () => a.s3.send(new PutObjectCommand({ Bucket: buckets.inputs, Key: anyInput, Body: "x" }))],
      ["annotator deletes a result", () => a.s3.send(new DeleteObjectCommand({ Bucket: buckets.results, Key: anyResult }))],
      // On AWS the ListSplitChunks condition (s3:prefix split/*) refuses any other listing; moto evaluates no
      // condition (forMoto drops it), so that refusal is shown by iam-policies.test.ts and the check below.
      ["annotator reads the notifier's queue", async () => a.sqs.send(new ReceiveMessageCommand({ QueueUrl: await queueUrl("notifier") }))],
      [
        "annotator writes the release bucket",
        () => a.s3.send(new PutObjectCommand({ Bucket: buckets.releases, Key: `releases/${VERSION}/gas`, Body: "x" })),
      ],
      ["archiver reads an input", () => r.s3.send(new GetObjectCommand({ Bucket: buckets.inputs, Key: anyInput }))],
      // Not "archiver publishes a job request": moto checks no SNS resource, so any sns:Publish allows every topic.
      [
        "archiver reads the annotator's queue",
        async () => r.sqs.send(new ReceiveMessageCommand({ QueueUrl: await queueUrl("annotator") })),
      ],
      ["archiver sends an email", () => email(r)],
      ["notifier reads a result", () => n.s3.send(new GetObjectCommand({ Bucket: buckets.results, Key: anyResult }))],
      ["notifier writes a result", () => n.s3.send(new PutObjectCommand({ Bucket: buckets.results, Key: "user/x/evil", Body: "x" }))],
      ["notifier publishes a job request", () => n.sns.send(new PublishCommand({ TopicArn: topicArn("job-requested"), Message: "{}" }))],
      [
        "notifier reads the reference bundle",
        () => n.s3.send(new GetObjectCommand({ Bucket: buckets.releases, Key: "reference/manifest.json" })),
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

  test("every AWS call each role's process made is one the topology checker expects of that role", () => {
    // The checker's table (iam-checks.ts) is what the rendered policies are held to (iam-policies.test.ts,
    // and the checker on a live topology): a call the code makes that the table lacks would go unchecked.
    const spec = defaultSpec({ region: TEST_REGION, accountSuffix: suffix, prefix: PREFIX });
    const unexpected = new Set<string>();
    let seen = 0;
    for (const role of ROLES) {
      const table = requiredRequests(role, spec, ACCOUNT);
      for (const call of recorders[role].calls())
        for (const { action, resource, call: op } of iamActionsOf(call)) {
          seen++;
          const scope = resourceScope(action, resource);
          const covered = table.some(
            ([a, r]) => a.toLowerCase() === action.toLowerCase() && (scope === undefined || resourceScope(a, r) === scope),
          );
          if (!covered) unexpected.add(`${role}: ${action}${scope ? ` on ${scope}` : ""} (${op})`);
        }
    }
    expect(seen).toBeGreaterThan(100);
    expect([...unexpected].sort()).toEqual([]);
  });

  test("moto refused no call of any role's process", () => {
    const refused = Object.fromEntries(ROLES.map((role) => [role, recorders[role].refusals()]));
    expect(refused).toEqual({ web: [], annotator: [], archiver: [], notifier: [] });
  });

  test("no process logged a refused AWS call", () => {
    const refusals = ROLES.flatMap((role) =>
      procs[role]
        .logs()
        .filter((l) => l.level === "warn" || l.level === "error")
        .map((l) => JSON.stringify(l))
        // moto refuses a JSON-protocol call (DynamoDB, SQS, SES) with XML the SDK cannot parse: "Unrecognized token '<'".
        .filter((l) => /AccessDenied|not authorized|\b403\b|InvalidClientTokenId|SignatureDoesNotMatch|Unrecognized token '<'/i.test(l))
        .map((l) => `${role}: ${l.slice(0, 400)}`),
    );
    expect(refusals).toEqual([]);
  });

  // Last: it makes refusals on purpose. Each case takes one action out of the web role's policy on
  // moto (every statement), makes the request a user makes, and puts the policy back: the request
  // fails and the refused call is named. iam-policies.test.ts shows the same for every action of
  // every template, statically; this shows the running process depends on them.
  test("a web policy without an action its code needs: the user's request fails, the refusal named", async () => {
    const session = createClient(web.url);
    await session.signIn("ada@example.org", "Ada");
    const ada = await apiOf(session);
    const listed = (await (await ada.json("/annotations")).json()) as { jobs: { job_id: string; job_status: string }[] };
    const available = listed.jobs.find((j) => j.job_status === "COMPLETED")!.job_id;
    const cases: [action: string, request: () => Promise<Response>][] = [
      ["s3:GetObject", () => ada.request(`/annotations/${available}/result.vcf`)],
      ["dynamodb:Query", () => ada.json("/annotations")],
      ["sns:Publish", () => ada.request(`/annotations/${available}`, { method: "DELETE" })],
    ];
    const outcomes: string[] = [];
    for (const [action, request] of cases) {
      const before = recorders.web.calls().length;
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: `${PREFIX}-web`,
          PolicyName: `${PREFIX}-web`,
          PolicyDocument: JSON.stringify(withoutAction(motoPolicies.web, action, /.*/)),
        }),
      );
      try {
        const r = await request();
        await r.arrayBuffer();
        const refused = recorders.web
          .calls()
          .slice(before)
          .filter((c) => c.status === 403)
          .flatMap(iamActionsOf)
          .map((a) => a.action);
        outcomes.push(
          `without ${action}: ${r.status >= 400 ? "request failed" : `request answered ${r.status}`}, refused ${[...new Set(refused)].join(", ") || "nothing"}`,
        );
      } finally {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: `${PREFIX}-web`,
            PolicyName: `${PREFIX}-web`,
            PolicyDocument: JSON.stringify(motoPolicies.web),
          }),
        );
      }
    }
    expect(outcomes).toEqual(cases.map(([a]) => `without ${a}: request failed, refused ${a}`));
    // With the policy back, the same requests work again.
    expect((await ada.request(`/annotations/${available}/result.vcf`)).status).toBe(200);
  }, 60_000);
});
