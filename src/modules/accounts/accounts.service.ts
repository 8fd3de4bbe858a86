/**
 * Accounts: users (created on first sign-in, so every job has an owner), their tier, and API
 * tokens for the JSON API. Accounts live in PostgreSQL on every backend (DESIGN.md §4), so this
 * service talks to the database directly rather than through a port.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { apiTokens, users } from "../../db/schema.ts";
import type { VerifiedIdentity } from "../../ports/identity.ts";

export interface User {
  id: string;
  email: string;
  name: string;
  tier: "free" | "premium";
}

export interface AccountsService {
  /** Find the user for a verified identity, creating them on first sign-in. */
  signIn(identity: VerifiedIdentity): Promise<User>;
  get(userId: string): Promise<User | null>;
  /** A new API token; only its hash is stored, so this is the only time it is seen. */
  createApiToken(userId: string, name: string): Promise<string>;
  /** The user a bearer token belongs to, or null. */
  userForToken(token: string): Promise<User | null>;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const toUser = (r: typeof users.$inferSelect): User => ({ id: r.id, email: r.email, name: r.name, tier: r.tier });

/** Create the accounts service over the application database. */
export function createAccountsService(db: AppDb): AccountsService {
  return {
    async signIn(identity) {
      const [row] = await db
        .insert(users)
        .values({ id: randomUUID(), subject: identity.subject, email: identity.email, name: identity.name })
        .onConflictDoUpdate({ target: users.subject, set: { email: identity.email, name: identity.name } })
        .returning();
      return toUser(row!);
    },
    async get(userId) {
      const [row] = await db.select().from(users).where(eq(users.id, userId));
      return row ? toUser(row) : null;
    },
    async createApiToken(userId, name) {
      const token = `gas_${randomBytes(24).toString("base64url")}`;
      await db.insert(apiTokens).values({ tokenHash: hashToken(token), userId, name });
      return token;
    },
    async userForToken(token) {
      const [row] = await db
        .select({ user: users })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(eq(apiTokens.tokenHash, hashToken(token)));
      return row ? toUser(row.user) : null;
    },
  };
}
