/**
 * Databases for tests: a fresh in-memory PGlite, or (when TEST_DATABASE_URL is set) a fresh
 * database on a real PostgreSQL, dropped on close. A database rather than a schema per test:
 * drizzle-kit writes schema-qualified foreign keys ("public"."users").
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { type Database, openDatabase } from "./open-database.ts";

/** The real PostgreSQL used by `bun run test:pg`, if any. */
export const testDatabaseUrl: string | undefined = Bun.env.TEST_DATABASE_URL || undefined;

/** New in-memory PGlite, migrated. */
export async function openTestPglite(): Promise<Database> {
  return openDatabase({ kind: "pglite", dataDir: null });
}

/** Create an empty database on the server at `url`; returns its URL and a drop function. */
export async function createTestDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomUUID().replaceAll("-", "")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** New database on TEST_DATABASE_URL, migrated; `close()` drops it. */
export async function openTestPostgres(url = testDatabaseUrl): Promise<Database> {
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const created = await createTestDatabase(url);
  const database = await openDatabase({ kind: "postgres", url: created.url, max: 5 });
  return {
    ...database,
    close: async () => {
      await database.close();
      await created.drop();
    },
  };
}
