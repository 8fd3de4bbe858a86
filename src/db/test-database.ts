/**
 * Databases for tests: a fresh in-memory PGlite, or (when TEST_DATABASE_URL is set) a fresh
 * database on a real PostgreSQL, dropped on close. A database rather than a schema per test:
 * drizzle-kit writes schema-qualified foreign keys ("public"."users").
 *
 * Both start from a template migrated once, the way graphile-worker's tests clone a template
 * database: migrating takes 1–3 s per database on this 2-core machine (PGlite: WebAssembly start
 * plus ~40 statements), and the suite opens about 150. Measured 2026-12-02: a fresh PGlite with
 * migrations 1.05–1.8 s, `PGlite.clone()` of a migrated one 0.29–0.46 s, a PGlite loaded from a
 * dump of one (`loadDataDir`) 0.20–0.24 s; on PostgreSQL `create database … template` skips the
 * migration altogether. Each copy still runs the migrator, which finds nothing to do.
 */
import { createHash, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { cp, mkdtemp, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { embeddedMigrations } from "./migrations.generated.ts";
import { type Database, openDatabase } from "./open-database.ts";

/** The real PostgreSQL used by `bun run test:pg`, if any. */
export const testDatabaseUrl: string | undefined = Bun.env.TEST_DATABASE_URL || undefined;

/** Identifies the schema: a template made for other migrations is never reused. */
const schemaVersion = createHash("sha256")
  .update(embeddedMigrations.map((m) => m.sql).join("\n"))
  .digest("hex")
  .slice(0, 16);

let pgliteTemplate: Promise<Blob> | null = null;

/** A migrated PGlite data directory as a tarball, made once per process. */
function migratedPgliteDump(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const template = await openDatabase({ kind: "pglite", dataDir: null });
    try {
      return await template.dump!();
    } finally {
      await template.close();
    }
  })();
  return pgliteTemplate;
}

/** New in-memory PGlite, migrated (a copy of the process's template). */
export async function openTestPglite(): Promise<Database> {
  return openDatabase({ kind: "pglite", dataDir: null, loadDataDir: await migratedPgliteDump() });
}

let pgliteDataDirTemplate: Promise<string> | null = null;

/**
 * Put a migrated PGlite data directory at `target` (for a GAS process a test starts with
 * DATA_DIR/pglite): copied from one made once per test process. A fresh process spends most of
 * its start-up creating and migrating the database: measured on this 2-core machine, `--role=all`
 * answered after 4.8–5.4 s on an empty DATA_DIR and 1.4–2.0 s on a copied one.
 */
export async function copyMigratedPgliteDir(target: string): Promise<void> {
  pgliteDataDirTemplate ??= (async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "gas-pglite-template-")), "pglite");
    const template = await openDatabase({ kind: "pglite", dataDir: dir });
    await template.close();
    process.once("exit", () => rmSync(join(dir, ".."), { recursive: true, force: true }));
    return dir;
  })();
  const source = await pgliteDataDirTemplate;
  // Copied beside the target and renamed: a process never sees a half-copied directory.
  const partial = `${target}.copying-${randomUUID().slice(0, 8)}`;
  await cp(source, partial, { recursive: true });
  await rename(partial, target);
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * The name of a database on the server at `url` that holds the migrated schema, created the first
 * time any process asks for it (an advisory lock keeps two test runs from racing).
 */
async function migratedTemplate(admin: postgres.Sql, url: string): Promise<string> {
  const name = `gas_template_${schemaVersion}`;
  const exists = async () => (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  if (await exists()) return name;
  // A session lock (admin has one connection): CREATE DATABASE cannot run inside a transaction.
  await admin`select pg_advisory_lock(7243020)`;
  try {
    if (await exists()) return name;
    // Built under a temporary name and renamed when complete: a run killed mid-migration leaves
    // no half-migrated template under the real name.
    const building = `${name}_${randomUUID().replaceAll("-", "").slice(0, 8)}`;
    await admin.unsafe(`create database ${building}`);
    const database = await openDatabase({ kind: "postgres", url: withDatabase(url, building), max: 1 });
    await database.close();
    await admin.unsafe(`alter database ${building} rename to ${name}`);
  } finally {
    await admin`select pg_advisory_unlock(7243020)`;
  }
  return name;
}

/**
 * Create a database on the server at `url`; returns its URL and a drop function. Empty by default
 * (a process under test migrates it, as in production); `migrated: true` copies the template.
 */
export async function createTestDatabase(url: string, opts: { migrated?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomUUID().replaceAll("-", "")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const template = opts.migrated ? ` template ${await migratedTemplate(admin, url)}` : "";
  await admin.unsafe(`create database ${name}${template}`);
  return {
    url: withDatabase(url, name),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** New database on TEST_DATABASE_URL, migrated; `close()` drops it. */
export async function openTestPostgres(url = testDatabaseUrl): Promise<Database> {
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const created = await createTestDatabase(url, { migrated: true });
  const database = await openDatabase({ kind: "postgres", url: created.url, max: 5 });
  return {
    ...database,
    close: async () => {
      await database.close();
      await created.drop();
    },
  };
}
