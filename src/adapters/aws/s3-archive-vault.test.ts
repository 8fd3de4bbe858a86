/**
 * The ArchiveVault contract on S3 archive storage classes. fauxqs stores objects and fans SNS out
 * to SQS, but keeps no storage class and has no RestoreObject or bucket notifications, so a fake
 * in front of it (test/support/s3-restore-fake.ts) speaks those parts of S3's protocol, including
 * S3's own `ObjectRestore:Completed` event published to the `archive.restored` topic, which the
 * real subscription carries to the `restore` queue. Everything is set up by the bootstrap code.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { archiveVaultContract } from "../../ports/archive-vault.contract.ts";
import {
  type Emulator,
  deleteBucket,
  deleteMessaging,
  emulatorClients,
  externalEndpoint,
  startFauxqsEmulator,
  uniqueName,
} from "../../../test/support/aws-emulators.ts";
import { type S3RestoreFake, startS3RestoreFake } from "../../../test/support/s3-restore-fake.ts";
import type { AwsClients } from "./aws-clients.ts";
import { bootstrapArchiveNotifications, bootstrapBuckets, bootstrapMessaging } from "./aws-bootstrap.ts";
import { ARCHIVE_PREFIX, createS3ArchiveVault, decodeRestoreEvent } from "./s3-archive-vault.ts";
import { topicResourceName } from "./aws-resources.ts";
import { createSqsMessaging } from "./sqs-messaging.ts";

setDefaultTimeout(30_000);

const RESTORE_MS = 800;
const settings = { visibilitySeconds: 5, maxAttempts: 3, retryBaseSeconds: 1 } as const;
let emulator: Emulator;
let fake: S3RestoreFake;
let upstream: AwsClients;
let clients: AwsClients;

// moto's restores advance only through its state manager (with-moto.ts freezes it so its SES
// introspection works), so this suite runs on fauxqs + the fake only.
describe.if(!externalEndpoint)("S3 archive storage classes", () => {
  beforeAll(async () => {
    emulator = await startFauxqsEmulator();
    upstream = emulatorClients(emulator.endpoint);
    fake = startS3RestoreFake({ upstream: emulator.endpoint, sns: upstream.sns, restoreMs: RESTORE_MS });
    clients = emulatorClients(emulator.endpoint);
    // S3 requests go through the fake; SNS and SQS straight to fauxqs.
    clients.s3.destroy();
    clients.s3 = emulatorClients(fake.endpoint).s3;
  });
  afterAll(async () => {
    clients.destroy();
    upstream.destroy();
    await fake.stop();
    await emulator.stop();
  });

  async function open() {
    const prefix = uniqueName("gas-arch");
    const bucket = `${prefix}-results`;
    await bootstrapBuckets(clients, [bucket]);
    const made = await bootstrapMessaging(clients, prefix, settings);
    await bootstrapArchiveNotifications(clients, bucket, made.topics[topicResourceName(prefix, "archive.restored")]!, ARCHIVE_PREFIX);
    const messaging = createSqsMessaging({ sqs: clients.sqs, sns: clients.sns, prefix, ...settings });
    const restores = messaging.queue<unknown>("restore");
    return {
      vault: createS3ArchiveVault({ s3: clients.s3, bucket }),
      bucket,
      restoreSeconds: Math.ceil(RESTORE_MS / 1000),
      async nextNotice(timeoutMs: number) {
        const [d] = await restores.receive({ waitSeconds: Math.ceil(timeoutMs / 1000) });
        if (!d) return null;
        await restores.ack(d);
        return d.message;
      },
      async close() {
        await messaging.close();
        await deleteMessaging(clients, made);
        await deleteBucket(clients, bucket);
      },
    };
  }

  archiveVaultContract("S3 DEEP_ARCHIVE on fauxqs + restore fake", open);

  describe("S3 archive specifics", () => {
    test("archives are DEEP_ARCHIVE objects under archive/<ref>, encrypted, tagged with the ref", async () => {
      const h = await open();
      try {
        const id = await h.vault.archive("job-1", new TextEncoder().encode("x"));
        expect(id).toBe("archive/job-1");
        const head = await clients.s3.send(new HeadObjectCommand({ Bucket: h.bucket, Key: id }));
        expect(head.StorageClass).toBe("DEEP_ARCHIVE");
        expect(head.Restore).toBeUndefined();
        await expect(h.vault.archive("../etc", new Uint8Array())).rejects.toThrow(/ref/);
      } finally {
        await h.close();
      }
    });

    test("S3 event records: only ObjectRestore:Completed for this bucket's archive prefix, URL-decoded", () => {
      const rec = (eventName: string, bucket: string, key: string) => ({ eventName, s3: { bucket: { name: bucket }, object: { key } } });
      const msg = {
        Records: [
          rec("ObjectRestore:Completed", "b", "archive/job-1"),
          rec("ObjectRestore:Post", "b", "archive/job-2"),
          rec("ObjectRestore:Completed", "other", "archive/job-3"),
          rec("ObjectRestore:Completed", "b", "u1/job-4"),
          rec("ObjectRestore:Completed", "b", "archive/job%2D5"),
        ],
      };
      expect(decodeRestoreEvent(msg, "b")).toEqual([
        { archiveId: "archive/job-1", ref: "job-1" },
        { archiveId: "archive/job-5", ref: "job-5" },
      ]);
      expect(decodeRestoreEvent({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "b" }, "b")).toEqual([]);
    });
  });
});
