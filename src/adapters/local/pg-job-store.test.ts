import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import type { Database } from "../../db/open-database.ts";
import { users } from "../../db/schema.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { jobStoreContract } from "../../ports/job-store.contract.ts";
import { createPgJobStore } from "./pg-job-store.ts";
import { createPgMessaging } from "./pg-queue.ts";

const harness = (openDb: () => Promise<Database>) => async () => {
  const database = await openDb();
  return {
    store: createPgJobStore(database.db),
    makeUser: async () => {
      const id = randomUUID();
      await database.db.insert(users).values({ id, subject: `dev:${id}`, email: `${id}@example.org`, name: "T" });
      return id;
    },
    close: () => database.close(),
  };
};

jobStoreContract("PostgreSQL on PGlite", harness(openTestPglite));
describe.if(!!testDatabaseUrl)("real PostgreSQL", () => jobStoreContract("PostgreSQL on PostgreSQL", harness(openTestPostgres)));

/** createAndAnnounce: the job and its job.requested message in one statement (the outbox). */
const outboxSuite = (name: string, openDb: () => Promise<Database>) =>
  describe(`createAndAnnounce (${name})`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await openDb();
    }, 60_000);
    afterAll(() => database.close());

    test("inserts the job and enqueues the message once; a duplicate id does neither", async () => {
      const messaging = createPgMessaging(database, { visibilitySeconds: 30, maxAttempts: 3, retryBaseSeconds: 1, pollMs: 100 });
      const store = createPgJobStore(database.db, { outbox: messaging.outbox });
      const userId = randomUUID();
      await database.db.insert(users).values({ id: userId, subject: `dev:${userId}`, email: `${userId}@example.org`, name: "T" });
      const job = {
        id: randomUUID(),
        userId,
        inputFileName: "a.vcf",
        inputKey: `${userId}/x~a.vcf`,
        submitTime: new Date("2026-01-02T03:04:05Z"),
      };
      const message = { jobId: job.id, userId, inputKey: job.inputKey, inputFileName: "a.vcf", submitTime: job.submitTime.toISOString() };
      const annotator = messaging.queue<typeof message>("annotator");
      // A waiting receiver is woken by the statement's NOTIFY, well before its 20 s poll.
      const woken = annotator.receive({ max: 1, waitSeconds: 20 });
      await Bun.sleep(100);
      const started = performance.now();
      expect(await store.createAndAnnounce!(job, { topic: "job.requested", message })).toBe(true);
      const [delivery] = await woken;
      expect(performance.now() - started).toBeLessThan(5000);
      expect(delivery?.message).toEqual(message);
      expect(await store.get(job.id)).toMatchObject({ status: "PENDING", submitTime: job.submitTime, inputFileName: "a.vcf" });

      expect(await store.createAndAnnounce!({ ...job, inputFileName: "b.vcf" }, { topic: "job.requested", message })).toBe(false);
      expect((await store.get(job.id))?.inputFileName).toBe("a.vcf");
      expect(await annotator.depth()).toBe(1); // only the first message
      await messaging.close();
    }, 60_000);

    test("is absent without an outbox (callers then create and publish)", () => {
      expect(createPgJobStore(database.db).createAndAnnounce).toBeUndefined();
    });
  });

outboxSuite("PGlite", openTestPglite);
describe.if(!!testDatabaseUrl)("real PostgreSQL", () => outboxSuite("PostgreSQL", openTestPostgres));
