import { describe } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../db/open-database.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { archiveVaultContract } from "../../ports/archive-vault.contract.ts";
import { createFsArchiveVault } from "./fs-archive-vault.ts";
import { createPgMessaging } from "./pg-queue.ts";

const RESTORE_SECONDS = 1;

const harness = (openDb: () => Promise<Database>) => async () => {
  const database = await openDb();
  const root = await mkdtemp(join(tmpdir(), "gas-vault-"));
  const messaging = createPgMessaging(database, { visibilitySeconds: 30, maxAttempts: 3, retryBaseSeconds: 1, pollMs: 100 });
  const restores = messaging.queue<unknown>("restore");
  return {
    vault: createFsArchiveVault({ root, topic: messaging.topic, restoreDelaySeconds: RESTORE_SECONDS }),
    restoreSeconds: RESTORE_SECONDS,
    async nextNotice(timeoutMs: number) {
      const [d] = await restores.receive({ waitSeconds: timeoutMs / 1000 });
      if (!d) return null;
      await restores.ack(d);
      return d.message;
    },
    async close() {
      await messaging.close();
      await database.close();
      await rm(root, { recursive: true, force: true });
    },
  };
};

archiveVaultContract("folder vault on PGlite messaging", harness(openTestPglite));
describe.if(!!testDatabaseUrl)("real PostgreSQL", () => archiveVaultContract("folder vault on PostgreSQL messaging", harness(openTestPostgres)));
