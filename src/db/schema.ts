/**
 * The schema barrel drizzle-kit reads (see drizzle.config.ts). Every table of the local backend is
 * here: accounts and tokens (PostgreSQL on every backend), jobs (the local JobStore), the queue
 * (the local Topic/Queue) and the notifications ledger.
 */
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Identity provider subject: `dev:<email>` for dev sign-in, `<issuer> <sub>` for OpenID Connect. */
    subject: text("subject").notNull(),
    /** Empty until known: the provider may not share it, and the profile page asks for it. */
    email: text("email").notNull(),
    /**
     * When `email` was shown to reach this user (a verification link, or the identity provider's
     * `email_verified`); null: unverified, and only the verification email goes to it (issue 13).
     */
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    name: text("name").notNull(),
    institution: text("institution").notNull().default(""),
    tier: text("tier", { enum: ["free", "premium"] })
      .notNull()
      .default("free"),
    /** The payment provider's customer id (Stripe `cus_…`, issue 5). */
    paymentCustomerId: text("payment_customer_id"),
    /** The subscription that made the user premium; a cancellation of another one leaves the tier alone. */
    paymentSubscriptionId: text("payment_subscription_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_subject_idx").on(t.subject), index("users_payment_customer_idx").on(t.paymentCustomerId)],
);

export const apiTokens = pgTable("api_tokens", {
  /** SHA-256 of the token: the token itself is shown once and never stored. */
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** Public handle for listing and revoking (the hash is never shown). */
  id: text("id").notNull().unique().default(sql`gen_random_uuid()::text`),
  /** The token's first characters, so a user can tell tokens apart. */
  prefix: text("prefix").notNull().default(""),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  /** What the token may do (accounts.service.ts TOKEN_SCOPES): read, submit, manage. */
  scopes: text("scopes").array().notNull().default(sql`'{read,submit}'::text[]`),
  /** After this the token is refused; every token has one (issue 13: tokens never expired). */
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull().default(sql`now() + interval '90 days'`),
});

/** Verification links sent to a user's address: single-use, expiring; only the hash is kept. */
export const emailVerifications = pgTable(
  "email_verifications",
  {
    /** SHA-256 of the link's token: a copy of the database does not verify anything. */
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The address the link was sent to: it verifies that address only, not a later one. */
    email: text("email").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  // Resends are counted per user over the last day (the rate limit).
  (t) => [index("email_verifications_user_idx").on(t.userId, t.createdAt)],
);

export const sessions = pgTable(
  "sessions",
  {
    /** SHA-256 of the session token; the token itself lives only in the signed cookie. */
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** The identity provider's tokens, kept only to revoke them and to end the provider's session at logout. */
    providerTokens: jsonb("provider_tokens"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export const shareLinks = pgTable(
  "share_links",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the link's token: a leaked database does not leak working links. */
    tokenHash: text("token_hash").notNull().unique(),
    /** No foreign key: on AWS jobs live in DynamoDB, not here. */
    jobId: text("job_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("share_links_job_idx").on(t.jobId)],
);

export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    inputFileName: text("input_file_name").notNull(),
    inputKey: text("input_key").notNull(),
    /** The user's name for the job; null: the input's file name (jobs from before names). */
    name: text("name"),
    note: text("note"),
    /** JobOptions ({pick, fields}); null: the defaults (jobs from before options). */
    options: jsonb("options"),
    /** The job manifest in the results store, once COMPLETED. */
    manifestKey: text("manifest_key"),
    status: text("status", { enum: ["PENDING", "RUNNING", "COMPLETED", "FAILED"] }).notNull(),
    submitTime: timestamp("submit_time", { withTimezone: true }).notNull(),
    startTime: timestamp("start_time", { withTimezone: true }),
    completeTime: timestamp("complete_time", { withTimezone: true }),
    /** Which worker holds the job and until when; a lapsed claim can be taken over. */
    claimToken: text("claim_token"),
    claimExpiresAt: timestamp("claim_expires_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    resultKey: text("result_key"),
    logKey: text("log_key"),
    rowsKey: text("rows_key"),
    resultState: text("result_state", { enum: ["AVAILABLE", "ARCHIVED", "RESTORING"] }),
    /** The ArchiveVault's id for the result while ARCHIVED or RESTORING (the original's results_file_archive_id). */
    archiveId: text("archive_id"),
    failureReason: text("failure_reason"),
    summary: jsonb("summary"),
    /** The annotator's latest progress report while RUNNING ({records, bytesRead, totalBytes}). */
    progress: jsonb("progress"),
    /** Deleted by its owner: hidden from every reader until the archiver removes its files and this row. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    index("jobs_user_submit_idx").on(t.userId, t.submitTime),
    // Fair turns ask "does another user have a job waiting?" on every claim (usage().othersPending):
    // a partial index keeps that lookup to the waiting jobs instead of a scan of all jobs.
    index("jobs_pending_user_idx").on(t.userId, t.submitTime).where(sql`status = 'PENDING'`),
  ],
);

/** A job split into chunks (the local SplitStore, issue 16 item 5): one row per split job. */
export const jobSplits = pgTable("job_splits", {
  jobId: text("job_id")
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  chunks: integer("chunks").notNull(),
  /** Data lines per chunk (the last may hold fewer). */
  chunkLines: integer("chunk_lines").notNull(),
  records: bigint("records", { mode: "number" }).notNull(),
  inputBytes: bigint("input_bytes", { mode: "number" }).notNull(),
  inputSha256: text("input_sha256").notNull(),
  /** The job's claim token of the annotator that cut it: the merger completes the job under it. */
  jobToken: text("job_token"),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  /** Who merges the chunks' results and until when; a lapsed merge claim can be taken over. */
  mergeToken: text("merge_token"),
  mergeExpiresAt: timestamp("merge_expires_at", { withTimezone: true }),
  mergedAt: timestamp("merged_at", { withTimezone: true }),
});

/** One chunk of a split job: its claim (as a job's) and, once done, its result ({records, seconds}). */
export const jobSplitChunks = pgTable(
  "job_split_chunks",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobSplits.jobId, { onDelete: "cascade" }),
    n: integer("n").notNull(),
    claimToken: text("claim_token"),
    claimExpiresAt: timestamp("claim_expires_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    doneAt: timestamp("done_at", { withTimezone: true }),
    result: jsonb("result"),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.n] })],
);

export const queueMessages = pgTable(
  "queue_messages",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull(),
    body: jsonb("body").notNull(),
    /** Visible to receivers from this time on: delay, lease (visibility timeout) and backoff all move it. */
    visibleAt: timestamp("visible_at", { withTimezone: true }).notNull().defaultNow(),
    receiveCount: integer("receive_count").notNull().default(0),
    /** Changes on every receive, so a stale holder cannot ack or extend someone else's lease. */
    receipt: text("receipt"),
    lastError: text("last_error"),
    enqueuedAt: timestamp("enqueued_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("queue_messages_ready_idx").on(t.queue, t.visibleAt)],
);

export const sentNotifications = pgTable("sent_notifications", {
  /** e.g. `job.completed:<job id>`: makes the notifier idempotent under redelivery. */
  key: text("key").primaryKey(),
  sentAt: timestamp("sent_at", { withTimezone: true }).notNull().default(sql`now()`),
});

export const paymentEvents = pgTable(
  "payment_events",
  {
    /** The payment provider's event id (Stripe `evt_…`): each event is applied once. */
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /**
     * The subscription a subscribed/unsubscribed event was about: a "subscribed" that arrives after
     * its subscription's "unsubscribed" (webhooks are not ordered) must not make the user premium.
     */
    subscriptionId: text("subscription_id"),
    appliedAt: timestamp("applied_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("payment_events_subscription_idx").on(t.subscriptionId, t.type)],
);
