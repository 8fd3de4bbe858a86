/**
 * Applies the drizzle-kit migrations at start-up from the copies embedded in the executable.
 * drizzle's own `migrate()` only reads a folder from disk, which a compiled binary does not have;
 * we hand the same MigrationMeta list to drizzle's dialect so the bookkeeping table
 * (`drizzle.__drizzle_migrations`) is exactly the one `drizzle-kit migrate` would write.
 */
import { createHash } from "node:crypto";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { AppDb } from "./open-database.ts";

export interface EmbeddedMigration {
  tag: string;
  when: number;
  breakpoints: boolean;
  sql: string;
}

/** Convert embedded migrations to drizzle's MigrationMeta (same split and hash as readMigrationFiles). */
export function toMigrationMeta(migrations: EmbeddedMigration[]): MigrationMeta[] {
  return migrations.map((m) => ({
    sql: m.sql.split("--> statement-breakpoint"),
    bps: m.breakpoints,
    folderMillis: m.when,
    hash: createHash("sha256").update(m.sql).digest("hex"),
  }));
}

/** Apply every pending migration. Safe to run concurrently from several processes on PostgreSQL. */
export async function applyMigrations(db: AppDb, migrations: EmbeddedMigration[]): Promise<void> {
  // `dialect` and `session` are drizzle internals (drizzle's own migrators use them the same way).
  const internals = db as unknown as {
    dialect: { migrate(m: MigrationMeta[], session: unknown, cfg: object): Promise<void> };
    session: unknown;
  };
  await internals.dialect.migrate(toMigrationMeta(migrations), internals.session, {});
}
