/**
 * Opens the database for every backend: PGlite (embedded PostgreSQL in WebAssembly, stored under
 * DATA_DIR, zero setup) by default, or a real PostgreSQL through the `postgres` driver when
 * DATABASE_URL is set. Same schema, same migrations, same queries; the two differences drizzle
 * does not hide (raw result shape, LISTEN/NOTIFY) are wrapped here.
 */
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { applyMigrations } from "./migrate.ts";
import { pgliteAssets } from "./pglite-assets.ts";
import { embeddedMigrations } from "./migrations.generated.ts";
import * as schema from "./schema.ts";

/** drizzle database typed for both drivers (STYLE.md §1). */
export type AppDb = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: AppDb;
  readonly kind: "pglite" | "postgres";
  /** Run raw SQL and get plain row objects whatever the driver. */
  rows<T>(query: SQL): Promise<T[]>;
  /**
   * Run a fixed SQL text with `$1…$n` parameters, for hot paths: on PostgreSQL it becomes a
   * prepared statement (parsed and planned once per connection, then only bound and executed);
   * drizzle's query builder re-sends, re-parses and re-describes every query. Keep `text`
   * constant: each distinct text is one prepared statement per connection.
   */
  prepared<T>(text: string, params: unknown[]): Promise<T[]>;
  /** Subscribe to a NOTIFY channel; resolves once listening, returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /** PGlite only: the data directory as a tarball, to open copies from (`loadDataDir`). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  // dataDir null → in memory (tests). loadDataDir: start from a dump of a migrated data directory
  // (PGlite's `dumpDataDir`); tests open one per test from a template made once per process.
  { kind: "pglite"; dataDir: string | null; loadDataDir?: Blob } | { kind: "postgres"; url: string; max?: number };

const MIGRATION_LOCK = 7_243_019; // arbitrary constant shared by every GAS process

/** Open (and migrate) the database described by `opts`. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.kind === "pglite" ? openPglite(opts.dataDir, opts.loadDataDir) : openPostgres(opts.url, opts.max ?? 10);
}

async function openPglite(dataDir: string | null, loadDataDir: Blob | undefined): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const assets = await pgliteAssets();
  const client = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}), ...assets });
  const db = drizzlePglite(client, { schema }) as unknown as AppDb;
  await applyMigrations(db, embeddedMigrations);
  return {
    db,
    kind: "pglite",
    rows: async <T>(q: SQL) => ((await db.execute(q)) as unknown as { rows: T[] }).rows,
    prepared: async <T>(text: string, params: unknown[]) => (await client.query<T>(text, params)).rows,
    listen: async (channel, onPayload) => {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    ping: async () => void (await client.query("select 1")),
    dump: async () => client.dumpDataDir("none"),
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  // Migrations run on one dedicated connection under an advisory lock, so several roles starting
  // at once against the same server do not race to create the tables.
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await applyMigrations(drizzlePostgres(migrator, { schema }) as unknown as AppDb, embeddedMigrations);
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await migrator.end();
  }
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema }) as unknown as AppDb;
  return {
    db,
    kind: "postgres",
    rows: async <T>(q: SQL) => [...((await db.execute(q)) as unknown as T[])],
    prepared: async <T>(text: string, params: unknown[]) =>
      [...(await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }))] as T[],
    listen: async (channel, onPayload) => {
      const sub = await client.listen(channel, onPayload);
      return async () => sub.unlisten();
    },
    ping: async () => void (await client`select 1`),
    close: async () => client.end({ timeout: 5 }),
  };
}

/** `NOTIFY channel, payload` through the query builder's connection (works on both drivers). */
export async function notify(database: Database, channel: string, payload: string): Promise<void> {
  await database.db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
