import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { type Database, notify, openDatabase } from "../../db/open-database.ts";
import { apiTokens } from "../../db/schema.ts";
import { openTestPglite, testDatabaseUrl } from "../../db/test-database.ts";
import { createTestDatabase } from "../../db/test-database.ts";
import { type AccountChanges, createAccountsService, withTokenCache } from "./index.ts";

const CHANNEL = "gas_accounts_test";
const changesOver = (database: Database): AccountChanges => ({
  publish: (userId) => notify(database, CHANNEL, userId),
  subscribe: (cb) => database.listen(CHANNEL, cb),
});

/** Counts the queries the wrapped service sends for token lookups. */
function counting(database: Database) {
  const accounts = createAccountsService(database.db);
  let lookups = 0;
  return {
    accounts: { ...accounts, userForToken: (t: string) => (lookups++, accounts.userForToken(t)) },
    lookups: () => lookups,
  };
}

describe("token cache (PGlite)", () => {
  let database: Database;
  let clock = 0;
  // One database for the suite (PGlite takes seconds to start); every test signs in a new user.
  beforeAll(async () => {
    database = await openTestPglite();
  }, 60_000);
  afterAll(() => database.close());
  beforeEach(() => {
    clock = 1_000_000;
  });

  async function setUp(ttlMs = 5000) {
    const c = counting(database);
    const cached = await withTokenCache(c.accounts, { ttlMs, now: () => clock, changes: changesOver(database) });
    const { user } = await cached.signIn({
      subject: `dev:${randomUUID()}`,
      email: "ada@example.org",
      name: "Ada",
      institution: null,
      tokens: null,
    });
    const { token, info } = await cached.createApiToken(user.id, "ci");
    return { ...c, cached, user, token, info };
  }

  test("repeated and concurrent lookups within the TTL hit the database once; after the TTL, again", async () => {
    const { cached, user, token, lookups } = await setUp();
    const users = await Promise.all(Array.from({ length: 20 }, () => cached.userForToken(token)));
    expect(users.every((u) => u?.id === user.id)).toBe(true);
    expect(await cached.userForToken(token)).toMatchObject({ id: user.id, email: "ada@example.org" });
    expect(lookups()).toBe(1);
    clock += 5001;
    expect((await cached.userForToken(token))?.id).toBe(user.id);
    expect(lookups()).toBe(2);
    await cached.close();
  });

  test("unknown tokens are not cached, and answer null every time", async () => {
    const { cached, lookups } = await setUp();
    expect(await cached.userForToken("gas_nope")).toBeNull();
    expect(await cached.userForToken("gas_nope")).toBeNull();
    expect(lookups()).toBe(2);
    await cached.close();
  });

  test("revoking through the service takes effect at once, even within the TTL", async () => {
    const { cached, user, token, info } = await setUp(60_000);
    expect((await cached.userForToken(token))?.id).toBe(user.id);
    expect(await cached.revokeApiToken(user.id, info.id)).toBe(true);
    expect(await cached.userForToken(token)).toBeNull();
    await cached.close();
  });

  test("a revocation in another process (NOTIFY) drops this process's entry", async () => {
    const { cached, user, token, info } = await setUp(60_000);
    const other = await withTokenCache(createAccountsService(database.db), { changes: changesOver(database) });
    expect((await cached.userForToken(token))?.id).toBe(user.id);
    expect(await other.revokeApiToken(user.id, info.id)).toBe(true);
    for (const deadline = Date.now() + 5000; (await cached.userForToken(token)) !== null; await Bun.sleep(20)) {
      if (Date.now() > deadline) throw new Error("the revoked token is still accepted");
    }
    await other.close();
    await cached.close();
  });

  test("without a change event, a token deleted behind the cache's back lasts at most the TTL", async () => {
    const { cached, user, token } = await setUp(5000);
    expect((await cached.userForToken(token))?.id).toBe(user.id);
    await database.db.delete(apiTokens).where(eq(apiTokens.userId, user.id));
    expect((await cached.userForToken(token))?.id).toBe(user.id); // still cached: the bounded staleness
    clock += 5001;
    expect(await cached.userForToken(token)).toBeNull();
    await cached.close();
  });

  test("a profile change is seen at once (the cached user is dropped)", async () => {
    const { cached, user, token } = await setUp(60_000);
    await cached.userForToken(token);
    await cached.updateProfile(user.id, { name: "Ada L", email: "ada@lovelace.org", institution: "Analytical" });
    expect(await cached.userForToken(token)).toMatchObject({ name: "Ada L", email: "ada@lovelace.org" });
    await cached.close();
  });
});

describe.if(!!testDatabaseUrl)("token cache across processes on real PostgreSQL", () => {
  test("a revocation on one connection pool reaches the cache on another", async () => {
    const created = await createTestDatabase(testDatabaseUrl!);
    const a = await openDatabase({ kind: "postgres", url: created.url, max: 2 });
    const b = await openDatabase({ kind: "postgres", url: created.url, max: 2 });
    try {
      const cacheA = await withTokenCache(createAccountsService(a.db), { ttlMs: 60_000, changes: changesOver(a) });
      const cacheB = await withTokenCache(createAccountsService(b.db), { ttlMs: 60_000, changes: changesOver(b) });
      const { user } = await cacheA.signIn({
        subject: "dev:grace",
        email: "grace@example.org",
        name: "Grace",
        institution: null,
        tokens: null,
      });
      const { token, info } = await cacheA.createApiToken(user.id, "ci");
      expect((await cacheA.userForToken(token))?.id).toBe(user.id);
      expect(await cacheB.revokeApiToken(user.id, info.id)).toBe(true);
      for (const deadline = Date.now() + 5000; (await cacheA.userForToken(token)) !== null; await Bun.sleep(20)) {
        if (Date.now() > deadline) throw new Error("the revoked token is still accepted by the other process");
      }
      await cacheA.close();
      await cacheB.close();
    } finally {
      await a.close();
      await b.close();
      await created.drop();
    }
  }, 30_000);
});
