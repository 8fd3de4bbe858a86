/**
 * Accounts: users (created on first sign-in, so every job has an owner), their profile and tier,
 * and personal API tokens for the JSON API. Accounts live in PostgreSQL on every backend
 * (DESIGN.md §4), so this service talks to the database directly rather than through a port.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppDb } from "../../db/open-database.ts";
import { apiTokens, users } from "../../db/schema.ts";
import type { VerifiedIdentity } from "../../ports/identity.ts";
import { AppError } from "../../shared/errors.ts";
import { refusingUnsafeCharacters } from "../../shared/unsafe-characters.ts";

export type Tier = "free" | "premium";

export interface User {
  id: string;
  /** Empty until the provider or the user gives it. */
  email: string;
  /**
   * The address is shown to reach the user (a verification link, or the identity provider's
   * word). Until then only the verification email is sent to it (issue 13 item 10).
   */
  emailVerified: boolean;
  name: string;
  institution: string;
  tier: Tier;
  paymentCustomerId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const MAX_FIELD = 256; // the original's varchar(256)
const profileField = (label: string, key: string) =>
  refusingUnsafeCharacters(z.string().trim().min(1, `${label}: required`).max(MAX_FIELD, `${key}: at most ${MAX_FIELD} characters`), label);

/** The profile form's rules; each message names its field. */
export const ProfileInput = z.object({
  name: profileField("Name", "name"),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, "Email: required")
    .max(MAX_FIELD, `email: at most ${MAX_FIELD} characters`)
    .pipe(z.email({ error: (issue) => `Email: ${JSON.stringify(issue.input)} is not an email address` })),
  institution: profileField("Institution/Department", "institution"),
});
export type ProfileInput = z.infer<typeof ProfileInput>;

/**
 * What an API token may do (issue 13 item 9: a token could mint tokens and change the email):
 * `read` GET anything of the user's; `submit` also upload and start jobs; `manage` also the
 * account (tokens, profile, sharing, billing). token-scopes.ts maps each request to one.
 */
export const TOKEN_SCOPES = ["read", "submit", "manage"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
/** A new token's scopes and lifetime unless the user picks others. */
export const DEFAULT_TOKEN_SCOPES: readonly TokenScope[] = ["read", "submit"];
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

export interface ApiTokenInfo {
  id: string;
  name: string;
  /** First characters of the token (`gas_AbCd…`), enough to tell tokens apart. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  scopes: TokenScope[];
  /** Refused from then on. */
  expiresAt: Date;
}

/** The user a bearer token belongs to, with what that token may do. */
export type TokenUser = User & { tokenScopes: readonly TokenScope[] };

export interface AccountsService {
  /** Find the user for a verified identity, creating a free account on first sign-in. */
  signIn(identity: VerifiedIdentity): Promise<{ user: User; created: boolean }>;
  get(userId: string): Promise<User | null>;
  /**
   * Save the profile form; throws INVALID_INPUT naming each bad field. A changed email address is
   * stored unverified (the caller sends the verification link).
   */
  updateProfile(userId: string, input: ProfileInput): Promise<User>;
  /**
   * A new API token; only its hash is stored, so this is the only time it is seen. Scopes default
   * to read and submit, the lifetime to 90 days (1 to 365).
   */
  createApiToken(
    userId: string,
    name: string,
    opts?: { scopes?: readonly TokenScope[]; expiresInDays?: number },
  ): Promise<{ token: string; info: ApiTokenInfo }>;
  listApiTokens(userId: string): Promise<ApiTokenInfo[]>;
  /** Delete one of the user's tokens; false when it is not theirs (or already gone). */
  revokeApiToken(userId: string, tokenId: string): Promise<boolean>;
  /** The user a bearer token belongs to and the token's scopes, or null (unknown, revoked or expired). */
  userForToken(token: string): Promise<TokenUser | null>;
  /**
   * Remember the payment provider's customer id for a user, unless one is already stored: the
   * stored id wins (a customer is reused per account) and is returned.
   */
  setPaymentCustomer(userId: string, customerId: string): Promise<string | null>;
  /** The user whose payment customer id this is, or null. */
  findByPaymentCustomer(customerId: string): Promise<User | null>;
  /**
   * Change the tier. `subscriptionId` is stored with premium; with `onlyIfSubscription` the change
   * applies only while that subscription (or none) is the stored one, so ending an old
   * subscription never downgrades a user paying through a newer one. Null when nothing changed hands.
   */
  setTier(userId: string, tier: Tier, opts?: { subscriptionId?: string | null; onlyIfSubscription?: string | null }): Promise<User | null>;
}

/** True when the profile has what the original required before any page: a name and an email. */
export const hashSecret = (token: string) => createHash("sha256").update(token).digest("hex");

/** Map a users row to the domain type (shared with the sessions service). */
export const userFromRow = (r: typeof users.$inferSelect): User => ({
  id: r.id,
  email: r.email,
  emailVerified: r.emailVerifiedAt !== null && r.email !== "",
  name: r.name,
  institution: r.institution,
  tier: r.tier,
  paymentCustomerId: r.paymentCustomerId,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toTokenInfo = (r: typeof apiTokens.$inferSelect): ApiTokenInfo => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  scopes: r.scopes.filter((x): x is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(x)),
  expiresAt: r.expiresAt,
});

/** Validate the profile form; every problem is named, with the field it belongs to. */
export function validateProfile(input: ProfileInput): ProfileInput {
  const r = ProfileInput.safeParse(input);
  if (!r.success) throw new AppError("INVALID_INPUT", `Please correct the profile: ${r.error.issues.map((i) => i.message).join("; ")}`);
  return r.data;
}

/** Create the accounts service over the application database. */
export function createAccountsService(db: AppDb): AccountsService {
  return {
    async signIn(identity) {
      const id = randomUUID();
      const email = identity.email ?? "";
      // The dev sign-in vouches for every address (development only: anyone can be anyone there);
      // `dev:` subjects are its own, an OIDC subject starts with the issuer's URL.
      const vouched = email !== "" && (identity.emailVerified ?? identity.subject.startsWith("dev:"));
      // A returning user keeps what they typed on the profile page; only empty fields are filled
      // from the provider. The provider's word verifies the stored address only when it is the
      // one the provider vouched for (a typed address needs the link).
      const [row] = await db
        .insert(users)
        .values({
          id,
          subject: identity.subject,
          email,
          emailVerifiedAt: vouched ? sql`now()` : null,
          name: identity.name ?? "",
          institution: identity.institution ?? "",
        })
        .onConflictDoUpdate({
          target: users.subject,
          set: {
            email: sql`case when ${users.email} = '' then excluded.email else ${users.email} end`,
            emailVerifiedAt: vouched
              ? sql`case when ${users.email} in ('', excluded.email) then coalesce(${users.emailVerifiedAt}, now()) else ${users.emailVerifiedAt} end`
              : sql`${users.emailVerifiedAt}`,
            name: sql`case when ${users.name} = '' then excluded.name else ${users.name} end`,
            institution: sql`case when ${users.institution} = '' then excluded.institution else ${users.institution} end`,
          },
        })
        .returning();
      return { user: userFromRow(row!), created: row!.id === id };
    },

    async get(userId) {
      const [row] = await db.select().from(users).where(eq(users.id, userId));
      return row ? userFromRow(row) : null;
    },

    async updateProfile(userId, input) {
      const clean = validateProfile(input);
      const [row] = await db
        .update(users)
        // The old address's verification does not carry over to a new one.
        .set({
          ...clean,
          emailVerifiedAt: sql`case when ${users.email} = ${clean.email} then ${users.emailVerifiedAt} else null end`,
          updatedAt: sql`now()`,
        })
        .where(eq(users.id, userId))
        .returning();
      if (!row) throw new AppError("NOT_FOUND", "Your account no longer exists; sign in again");
      return userFromRow(row);
    },

    async createApiToken(userId, name, opts = {}) {
      const days = opts.expiresInDays ?? DEFAULT_TOKEN_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)
        throw new AppError("INVALID_INPUT", `expires_in_days must be a whole number from 1 to ${MAX_TOKEN_DAYS}`);
      // In TOKEN_SCOPES order, without repeats; none given → the defaults.
      const scopes = TOKEN_SCOPES.filter((x) => (opts.scopes?.length ? opts.scopes : DEFAULT_TOKEN_SCOPES).includes(x));
      const token = `gas_${randomBytes(24).toString("base64url")}`;
      const label = name.trim().slice(0, 100) || "api";
      const [row] = await db
        .insert(apiTokens)
        .values({
          tokenHash: hashSecret(token),
          userId,
          name: label,
          prefix: token.slice(0, 8),
          scopes,
          expiresAt: sql`now() + make_interval(days => ${days})`,
        })
        .returning();
      return { token, info: toTokenInfo(row!) };
    },

    async listApiTokens(userId) {
      const rows = await db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt));
      return rows.map(toTokenInfo);
    },

    async revokeApiToken(userId, tokenId) {
      const r = await db
        .delete(apiTokens)
        .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)))
        .returning({ id: apiTokens.id });
      return r.length > 0;
    },

    async userForToken(token) {
      const tokenHash = hashSecret(token);
      const [row] = await db
        .select({ user: users, scopes: apiTokens.scopes })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, tokenHash), gt(apiTokens.expiresAt, sql`now()`)));
      if (!row) return null;
      // "Last used" to the minute is enough, and saves a write on every API call.
      await db
        .update(apiTokens)
        .set({ lastUsedAt: sql`now()` })
        .where(
          and(
            eq(apiTokens.tokenHash, tokenHash),
            or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
          ),
        );
      return {
        ...userFromRow(row.user),
        tokenScopes: row.scopes.filter((x): x is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(x)),
      };
    },

    async setPaymentCustomer(userId, customerId) {
      await db
        .update(users)
        .set({ paymentCustomerId: customerId, updatedAt: sql`now()` })
        .where(and(eq(users.id, userId), isNull(users.paymentCustomerId)));
      const [row] = await db.select({ c: users.paymentCustomerId }).from(users).where(eq(users.id, userId));
      return row?.c ?? null;
    },

    async findByPaymentCustomer(customerId) {
      const [row] = await db.select().from(users).where(eq(users.paymentCustomerId, customerId));
      return row ? userFromRow(row) : null;
    },

    async setTier(userId, tier, opts = {}) {
      const only = opts.onlyIfSubscription;
      const [row] = await db
        .update(users)
        .set({
          tier,
          ...(opts.subscriptionId !== undefined ? { paymentSubscriptionId: opts.subscriptionId } : {}),
          updatedAt: sql`now()`,
        })
        .where(and(eq(users.id, userId), only ? or(isNull(users.paymentSubscriptionId), eq(users.paymentSubscriptionId, only)) : undefined))
        .returning();
      return row ? userFromRow(row) : null;
    },
  };
}
