import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../db/open-database.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { archiveVaultContract } from "../../ports/archive-vault.contract.ts";
import { createFsArchiveVault } from "./fs-archive-vault.ts";
import { createPgMessaging } from "./pg-queue.ts";
import { STALE_TEMP_AFTER_MS } from "./stale-temp-files.ts";

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
describe.if(!!testDatabaseUrl)("real PostgreSQL", () =>
  archiveVaultContract("folder vault on PostgreSQL messaging", harness(openTestPostgres)),
);

describe("folder vault: stale temp files of killed writers", () => {
  const aged = async (path: string, ageMs: number) => {
    await Bun.write(path, "half-written");
    const when = new Date(Date.now() - ageMs);
    await utimes(path, when, when);
  };
  const STALE = STALE_TEMP_AFTER_MS + 60_000;
  let database: Database;
  let messaging: ReturnType<typeof createPgMessaging>;
  beforeAll(async () => {
    database = await openTestPglite();
    messaging = createPgMessaging(database, { visibilitySeconds: 30, maxAttempts: 3, retryBaseSeconds: 1, pollMs: 100 });
  });
  afterAll(async () => {
    await messaging.close();
    await database.close();
  });
  const open = (root: string) => createFsArchiveVault({ root, topic: messaging.topic, restoreDelaySeconds: RESTORE_SECONDS });

  test("removed when the vault is created if older than the grace period; fresh temps, archives and restore markers are kept", async () => {
    const root = await mkdtemp(join(tmpdir(), "gas-vault-"));
    try {
      const id = `local-${"a".repeat(40)}`;
      const keep = [
        `${id}.archive`, // real data, however old
        `${id}.restore`,
        `${id}.archive.${randomUUID()}.tmp`, // a live writer's
        "notes.tmp", // not a name the vault writes
      ];
      await aged(join(root, keep[0]!), STALE * 10);
      await aged(join(root, keep[1]!), STALE * 10);
      await aged(join(root, keep[2]!), 5_000);
      await aged(join(root, keep[3]!), STALE);
      await aged(join(root, `${id}.archive.${randomUUID()}.tmp`), STALE);
      await aged(join(root, `${id}.restore.${randomUUID()}.tmp`), STALE);
      expect(await open(root).staleTempsRemoved).toBe(2);
      expect((await readdir(root)).sort()).toEqual(keep.sort());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("a vault folder that does not exist yet is fine, and is created by the first archive", async () => {
    const parent = await mkdtemp(join(tmpdir(), "gas-vault-"));
    try {
      const vault = open(join(parent, "not-yet"));
      expect(await vault.staleTempsRemoved).toBe(0);
      const archiveId = await vault.archive("job-1", new TextEncoder().encode("bytes"));
      expect(await readdir(join(parent, "not-yet"))).toEqual([`${archiveId}.archive`]);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
