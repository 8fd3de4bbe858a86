/**
 * The push starter as the annotator role uses it: HTTPS on its port with configured PEM files,
 * a signed push over TLS rings the SQS queue it wrapped (fauxqs), unreadable files are named.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TopicMessages } from "../../ports/queue.ts";
import { createLogger } from "../../shared/logger.ts";
import {
  type Emulator,
  deleteMessaging,
  emulatorClients,
  emulatorName,
  startFauxqsEmulator,
  uniqueName,
} from "../../../test/support/aws-emulators.ts";
import { type SnsTestPublisher, selfSignedCertificate, startSnsTestPublisher } from "../../../test/support/sns-test-publisher.ts";
import type { AwsClients } from "./aws-clients.ts";
import { bootstrapMessaging } from "./aws-bootstrap.ts";
import { createSnsPushStarter } from "./sns-push-endpoint.ts";
import { createSqsMessaging } from "./sqs-messaging.ts";

setDefaultTimeout(30_000);

const quiet = createLogger("error", {}, () => {});
const settings = { visibilitySeconds: 30, maxAttempts: 3, retryBaseSeconds: 1 } as const;
let emulator: Emulator;
let clients: AwsClients;
let sns: SnsTestPublisher;
let dir: string;

beforeAll(async () => {
  emulator = await startFauxqsEmulator();
  clients = emulatorClients(emulator.endpoint);
  sns = await startSnsTestPublisher();
  dir = await mkdtemp(join(tmpdir(), "gas-push-tls-"));
  const keys = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  await writeFile(join(dir, "push.crt"), selfSignedCertificate(keys));
  await writeFile(join(dir, "push.key"), keys.privateKey);
});
afterAll(async () => {
  await sns.stop();
  clients.destroy();
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
});

describe(`SNS push endpoint (${emulatorName("fauxqs")})`, () => {
  test("serves HTTPS with the configured files; a signed push over TLS makes the wrapped SQS queue hand out the job", async () => {
    const prefix = uniqueName("gas-push-tls");
    const made = await bootstrapMessaging(clients, prefix, settings);
    const messaging = createSqsMessaging({ sqs: clients.sqs, sns: clients.sns, prefix, ...settings });
    const starter = createSnsPushStarter({
      host: "127.0.0.1",
      port: 0,
      topicArn: sns.topicArn,
      tls: { certFile: join(dir, "push.crt"), keyFile: join(dir, "push.key") },
      sweepSeconds: 600,
      trustedTestOrigin: sns.origin,
    });
    const push = await starter.start(messaging.queue<TopicMessages["job.requested"]>("annotator"), quiet);
    try {
      expect(push.url).toStartWith("https://127.0.0.1:");
      const insecure = { tls: { rejectUnauthorized: false } } as RequestInit;
      expect(await (await fetch(`${push.url}/`, insecure)).text()).toContain("POST job to /process-job-request");
      expect(await push.queue.receive({ waitSeconds: 0 })).toEqual([]); // the start look
      await messaging.topic.publish("job.requested", {
        jobId: "tls-job",
        userId: "u",
        inputKey: "k",
        inputFileName: "f.vcf",
        submitTime: new Date().toISOString(),
      });
      const waiting = push.queue.receive({ waitSeconds: 20 });
      const m = sns.notification({ message: JSON.stringify({ jobId: "tls-job" }) });
      const res = await fetch(`${push.url}/process-job-request`, {
        ...insecure,
        method: "POST",
        body: JSON.stringify(m),
        headers: { "x-amz-sns-message-type": "Notification" },
      });
      expect(res.status).toBe(201);
      const got = await waiting;
      expect(got.map((d) => d.message.jobId)).toEqual(["tls-job"]);
      expect(await push.queue.ack(got[0]!)).toBe(true);
    } finally {
      await push.stop();
      await messaging.close();
      await deleteMessaging(clients, made);
    }
  });

  test("an unreadable certificate file is named with its variable", async () => {
    const starter = createSnsPushStarter({
      host: "127.0.0.1",
      port: 0,
      topicArn: sns.topicArn,
      tls: { certFile: join(dir, "missing.crt"), keyFile: join(dir, "push.key") },
      sweepSeconds: 60,
      trustedTestOrigin: null,
    });
    const queue = createSqsMessaging({ sqs: clients.sqs, sns: clients.sns, prefix: "unused", ...settings });
    try {
      await expect(starter.start(queue.queue("annotator"), quiet)).rejects.toThrow(
        `ANNOTATOR_PUSH_TLS_CERT: cannot read ${join(dir, "missing.crt")}`,
      );
    } finally {
      await queue.close();
    }
  });
});
