/**
 * AWS emulators for the AWS adapters' contract tests, started in this process on free ports
 * (port 0), no Docker: fauxqs (S3, SQS, SNS), dynalite (DynamoDB), aws-ses-v2-local (SES v2).
 * All three run under Bun as libraries. Each test file starts what it needs once and stops it
 * in afterAll; each test makes uniquely named resources (`uniqueName`) and removes them.
 *
 * Where these emulators differ from AWS (found while writing the adapters; the adapters do not
 * rely on any of it, and the tests avoid asserting it):
 * - fauxqs: no auth, so queue policies are stored but not enforced (an SNS → SQS subscription
 *   delivers even without the policy AWS needs); POST policies are not checked (the S3 test
 *   decodes and asserts them instead); SendMessage accepts DelaySeconds > 900 (AWS refuses);
 *   DeleteMessageBatch reports a malformed receipt handle as deleted (AWS: ReceiptHandleIsInvalid);
 *   HeadObject does not echo x-amz-server-side-encryption; no ListMultipartUploads, RestoreObject,
 *   bucket encryption or public-access-block APIs. Like AWS: a stale receipt handle makes
 *   DeleteMessage succeed without deleting and ChangeMessageVisibility fail; a long poll whose
 *   client went away still takes a message.
 * - dynalite: no transactions; ReturnValuesOnConditionCheckFailure is ignored; global secondary
 *   indexes are read-after-write consistent (on AWS they are eventually consistent).
 * - aws-ses-v2-local: no sandbox or verified identities, addresses are not validated, email tags
 *   are dropped; the raw message the test parses is the emulator's own rendering (nodemailer) of
 *   the SendEmail request, and its mail store is shared by every server in the process. It has
 *   no GetEmailIdentity (moto has), so a process on it answers /readyz with 503 `mail`: the SES
 *   readiness check (src/adapters/aws/ses-mailer.ts) is tested on moto only.
 * - fauxqs also keeps no storage class and has no RestoreObject or bucket notifications: the S3
 *   archive vault's tests put test/support/s3-restore-fake.ts in front of it.
 * - moto (GAS_TEST_AWS_ENDPOINT, `bun test/support/with-moto.ts …`): ChangeMessageVisibility and
 *   DeleteMessage accept a stale receipt handle; the POST-upload redirect has no etag; SES keeps
 *   one body of a Simple message (the HTML) and no MIME rendering; conditional writes in DynamoDB
 *   race under concurrent requests; restores advance only through its state manager, and
 *   /moto-api/data.json fails once a bucket with objects was deleted (with-moto.ts freezes
 *   restore states to keep it working, so the archive suites do not run on moto).
 */
import { afterAll, beforeAll, setDefaultTimeout } from "bun:test";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DeleteBucketCommand, DeleteObjectsCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { DeleteTopicCommand, ListSubscriptionsByTopicCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import dynalite from "dynalite";
import { startFauxqs } from "fauxqs";
import startSesServer from "aws-ses-v2-local";
import { type AwsClients, createAwsClients } from "../../src/adapters/aws/aws-clients.ts";
import type { BootstrapReport } from "../../src/adapters/aws/aws-bootstrap.ts";

/** Emulators accept any key; the adapters get these only through the test-only option. */
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
export const TEST_REGION = "us-east-1";

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** A name no other test (or earlier run against a shared emulator) uses: `<base>-<hex>`. */
export const uniqueName = (base: string) => `${base}-${randomBytes(5).toString("hex")}`;

/**
 * GAS_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT: run the AWS suites against one external endpoint
 * that speaks every service (moto_server in .ci/run) instead of the in-process emulators. The
 * launchers below then start nothing and `stop` leaves the server running.
 */
export const externalEndpoint: string | null = Bun.env.GAS_TEST_AWS_ENDPOINT || null;

/** Which emulator answers: "moto" (external endpoint) or the in-process ones, for suite names. */
export const emulatorName = (inProcess: string) => (externalEndpoint ? `external endpoint ${externalEndpoint}` : inProcess);

const external = (): Emulator => ({ endpoint: externalEndpoint!, stop: async () => {} });

/** fauxqs: SQS, SNS (→ SQS fan-out) and S3 on one endpoint. */
export async function startFauxqsEmulator(): Promise<Emulator> {
  if (externalEndpoint) return external();
  const server = await startFauxqs({ port: 0, host: "localhost", logger: false });
  return { endpoint: server.address, stop: () => server.stop() };
}

/** dynalite: DynamoDB in memory, tables ACTIVE at once. */
export async function startDynaliteEmulator(): Promise<Emulator> {
  if (externalEndpoint) return external();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SesEmulator extends Emulator {
  /** Raw RFC 5322 messages received since the last `clear()`, as the emulator renders them. */
  rawEmails(): Promise<string[]>;
  clear(): Promise<void>;
}

/**
 * aws-ses-v2-local. Its mail store is module-global (one per process, shared by every server
 * it starts), so a test clears it before it sends; bun runs the tests of a file one at a time.
 */
export async function startSesEmulator(): Promise<SesEmulator> {
  if (externalEndpoint) return motoSes(externalEndpoint);
  const server = await startSesServer({ host: "127.0.0.1", port: 0 });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async clear() {
      const r = await fetch(`${endpoint}/clear-store`, { method: "POST" });
      if (!r.ok) throw new Error(`aws-ses-v2-local: clear-store answered ${r.status}`);
    },
    async rawEmails() {
      const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: { messageId: string }[] };
      return Promise.all(
        store.emails.map(async (e) => {
          const r = await fetch(`${endpoint}/get-emlContent?messageId=${encodeURIComponent(e.messageId)}`);
          const { body } = (await r.json()) as { body: { type: "Buffer"; data: number[] } };
          return Buffer.from(body.data).toString("utf8");
        }),
      );
    },
  };
}

/**
 * SES on moto: sent mail is read from moto's own introspection API (`/moto-api/data.json`, the
 * SES backend's `sent_messages`), which keeps every message since the server started; `clear`
 * remembers the ids there were, so a test sees only its own. (Ids are random strings since moto
 * 5.2.5, so neither their order nor a count says which messages are new.)
 */
export function motoSes(endpoint: string): SesEmulator {
  let seen = new Set<string>();
  const all = async (): Promise<MotoSesMessage[]> => {
    const r = await fetch(`${endpoint}/moto-api/data.json`);
    if (!r.ok) throw new Error(`moto: /moto-api/data.json answered ${r.status}`);
    const data = (await r.json()) as { ses?: { Message?: MotoSesMessage[]; RawMessage?: MotoSesMessage[] } };
    return [...(data.ses?.RawMessage ?? []), ...(data.ses?.Message ?? [])];
  };
  return {
    endpoint,
    stop: async () => {},
    async clear() {
      seen = new Set((await all()).map((m) => String(m.id)));
    },
    async rawEmails() {
      return (await all()).filter((m) => !seen.has(String(m.id))).map(renderMotoMessage);
    },
  };
}

interface MotoSesMessage {
  id?: string;
  raw_data?: string;
  source?: string;
  destinations?: { ToAddresses?: string[] } | string[];
  subject?: string;
  body?: string;
}

/** moto keeps raw messages as sent and simple ones as fields: render the latter as RFC 5322. */
function renderMotoMessage(m: MotoSesMessage): string {
  if (m.raw_data) return m.raw_data;
  const to = Array.isArray(m.destinations) ? m.destinations : (m.destinations?.ToAddresses ?? []);
  return [
    `From: ${m.source ?? ""}`,
    `To: ${to.join(", ")}`,
    `Subject: ${m.subject ?? ""}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    m.body ?? "",
  ].join("\r\n");
}

/** Every endpoint the service needs, for the end-to-end test. */
export interface AwsTestEndpoints {
  /** S3, SQS and SNS. */
  s3: string;
  dynamodb: string;
  ses: string;
  rawEmails(): Promise<string[]>;
  clearEmails(): Promise<void>;
  stop(): Promise<void>;
}

/** fauxqs, dynalite and aws-ses-v2-local in this process (or the external endpoint for all). */
export async function startAwsTestEndpoints(): Promise<AwsTestEndpoints> {
  const [queues, dynamo, ses] = await Promise.all([startFauxqsEmulator(), startDynaliteEmulator(), startSesEmulator()]);
  return {
    s3: queues.endpoint,
    dynamodb: dynamo.endpoint,
    ses: ses.endpoint,
    rawEmails: () => ses.rawEmails(),
    clearEmails: () => ses.clear(),
    stop: async () => {
      await Promise.all([queues.stop(), dynamo.stop(), ses.stop()]);
    },
  };
}

/** SDK clients for `startAwsTestEndpoints`' endpoints. */
export function endpointClients(e: Pick<AwsTestEndpoints, "s3" | "dynamodb" | "ses">): AwsClients {
  return createAwsClients({
    region: TEST_REGION,
    endpoint: e.s3,
    endpoints: { dynamodb: e.dynamodb, sesv2: e.ses },
    credentials: TEST_CREDENTIALS,
  });
}

/** SDK clients for the emulators (one endpoint per service family). */
export function emulatorClients(endpoint: string): AwsClients {
  return createAwsClients({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS });
}

/** What `emulatorFixture` hands a test file: readable once its `beforeAll` has run. */
export interface EmulatorFixture<E extends Emulator> {
  readonly emulator: E;
  readonly endpoint: string;
  /** SDK clients pointed at the emulator. */
  readonly clients: AwsClients;
}

/**
 * Start an emulator before a test file's tests and stop it (and its clients) after them: the
 * `beforeAll`/`afterAll` pair every AWS adapter test wrote out. Call it at the top level of the
 * file (or in a `describe`). Also raises the file's default test timeout to 30 s: emulator round
 * trips on a loaded 2-core CI machine outgrow bun's 5 s, and the preload's setting does not reach
 * every file (test/support/test-defaults.ts).
 */
export function emulatorFixture<E extends Emulator>(start: () => Promise<E>): EmulatorFixture<E> {
  setDefaultTimeout(30_000);
  let running: { emulator: E; clients: AwsClients } | null = null;
  beforeAll(async () => {
    const emulator = await start();
    running = { emulator, clients: emulatorClients(emulator.endpoint) };
  });
  afterAll(async () => {
    running?.clients.destroy();
    await running?.emulator.stop();
    running = null;
  });
  const get = () => {
    if (!running) throw new Error("emulatorFixture: the emulator is not running (read it inside a test or hook)");
    return running;
  };
  return {
    get emulator() {
      return get().emulator;
    },
    get endpoint() {
      return get().emulator.endpoint;
    },
    get clients() {
      return get().clients;
    },
  };
}

/** Remove a bucket with everything in it. */
export async function deleteBucket(clients: AwsClients, bucket: string): Promise<void> {
  for await (const page of paginateListObjectsV2({ client: clients.s3 }, { Bucket: bucket })) {
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length > 0) await clients.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Remove what `bootstrapAws` made for SNS/SQS: subscriptions, topics and queues. */
export async function deleteMessaging(clients: AwsClients, report: Pick<BootstrapReport, "topics" | "queues">): Promise<void> {
  for (const arn of Object.values(report.topics)) {
    const subs = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    for (const s of subs.Subscriptions ?? [])
      if (s.SubscriptionArn) await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: arn }));
  }
  for (const url of Object.values(report.queues)) await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
}

/** Remove a DynamoDB table. */
export async function deleteTable(clients: AwsClients, table: string): Promise<void> {
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: table }));
}
