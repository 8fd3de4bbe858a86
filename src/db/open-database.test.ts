import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { sql } from "drizzle-orm";
import { renderEmbeddedMigrations } from "./embed-migrations.ts";
import { openDatabase } from "./open-database.ts";
import { openTestPostgres, testDatabaseUrl } from "./test-database.ts";

describe("database", () => {
  test("the embedded migrations match src/db/migrations (run `bun run db:generate`)", async () => {
    const expected = await renderEmbeddedMigrations(join(import.meta.dir, "migrations"));
    expect(await Bun.file(join(import.meta.dir, "migrations.generated.ts")).text()).toBe(expected);
  });

  test("PGlite on disk is migrated once and reopens with its data", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gas-db-"));
    try {
      const first = await openDatabase({ kind: "pglite", dataDir: dir });
      await first.db.execute(sql`insert into users (id, subject, email, name) values ('u1', 'dev:a', 'a@x', 'A')`);
      await first.close();
      const second = await openDatabase({ kind: "pglite", dataDir: dir });
      const rows = await second.rows<{ id: string }>(sql`select id from users`);
      expect(rows.map((r) => r.id)).toEqual(["u1"]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000); // three PGlite start-ups (a few seconds each on an idle machine, 25 s under load)

  test.if(!!testDatabaseUrl)(
    "real PostgreSQL: migrated into a fresh schema",
    async () => {
      const database = await openTestPostgres();
      try {
        const rows = await database.rows<{ n: number }>(sql`select count(*)::int as n from jobs`);
        expect(rows[0]?.n).toBe(0);
      } finally {
        await database.close();
      }
    },
    30_000,
  ); // a schema and every migration: over bun's default 5 s on a loaded CI machine
});
