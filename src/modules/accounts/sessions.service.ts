/**
 * Browser sessions backed by the database. The cookie carries a random token (signed by the web
 * layer); the table keeps only its SHA-256, so a copy of the database cannot be replayed as a
 * cookie. Sign-in always creates a new session (the caller deletes the old one): a session id
 * planted before sign-in is never promoted (no fixation).
 */
import { randomBytes } from "node:crypto";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { sessions, users } from "../../db/schema.ts";
import type { ProviderTokens } from "../../ports/identity.ts";
import { type User, hashSecret, userFromRow } from "./accounts.service.ts";

export interface SessionsServiceOptions {
  /** Lifetime of a session from sign-in. */
  ttlSeconds: number;
}

export interface ActiveSession {
  user: User;
  /** The hash that identifies the session server-side (binds CSRF tokens). */
  idHash: string;
}

export interface SessionsService {
  /** Start a session; returns the token to put in the cookie. */
  create(userId: string, providerTokens: ProviderTokens | null): Promise<{ token: string; expiresAt: Date }>;
  /** The live session for a cookie token, or null (unknown, expired, user gone). */
  lookup(token: string): Promise<ActiveSession | null>;
  /** End a session; returns the provider tokens it held (to revoke them), or null. */
  destroy(token: string): Promise<ProviderTokens | null>;
}

/** Create the sessions service. */
export function createSessionsService(db: AppDb, opts: SessionsServiceOptions): SessionsService {
  return {
    async create(userId, providerTokens) {
      const token = randomBytes(32).toString("base64url");
      const expiresAt = new Date(Date.now() + opts.ttlSeconds * 1000);
      // Expired rows are swept here, at the rare moment a session starts, not on every request.
      await db.delete(sessions).where(lt(sessions.expiresAt, sql`now()`));
      await db.insert(sessions).values({ idHash: hashSecret(token), userId, expiresAt, providerTokens });
      return { token, expiresAt };
    },

    async lookup(token) {
      const idHash = hashSecret(token);
      const [row] = await db
        .select({ user: users, lastSeenAt: sessions.lastSeenAt })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, sql`now()`)));
      if (!row) return null;
      if (Date.now() - row.lastSeenAt.getTime() > 60_000) {
        await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.idHash, idHash));
      }
      return { idHash, user: userFromRow(row.user) };
    },

    async destroy(token) {
      const [row] = await db
        .delete(sessions)
        .where(eq(sessions.idHash, hashSecret(token)))
        .returning({ providerTokens: sessions.providerTokens });
      return (row?.providerTokens as ProviderTokens | null | undefined) ?? null;
    },
  };
}
