import { describe } from "bun:test";
import { randomUUID } from "node:crypto";
import type { Database } from "../../db/open-database.ts";
import { users } from "../../db/schema.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { splitStoreContract } from "../../ports/split-store.contract.ts";
import { createPgJobStore } from "./pg-job-store.ts";
import { createPgSplitStore } from "./pg-split-store.ts";

const harness = (openDb: () => Promise<Database>) => async () => {
  const database = await openDb();
  const jobs = createPgJobStore(database.db);
  return {
    store: createPgSplitStore(database.db),
    // The split's rows reference the job (and go when it is deleted).
    makeJob: async () => {
      const userId = randomUUID();
      await database.db.insert(users).values({ id: userId, subject: `dev:${userId}`, email: `${userId}@example.org`, name: "T" });
      const id = randomUUID();
      await jobs.create({ id, userId, inputFileName: "g.vcf.gz", inputKey: `${userId}/${id}~g.vcf.gz`, submitTime: new Date() });
      return id;
    },
    close: () => database.close(),
  };
};

splitStoreContract("PostgreSQL on PGlite", harness(openTestPglite));
describe.if(!!testDatabaseUrl)("real PostgreSQL", () => splitStoreContract("PostgreSQL on PostgreSQL", harness(openTestPostgres)));
