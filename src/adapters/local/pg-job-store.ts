/**
 * JobStore on PostgreSQL. Each transition is one UPDATE … WHERE <expected state> RETURNING, the
 * local equivalent of a DynamoDB conditional write: when two workers race, exactly one row update
 * wins and the loser sees an empty result.
 */
import { and, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { jobs } from "../../db/schema.ts";
import {
  type ClaimResult,
  DEFAULT_JOB_OPTIONS,
  type Job,
  type JobAnnouncement,
  type JobProgress,
  type JobStatus,
  type JobStore,
  type JobOptions,
  type JobSummary,
  JOB_STATUSES,
  type NewJob,
} from "../../ports/job-store.ts";
import type { PgOutbox } from "./pg-queue.ts";

type Row = typeof jobs.$inferSelect;

const toJob = (r: Row): Job => ({
  id: r.id,
  userId: r.userId,
  name: r.name ?? r.inputFileName,
  note: r.note,
  options: (r.options as JobOptions | null) ?? { ...DEFAULT_JOB_OPTIONS },
  inputFileName: r.inputFileName,
  inputKey: r.inputKey,
  status: r.status,
  submitTime: r.submitTime,
  startTime: r.startTime,
  completeTime: r.completeTime,
  attempts: r.attempts,
  resultKey: r.resultKey,
  logKey: r.logKey,
  rowsKey: r.rowsKey,
  resultState: r.resultState,
  archiveId: r.archiveId,
  failureReason: r.failureReason,
  summary: (r.summary as JobSummary | null) ?? null,
  progress: (r.progress as JobProgress | null) ?? null,
  manifestKey: r.manifestKey,
  deletedAt: r.deletedAt,
});

const leaseUntil = (seconds: number) => sql`now() + ${seconds} * interval '1 second'`;

/** The job insert as raw SQL for the outbox statement (`$1…$8`: id, user, file name, key, submit time, name, note, options). */
const INSERT_JOB_SQL = `insert into jobs (id, user_id, input_file_name, input_key, submit_time, name, note, options, status)
  values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 'PENDING') on conflict (id) do nothing returning id`;

/** The columns a new job fills beyond the key fields: its name (the file name unless given), note and options. */
const newJobColumns = (job: NewJob) => ({
  name: job.name ?? job.inputFileName,
  note: job.note ?? null,
  options: job.options ?? { ...DEFAULT_JOB_OPTIONS },
});

export interface PgJobStoreOptions {
  /** The queue's outbox on the same database: enables `createAndAnnounce`. */
  outbox?: PgOutbox;
}

/** Create the PostgreSQL job store. */
/** The job is RUNNING under this claim: every step a claim holder takes is conditional on it. */
function heldBy(id: string, token: string) {
  return and(eq(jobs.id, id), eq(jobs.status, "RUNNING"), eq(jobs.claimToken, token));
}

/** PENDING → RUNNING, or a lapsed claim taken over: the updated row, or undefined when neither applies. */
async function claimRow(db: AppDb, id: string, token: string, leaseSeconds: number): Promise<Row | undefined> {
  const [r] = await db
    .update(jobs)
    .set({
      status: "RUNNING",
      claimToken: token,
      claimExpiresAt: leaseUntil(leaseSeconds),
      startTime: sql`coalesce(${jobs.startTime}, now())`,
      attempts: sql`${jobs.attempts} + 1`,
    })
    .where(
      and(
        eq(jobs.id, id),
        or(
          eq(jobs.status, "PENDING"),
          and(eq(jobs.status, "RUNNING"), or(isNull(jobs.claimExpiresAt), lt(jobs.claimExpiresAt, sql`now()`))),
        ),
      ),
    )
    .returning();
  return r;
}

export function createPgJobStore(db: AppDb, opts: PgJobStoreOptions = {}): JobStore {
  /**
   * The claim under a per-user cap, in one transaction holding a lock on the owner's id: READ
   * COMMITTED gives each statement a fresh snapshot, so the count taken after the lock sees every
   * claim committed by a transaction that held it before (without the lock, three annotator slots
   * counted 0 running at once and all claimed the same user's jobs).
   */
  const claimUnderCap = (id: string, token: string, leaseSeconds: number, max: number) =>
    db.transaction(async (tx) => {
      const [owner] = await tx.select({ userId: jobs.userId, status: jobs.status }).from(jobs).where(eq(jobs.id, id));
      if (!owner) return undefined;
      // The cap is for starting jobs, as on DynamoDB: a RUNNING job whose worker died already had
      // its turn, and its takeover must not wait. Capped, it was reported 'busy' (a delivery counted
      // towards the dead-letter queue) until it dead-lettered: bench/soak.ts, one user's good jobs
      // FAILED after a kill -9 while the user's other job ran on the second annotator.
      if (owner.status !== "PENDING") return claimRow(tx as unknown as AppDb, id, token, leaseSeconds);
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`gas-claim:${owner.userId}`}, 0))`);
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(jobs)
        .where(and(eq(jobs.userId, owner.userId), eq(jobs.status, "RUNNING"), gt(jobs.claimExpiresAt, sql`now()`), ne(jobs.id, id)));
      if (Number(row?.n ?? 0) >= max) return "capped" as const;
      return claimRow(tx as unknown as AppDb, id, token, leaseSeconds);
    });

  const get = async (id: string) => {
    const [r] = await db.select().from(jobs).where(eq(jobs.id, id));
    return r ? toJob(r) : null;
  };
  // Submitting is the hot path of the web role: built once, and a prepared statement on PostgreSQL.
  const insertJob = db
    .insert(jobs)
    .values({
      id: sql.placeholder("id"),
      userId: sql.placeholder("userId"),
      inputFileName: sql.placeholder("inputFileName"),
      inputKey: sql.placeholder("inputKey"),
      submitTime: sql.placeholder("submitTime"),
      name: sql.placeholder("name"),
      note: sql.placeholder("note"),
      options: sql.placeholder("options"),
      status: "PENDING",
    })
    .onConflictDoNothing({ target: jobs.id })
    .returning({ id: jobs.id })
    .prepare("gas_jobs_create");
  const { outbox } = opts;
  return {
    async usage(userId, o) {
      // One pass over the user's rows (jobs_user_submit_idx); FILTER keeps it one aggregate.
      const after = o?.startedAfter ?? null;
      const [row] = await db
        .select({
          running: sql<number>`count(*) filter (where ${jobs.status} = 'RUNNING' and ${jobs.claimExpiresAt} > now())::int`,
          startedAfter:
            after === null
              ? sql<number>`0`
              : sql<number>`count(*) filter (where ${jobs.startTime} > ${after.toISOString()}::timestamptz)::int`,
          resultBytes: sql<string>`coalesce(sum((${jobs.summary}->>'storedBytes')::bigint) filter (where ${jobs.status} = 'COMPLETED' and ${jobs.resultState} in ('AVAILABLE', 'RESTORING')), 0)::text`,
          othersPending: sql<boolean>`exists (select 1 from ${jobs} as other where other.status = 'PENDING' and other.user_id <> ${userId})`,
          oldestPending: sql<
            string | null
          >`(array_agg(${jobs.id}::text order by ${jobs.submitTime}, ${jobs.id}) filter (where ${jobs.status} = 'PENDING'))[1]`,
        })
        .from(jobs)
        .where(and(eq(jobs.userId, userId), isNull(jobs.deletedAt)));
      return {
        running: Number(row?.running ?? 0),
        startedAfter: Number(row?.startedAfter ?? 0),
        resultBytes: Number(row?.resultBytes ?? 0),
        oldestPending: row?.oldestPending ?? null,
        othersPending: Boolean(row?.othersPending),
      };
    },
    async countByStatus() {
      const rows = await db.select({ status: jobs.status, n: sql<number>`count(*)::int` }).from(jobs).groupBy(jobs.status);
      const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const r of rows) counts[r.status] = Number(r.n);
      return counts;
    },
    async create(job) {
      const r = await insertJob.execute({ ...job, ...newJobColumns(job) });
      return r.length > 0;
    },
    ...(outbox && {
      async createAndAnnounce(job: NewJob, announce: JobAnnouncement) {
        const { name, note, options } = newJobColumns(job);
        const params = [
          job.id,
          job.userId,
          job.inputFileName,
          job.inputKey,
          job.submitTime.toISOString(),
          name,
          note,
          JSON.stringify(options),
        ];
        return (await outbox.writeAndPublish({ text: INSERT_JOB_SQL, params }, announce.topic, announce.message)) > 0;
      },
    }),
    get,
    async listByUser(userId, opts) {
      const rows = await db
        .select()
        .from(jobs)
        .where(and(eq(jobs.userId, userId), isNull(jobs.deletedAt)))
        .orderBy(desc(jobs.submitTime), desc(jobs.id))
        .limit(opts?.limit ?? 1000);
      return rows.map(toJob);
    },
    async pageByUser(userId, o) {
      // Keyset on jobs_user_submit_idx: (submit_time, id) strictly below the cursor; one row more
      // than asked says whether another page follows.
      const after = o.after
        ? sql`(${jobs.submitTime}, ${jobs.id}) < (${o.after.submitTime.toISOString()}::timestamptz, ${o.after.id})`
        : undefined;
      const rows = await db
        .select()
        .from(jobs)
        .where(and(eq(jobs.userId, userId), isNull(jobs.deletedAt), after))
        .orderBy(desc(jobs.submitTime), desc(jobs.id))
        .limit(o.limit + 1);
      const page = rows.slice(0, o.limit).map(toJob);
      const last = page.at(-1);
      return { jobs: page, next: rows.length > o.limit && last ? { submitTime: last.submitTime, id: last.id } : null };
    },
    async claim(id, token, leaseSeconds, o): Promise<ClaimResult> {
      const max = o?.maxRunningPerUser;
      const claimed = max ? await claimUnderCap(id, token, leaseSeconds, max) : await claimRow(db, id, token, leaseSeconds);
      if (claimed && claimed !== "capped") return { outcome: "claimed", job: toJob(claimed) };
      const current = await get(id);
      if (!current) return { outcome: "missing" };
      if (current.status === "COMPLETED" || current.status === "FAILED") return { outcome: "finished", job: current };
      return claimed === "capped" && current.status === "PENDING" ? { outcome: "capped" } : { outcome: "busy" };
    },
    async renewClaim(id, token, leaseSeconds) {
      const r = await db
        .update(jobs)
        .set({ claimExpiresAt: leaseUntil(leaseSeconds) })
        .where(heldBy(id, token))
        .returning({ id: jobs.id });
      return r.length > 0;
    },
    async reportProgress(id, token, progress) {
      const r = await db.update(jobs).set({ progress }).where(heldBy(id, token)).returning({ id: jobs.id });
      return r.length > 0;
    },
    async complete(id, token, f) {
      const r = await db
        .update(jobs)
        .set({
          status: "COMPLETED",
          completeTime: sql`now()`,
          claimExpiresAt: null,
          resultKey: f.resultKey,
          logKey: f.logKey,
          rowsKey: f.rowsKey,
          resultState: "AVAILABLE",
          summary: f.summary,
          manifestKey: f.manifestKey ?? null,
        })
        .where(heldBy(id, token))
        .returning({ id: jobs.id });
      return r.length > 0;
    },
    async moveResult(id, from, to) {
      const r = await db
        .update(jobs)
        .set({ resultState: to.state, archiveId: to.archiveId })
        .where(
          and(
            eq(jobs.id, id),
            eq(jobs.status, "COMPLETED"),
            eq(jobs.resultState, from.state),
            from.archiveId === null ? isNull(jobs.archiveId) : eq(jobs.archiveId, from.archiveId),
          ),
        )
        .returning({ id: jobs.id });
      return r.length > 0;
    },
    async setRowsKey(id, from, to) {
      const r = await db
        .update(jobs)
        .set({ rowsKey: to })
        .where(and(eq(jobs.id, id), eq(jobs.status, "COMPLETED"), from === null ? isNull(jobs.rowsKey) : eq(jobs.rowsKey, from)))
        .returning({ id: jobs.id });
      return r.length > 0;
    },
    async markDeleted(id) {
      const [r] = await db
        .update(jobs)
        .set({ deletedAt: sql`coalesce(${jobs.deletedAt}, now())` })
        .where(eq(jobs.id, id))
        .returning();
      return r ? toJob(r) : null;
    },
    async delete(id) {
      const r = await db.delete(jobs).where(eq(jobs.id, id)).returning({ id: jobs.id });
      return r.length > 0;
    },
    async fail(id, token, reason) {
      const cond = token ? heldBy(id, token) : and(eq(jobs.id, id), inArray(jobs.status, ["PENDING", "RUNNING"]));
      const r = await db
        .update(jobs)
        .set({ status: "FAILED", completeTime: sql`now()`, claimExpiresAt: null, failureReason: reason })
        .where(cond)
        .returning({ id: jobs.id });
      return r.length > 0;
    },
  };
}
