/** Accounts, sessions and tokens against PGlite (no mocks). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Database } from "../../db/open-database.ts";
import { openTestPglite } from "../../db/test-database.ts";
import { profileComplete } from "../../web/app-env.ts";
import { type AccountsService, createAccountsService, createSessionsService } from "./index.ts";

describe("accounts service", () => {
  let database: Database;
  let accounts: AccountsService;
  beforeAll(async () => {
    database = await openTestPglite();
    accounts = createAccountsService(database.db);
  }, 60_000);
  afterAll(() => database.close());

  const identity = (subject: string, extra: Partial<{ email: string | null; name: string | null; institution: string | null }> = {}) => ({
    subject,
    email: "a@example.org",
    name: "A",
    institution: null,
    tokens: null,
    ...extra,
  });

  test("first sign-in creates a free account; later sign-ins fill only empty fields", async () => {
    const first = await accounts.signIn(identity("oidc sub-1", { name: null }));
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({ tier: "free", email: "a@example.org", name: "", institution: "", paymentCustomerId: null });
    expect(profileComplete(first.user)).toBe(false);
    await accounts.updateProfile(first.user.id, { name: "Ada", email: "ada@example.org", institution: "Lab" });
    const again = await accounts.signIn(
      identity("oidc sub-1", { name: "Provider Name", email: "other@example.org", institution: "Provider Org" }),
    );
    expect(again.created).toBe(false);
    expect(again.user).toMatchObject({ id: first.user.id, name: "Ada", email: "ada@example.org", institution: "Lab" });
    expect(again.user.updatedAt.getTime()).toBeGreaterThanOrEqual(again.user.createdAt.getTime());
  });

  test("profile validation names every bad field", async () => {
    const { user } = await accounts.signIn(identity("oidc sub-2"));
    await expect(accounts.updateProfile(user.id, { name: " ", email: "nope", institution: "x".repeat(300) })).rejects.toThrow(
      'Please correct the profile: Name: required; Email: "nope" is not an email address; institution: at most 256 characters',
    );
  });

  test("sessions: looked up by token, expire, and hand back provider tokens when destroyed", async () => {
    const { user } = await accounts.signIn(identity("oidc sub-3"));
    const sessions = createSessionsService(database.db, { ttlSeconds: 60 });
    const { token } = await sessions.create(user.id, { idToken: "id.token.here" });
    expect((await sessions.lookup(token))?.user.id).toBe(user.id);
    expect(await sessions.lookup(`${token}x`)).toBeNull();
    expect(await sessions.destroy(token)).toEqual({ idToken: "id.token.here" });
    expect(await sessions.lookup(token)).toBeNull();
    const short = createSessionsService(database.db, { ttlSeconds: 1 });
    const s2 = await short.create(user.id, null);
    await Bun.sleep(1100);
    expect(await short.lookup(s2.token)).toBeNull();
  });

  test("API tokens belong to one user and are found only by the exact token", async () => {
    const { user } = await accounts.signIn(identity("oidc sub-4"));
    const { user: other } = await accounts.signIn(identity("oidc sub-5"));
    const { token, info } = await accounts.createApiToken(user.id, "  ");
    expect(info.name).toBe("api");
    expect((await accounts.userForToken(token))?.id).toBe(user.id);
    expect(await accounts.userForToken(token.slice(0, -1))).toBeNull();
    expect(await accounts.revokeApiToken(other.id, info.id)).toBe(false);
    expect(await accounts.revokeApiToken(user.id, info.id)).toBe(true);
    expect(await accounts.userForToken(token)).toBeNull();
  });
});
