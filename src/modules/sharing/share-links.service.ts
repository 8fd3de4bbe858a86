/**
 * Read-only links to a job's results page and downloads, as the hosted annotators offer ("share
 * your results"). The link carries a random 256-bit token; only its SHA-256 is stored. A link
 * expires on its own and its owner can revoke it at any time. Share links live in PostgreSQL on
 * every backend, beside accounts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { shareLinks } from "../../db/schema.ts";
import { AppError } from "../../shared/errors.ts";
import { hashSecret } from "../accounts/index.ts";

export interface ShareLink {
  id: string;
  jobId: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Lifetimes a user can pick, in days. */
export const SHARE_DAYS = [1, 7, 30] as const;

const toLink = (r: typeof shareLinks.$inferSelect): ShareLink => ({
  id: r.id,
  jobId: r.jobId,
  userId: r.userId,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
});

/** Create the share-links service. The caller checks that the user owns the job. */
export function createShareLinksService(db: AppDb) {
  return {
    /** A new link for an owned job; returns the token (shown once) and the link. */
    async create(userId: string, jobId: string, days: number): Promise<{ token: string; link: ShareLink }> {
      if (!(SHARE_DAYS as readonly number[]).includes(days)) {
        throw new AppError("INVALID_INPUT", `A share link can last ${SHARE_DAYS.join(", ")} days (got ${JSON.stringify(days)})`);
      }
      const token = randomBytes(32).toString("base64url");
      const [row] = await db
        .insert(shareLinks)
        .values({ id: randomUUID(), tokenHash: hashSecret(token), jobId, userId, expiresAt: new Date(Date.now() + days * 86_400_000) })
        .returning();
      return { token, link: toLink(row!) };
    },

    /** The owner's links for one job, newest first (revoked and expired ones included, marked). */
    async listForJob(userId: string, jobId: string): Promise<ShareLink[]> {
      const rows = await db
        .select()
        .from(shareLinks)
        .where(and(eq(shareLinks.userId, userId), eq(shareLinks.jobId, jobId)))
        .orderBy(desc(shareLinks.createdAt));
      return rows.map(toLink);
    },

    /** Revoke one of the owner's links; false when it is not theirs. Idempotent. */
    async revoke(userId: string, linkId: string): Promise<boolean> {
      const r = await db
        .update(shareLinks)
        .set({ revokedAt: sql`coalesce(${shareLinks.revokedAt}, now())` })
        .where(and(eq(shareLinks.id, linkId), eq(shareLinks.userId, userId)))
        .returning({ id: shareLinks.id });
      return r.length > 0;
    },

    /** The live link for a token, or null (unknown, expired or revoked: all look the same). */
    async resolve(token: string): Promise<ShareLink | null> {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
      const [row] = await db
        .select()
        .from(shareLinks)
        .where(and(eq(shareLinks.tokenHash, hashSecret(token)), isNull(shareLinks.revokedAt), gt(shareLinks.expiresAt, sql`now()`)));
      return row ? toLink(row) : null;
    },
  };
}

export type ShareLinksService = ReturnType<typeof createShareLinksService>;
