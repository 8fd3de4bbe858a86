/**
 * Verifying a user's notification address (issue 13 item 10): job emails carry text the user
 * chose (file names, failure reasons quoting the VCF), so GAS mails an address only once its
 * owner has shown it reaches them. The one email an unverified address gets is the link, and it
 * carries no user-chosen text but the address itself.
 *
 * A link's token is 32 random bytes; only its SHA-256 is stored, with the address it was sent to,
 * an expiry and when it was used. That row is what makes it single-use and bound to one address,
 * and what an HMAC-signed token would need anyway; guessing a token is a 2^-256 chance.
 * Sends are limited per user (whatever the address), which also bounds how many strangers one
 * account can make GAS write to.
 */
import { randomBytes } from "node:crypto";
import { and, count, eq, gt, isNull, lt, min, max, sql } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { emailVerifications, users } from "../../db/schema.ts";
import { AppError } from "../../shared/errors.ts";
import { hashSecret } from "./accounts.service.ts";

/** How long a link works. */
export const VERIFICATION_TTL_HOURS = 24;
/** At most one link per user per this many seconds… */
export const RESEND_INTERVAL_SECONDS = 60;
/** …and this many per user per day. */
export const MAX_LINKS_PER_DAY = 10;

/** What the mail sender needs: the address, the link, when it stops working, a key per message. */
export interface VerificationMail {
  to: string;
  link: string;
  expiresAt: Date;
  /** Unique per link (the token's hash: never the token). */
  idempotencyKey: string;
}

export type SendResult =
  | { sent: true; to: string; expiresAt: Date }
  | { sent: false; reason: "already-verified" | "no-address" }
  | { sent: false; reason: "rate-limited"; retryAfterSeconds: number };

/** What a link is, for the signed-in user holding it. */
export type LinkCheck =
  | { ok: true; email: string }
  | {
      ok: false;
      /** unknown: not one of this user's links (forged, mistyped, or another account's). */
      reason: "unknown" | "used" | "expired" | "address-changed";
    };

export interface EmailVerificationService {
  /**
   * Send a verification link to the user's current address, unless it is verified already, the
   * user has none, or the user asked too recently or too often (then how long to wait). Throws
   * UNAVAILABLE when the mailer fails (nothing is counted then).
   */
  send(userId: string): Promise<SendResult>;
  /** Whether a link would verify the user's address, without using it. */
  check(userId: string, token: string): Promise<LinkCheck>;
  /**
   * Use a link: once, before it expires, by the user it was sent for, and only while the
   * account's address is still the one it was sent to; then that address is verified.
   */
  confirm(userId: string, token: string): Promise<LinkCheck>;
}

export interface EmailVerificationDeps {
  db: AppDb;
  /** Sends the verification email (the notify module renders it). */
  sendMail: (mail: VerificationMail) => Promise<void>;
  /** PUBLIC_URL: links are built from configuration, never from the request's Host header. */
  publicUrl: string;
}

/** Where a link points (the page behind it asks for a click: mail scanners fetch links, they do not submit forms). */
export const VERIFY_PATH = "/profile/verify-email";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function createEmailVerificationService(deps: EmailVerificationDeps): EmailVerificationService {
  const { db } = deps;

  /** Seconds to wait before another link may be sent, or 0. */
  async function waitSeconds(userId: string): Promise<number> {
    const [row] = await db
      .select({
        n: count(),
        latest: max(emailVerifications.createdAt),
        oldest: min(emailVerifications.createdAt),
        now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
      })
      .from(emailVerifications)
      .where(and(eq(emailVerifications.userId, userId), gt(emailVerifications.createdAt, sql`now() - interval '1 day'`)));
    if (!row || row.n === 0 || !row.latest || !row.oldest) return 0;
    const now = row.now.getTime();
    const sinceLatest = (now - new Date(row.latest).getTime()) / 1000;
    if (sinceLatest < RESEND_INTERVAL_SECONDS) return Math.ceil(RESEND_INTERVAL_SECONDS - sinceLatest);
    if (row.n >= MAX_LINKS_PER_DAY) return Math.max(1, Math.ceil((new Date(row.oldest).getTime() + 86_400_000 - now) / 1000));
    return 0;
  }

  async function linkRow(userId: string, token: string) {
    if (!TOKEN_SHAPE.test(token)) return null;
    const [row] = await db
      .select({
        email: emailVerifications.email,
        usedAt: emailVerifications.usedAt,
        expired: sql<boolean>`${emailVerifications.expiresAt} <= now()`,
        current: users.email,
      })
      .from(emailVerifications)
      .innerJoin(users, eq(users.id, emailVerifications.userId))
      .where(and(eq(emailVerifications.tokenHash, hashSecret(token)), eq(emailVerifications.userId, userId)));
    return row ?? null;
  }

  const verdict = (row: Awaited<ReturnType<typeof linkRow>>): LinkCheck => {
    if (!row) return { ok: false, reason: "unknown" };
    if (row.usedAt) return { ok: false, reason: "used" };
    if (row.expired) return { ok: false, reason: "expired" };
    if (row.current !== row.email) return { ok: false, reason: "address-changed" };
    return { ok: true, email: row.email };
  };

  return {
    async send(userId) {
      const [user] = await db.select().from(users).where(eq(users.id, userId));
      if (!user) throw new AppError("NOT_FOUND", "Your account no longer exists; sign in again");
      if (user.email === "") return { sent: false, reason: "no-address" };
      if (user.emailVerifiedAt) return { sent: false, reason: "already-verified" };
      const wait = await waitSeconds(userId);
      if (wait > 0) return { sent: false, reason: "rate-limited", retryAfterSeconds: wait };
      // Rows older than the rate limit's day are of no more use.
      await db.delete(emailVerifications).where(lt(emailVerifications.createdAt, sql`now() - interval '2 days'`));
      const token = randomBytes(32).toString("base64url");
      const tokenHash = hashSecret(token);
      const [row] = await db
        .insert(emailVerifications)
        .values({
          tokenHash,
          userId,
          email: user.email,
          expiresAt: sql`now() + make_interval(hours => ${VERIFICATION_TTL_HOURS})`,
        })
        .returning({ expiresAt: emailVerifications.expiresAt });
      const link = `${deps.publicUrl.replace(/\/+$/, "")}${VERIFY_PATH}?token=${token}`;
      try {
        await deps.sendMail({ to: user.email, link, expiresAt: row!.expiresAt, idempotencyKey: `email.verify:${tokenHash}` });
      } catch (err) {
        await db.delete(emailVerifications).where(eq(emailVerifications.tokenHash, tokenHash));
        throw new AppError("UNAVAILABLE", "The verification email could not be sent just now; please try again in a few minutes", {
          cause: err,
        });
      }
      return { sent: true, to: user.email, expiresAt: row!.expiresAt };
    },

    async check(userId, token) {
      return verdict(await linkRow(userId, token));
    },

    async confirm(userId, token) {
      const before = verdict(await linkRow(userId, token));
      if (!before.ok) return before;
      // The conditional update is what makes the link single-use when two clicks race.
      const [used] = await db
        .update(emailVerifications)
        .set({ usedAt: sql`now()` })
        .where(
          and(
            eq(emailVerifications.tokenHash, hashSecret(token)),
            eq(emailVerifications.userId, userId),
            isNull(emailVerifications.usedAt),
            gt(emailVerifications.expiresAt, sql`now()`),
          ),
        )
        .returning({ email: emailVerifications.email });
      if (!used) return verdict(await linkRow(userId, token));
      const [verified] = await db
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
        .where(and(eq(users.id, userId), eq(users.email, used.email)))
        .returning({ id: users.id });
      return verified ? { ok: true, email: used.email } : { ok: false, reason: "address-changed" };
    },
  };
}
