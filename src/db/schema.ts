/**
 * The schema barrel drizzle-kit reads (see drizzle.config.ts). Every table of the local backend is
 * here: accounts and tokens (PostgreSQL on every backend), jobs (the local JobStore), the queue
 * (the local Topic/Queue) and the notifications ledger.
 */
import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Identity provider subject (`dev:<email>` for dev sign-in, the OIDC `sub` later). */
    subject: text("subject").notNull(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    tier: text("tier", { enum: ["free", "premium"] }).notNull().default("free"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_subject_idx").on(t.subject)],
);

export const apiTokens = pgTable("api_tokens", {
  /** SHA-256 of the token: the token itself is shown once and never stored. */
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    inputFileName: text("input_file_name").notNull(),
    inputKey: text("input_key").notNull(),
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
    failureReason: text("failure_reason"),
    summary: jsonb("summary"),
  },
  (t) => [index("jobs_user_submit_idx").on(t.userId, t.submitTime)],
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
  sentAt: timestamp("sent_at", { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});
