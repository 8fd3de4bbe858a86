import { describe } from "bun:test";
import { randomUUID } from "node:crypto";
import type { Database } from "../../db/open-database.ts";
import { users } from "../../db/schema.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { jobStoreContract } from "../../ports/job-store.contract.ts";
import { createPgJobStore } from "./pg-job-store.ts";

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
