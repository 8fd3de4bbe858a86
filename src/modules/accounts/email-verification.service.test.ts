/**
 * Verifying users' addresses against PGlite or PostgreSQL (no mocks but the mail sender, which records what it
 * is given): who counts as verified at sign-in and after a profile change, the link's single use,
 * expiry, binding to one account and one address, and the per-user send limit.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/open-database.ts";
import { emailVerifications } from "../../db/schema.ts";
import { openTestPglite, openTestPostgres, testDatabaseUrl } from "../../db/test-database.ts";
import { type AccountsService, createAccountsService } from "./accounts.service.ts";
import {
  type EmailVerificationService,
  MAX_LINKS_PER_DAY,
  VERIFY_PATH,
  type VerificationMail,
  createEmailVerificationService,
} from "./email-verification.service.ts";

let database: Database;
let accounts: AccountsService;
let verification: EmailVerificationService;
const mails: VerificationMail[] = [];
let failMail = false;

beforeAll(async () => {
  // On real PostgreSQL under `bun run test:pg`, where two confirmations can truly race.
  database = testDatabaseUrl ? await openTestPostgres() : await openTestPglite();
  accounts = createAccountsService(database.db);
  verification = createEmailVerificationService({
    db: database.db,
    publicUrl: "https://gas.example.org/",
    async sendMail(m) {
      if (failMail) throw new Error("mail relay down");
      mails.push(m);
    },
  });
}, 60_000);
afterAll(() => database.close());

const oidc = (email: string | null, emailVerified?: boolean) => ({
  subject: `https://issuer.example ${crypto.randomUUID()}`,
  email,
  emailVerified,
  name: "Ada",
  institution: "Lab",
  tokens: null,
});
const tokenOf = (m: VerificationMail) => new URL(m.link).searchParams.get("token")!;
/** Let the next send through the one-a-minute limit (the rows' times move back, as time passing would). */
const age = (userId: string, interval: string) =>
  database.db
    .update(emailVerifications)
    .set({ createdAt: sql`${emailVerifications.createdAt} - ${interval}::interval` })
    .where(eq(emailVerifications.userId, userId));

describe("who is verified", () => {
  test("OIDC: email_verified true verifies the address; false or absent does not", async () => {
    expect((await accounts.signIn(oidc("v@example.org", true))).user.emailVerified).toBe(true);
    expect((await accounts.signIn(oidc("f@example.org", false))).user.emailVerified).toBe(false);
    expect((await accounts.signIn(oidc("a@example.org"))).user.emailVerified).toBe(false);
    expect((await accounts.signIn(oidc(null, true))).user.emailVerified).toBe(false);
  });

  test("dev sign-in subjects count as verified (development only)", async () => {
    const { user } = await accounts.signIn({
      subject: "dev:dev@example.org",
      email: "dev@example.org",
      name: "D",
      institution: null,
      tokens: null,
    });
    expect(user.emailVerified).toBe(true);
  });

  test("a changed address is unverified; saving the same address keeps it verified", async () => {
    const { user } = await accounts.signIn(oidc("keep@example.org", true));
    const same = await accounts.updateProfile(user.id, { name: "Ada", email: "KEEP@example.org", institution: "Lab 2" });
    expect(same.emailVerified).toBe(true);
    const moved = await accounts.updateProfile(user.id, { name: "Ada", email: "victim@example.org", institution: "Lab" });
    expect(moved.emailVerified).toBe(false);
    // Changing back does not restore the old verification: the account must show it again.
    expect((await accounts.updateProfile(user.id, { name: "Ada", email: "keep@example.org", institution: "Lab" })).emailVerified).toBe(
      false,
    );
  });

  test("a later sign-in verifies the stored address only when the provider vouches for that same address", async () => {
    const subject = `https://issuer.example ${crypto.randomUUID()}`;
    const first = await accounts.signIn({ ...oidc("x@example.org", false), subject });
    expect(first.user.emailVerified).toBe(false);
    expect((await accounts.signIn({ ...oidc("x@example.org", true), subject })).user.emailVerified).toBe(true);
    await accounts.updateProfile(first.user.id, { name: "Ada", email: "typed@example.org", institution: "Lab" });
    // The provider vouches for x@, not for the typed address: still unverified, and still typed@.
    const again = await accounts.signIn({ ...oidc("x@example.org", true), subject });
    expect(again.user).toMatchObject({ email: "typed@example.org", emailVerified: false });
  });
});

describe("verification links", () => {
  async function unverifiedUser(email = `u-${crypto.randomUUID()}@example.org`) {
    return (await accounts.signIn(oidc(email, false))).user;
  }

  test("sent to the account's address with a link on PUBLIC_URL; works once", async () => {
    const user = await unverifiedUser();
    const sent = await verification.send(user.id);
    expect(sent).toMatchObject({ sent: true, to: user.email });
    const mail = mails.at(-1)!;
    expect(mail.to).toBe(user.email);
    expect(mail.link.startsWith(`https://gas.example.org${VERIFY_PATH}?token=`)).toBe(true);
    // Only the token's hash is stored, and the mail's key names the hash, never the token.
    const [row] = await database.db.select().from(emailVerifications).where(eq(emailVerifications.userId, user.id));
    expect(row!.tokenHash).not.toBe(tokenOf(mail));
    expect(mail.idempotencyKey).not.toContain(tokenOf(mail));
    expect(await verification.check(user.id, tokenOf(mail))).toEqual({ ok: true, email: user.email });
    expect(await verification.confirm(user.id, tokenOf(mail))).toEqual({ ok: true, email: user.email });
    expect((await accounts.get(user.id))!.emailVerified).toBe(true);
    expect(await verification.confirm(user.id, tokenOf(mail))).toEqual({ ok: false, reason: "used" });
    expect(await verification.send(user.id)).toEqual({ sent: false, reason: "already-verified" });
  });

  test("two clicks racing verify once: exactly one is ok", async () => {
    const user = await unverifiedUser();
    await verification.send(user.id);
    const t = tokenOf(mails.at(-1)!);
    const results = await Promise.all([verification.confirm(user.id, t), verification.confirm(user.id, t)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  test("an expired link is refused and verifies nothing", async () => {
    const user = await unverifiedUser();
    await verification.send(user.id);
    const t = tokenOf(mails.at(-1)!);
    await database.db
      .update(emailVerifications)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(emailVerifications.userId, user.id));
    expect(await verification.confirm(user.id, t)).toEqual({ ok: false, reason: "expired" });
    expect((await accounts.get(user.id))!.emailVerified).toBe(false);
  });

  test("forged, altered and other accounts' tokens are unknown", async () => {
    const user = await unverifiedUser();
    const other = await unverifiedUser();
    await verification.send(user.id);
    const t = tokenOf(mails.at(-1)!);
    const altered = `${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`;
    for (const forged of ["", "x", altered, "A".repeat(43), `${t}A`, "../../etc/passwd"]) {
      expect(await verification.confirm(user.id, forged)).toEqual({ ok: false, reason: "unknown" });
    }
    expect(await verification.confirm(other.id, t)).toEqual({ ok: false, reason: "unknown" });
    expect((await accounts.get(other.id))!.emailVerified).toBe(false);
    expect((await accounts.get(user.id))!.emailVerified).toBe(false);
  });

  test("a link verifies only the address it was sent to: after a change it is refused", async () => {
    const user = await unverifiedUser();
    await verification.send(user.id);
    const t = tokenOf(mails.at(-1)!);
    await accounts.updateProfile(user.id, { name: "Ada", email: `moved-${crypto.randomUUID()}@example.org`, institution: "Lab" });
    expect(await verification.confirm(user.id, t)).toEqual({ ok: false, reason: "address-changed" });
    expect((await accounts.get(user.id))!.emailVerified).toBe(false);
  });

  test("at most one a minute and ten a day per user, whatever the address", async () => {
    const user = await unverifiedUser();
    expect((await verification.send(user.id)).sent).toBe(true);
    const soon = await verification.send(user.id);
    expect(soon).toMatchObject({ sent: false, reason: "rate-limited" });
    expect(soon.sent === false && soon.reason === "rate-limited" && soon.retryAfterSeconds).toBeGreaterThan(50);
    for (let i = 1; i < MAX_LINKS_PER_DAY; i++) {
      await age(user.id, "61 seconds");
      await accounts.updateProfile(user.id, { name: "Ada", email: `spray-${i}@example.org`, institution: "Lab" });
      expect((await verification.send(user.id)).sent).toBe(true);
    }
    await age(user.id, "61 seconds");
    const capped = await verification.send(user.id);
    expect(capped).toMatchObject({ sent: false, reason: "rate-limited" });
    expect(capped.sent === false && capped.reason === "rate-limited" && capped.retryAfterSeconds).toBeGreaterThan(80_000);
  });

  test("a failing mailer: UNAVAILABLE, and the attempt is not counted against the user", async () => {
    const user = await unverifiedUser();
    failMail = true;
    try {
      await expect(verification.send(user.id)).rejects.toThrow("could not be sent");
    } finally {
      failMail = false;
    }
    expect((await verification.send(user.id)).sent).toBe(true);
  });

  test("no address: nothing sent", async () => {
    const { user } = await accounts.signIn(oidc(null));
    expect(await verification.send(user.id)).toEqual({ sent: false, reason: "no-address" });
  });
});
