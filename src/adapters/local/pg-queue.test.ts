import { describe } from "bun:test";
import type { Database } from "../../db/open-database.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { queueContract } from "../../ports/queue.contract.ts";
import { createPgMessaging } from "./pg-queue.ts";

const settings = { visibilitySeconds: 1, maxAttempts: 3, retryBaseSeconds: 1 } as const;
const harness = (openDb: () => Promise<Database>) => async () => {
  const database = await openDb();
  const m = createPgMessaging(database, { ...settings, pollMs: 200 });
  return {
    topic: m.topic,
    queue: m.queue,
    settings,
    close: async () => {
      await m.close();
      await database.close();
    },
  };
};

queueContract("PostgreSQL queue on PGlite", harness(openTestPglite));
describe.if(!!testDatabaseUrl)("real PostgreSQL", () => queueContract("PostgreSQL queue on PostgreSQL", harness(openTestPostgres)));
