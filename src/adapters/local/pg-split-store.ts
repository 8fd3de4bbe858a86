/**
 * SplitStore on PostgreSQL (job_splits, job_split_chunks). As in pg-job-store.ts, each transition
 * is one UPDATE … WHERE <expected state> RETURNING: of two racing annotators exactly one row
 * update wins. The done count is derived from the chunk rows (never a counter that a crash could
 * leave behind), and the merge claim checks it in the same statement.
 */
import { and, asc, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { jobSplitChunks, jobSplits } from "../../db/schema.ts";
import type { ChunkResult, ChunkState, SplitState, SplitStore } from "../../ports/split-store.ts";

const leaseUntil = (seconds: number) => sql`now() + ${seconds} * interval '1 second'`;
const free = or(isNull(jobSplitChunks.claimExpiresAt), lt(jobSplitChunks.claimExpiresAt, sql`now()`));

type ChunkFigures = Omit<ChunkResult, "token">;

/** Create the PostgreSQL split store. */
export function createPgSplitStore(db: AppDb): SplitStore {
  const chunk = (jobId: string, n: number) => and(eq(jobSplitChunks.jobId, jobId), eq(jobSplitChunks.n, n));

  async function progress(jobId: string): Promise<{ done: number; recordsDone: number }> {
    const [row] = await db
      .select({
        done: sql<number>`count(*)::int`,
        records: sql<number>`coalesce(sum((${jobSplitChunks.result}->>'records')::bigint), 0)::bigint`,
      })
      .from(jobSplitChunks)
      .where(and(eq(jobSplitChunks.jobId, jobId), isNotNull(jobSplitChunks.doneAt)));
    return { done: Number(row?.done ?? 0), recordsDone: Number(row?.records ?? 0) };
  }

  async function get(jobId: string): Promise<SplitState | null> {
    const [s] = await db.select().from(jobSplits).where(eq(jobSplits.jobId, jobId));
    if (!s) return null;
    return {
      jobId,
      chunks: s.chunks,
      chunkLines: s.chunkLines,
      records: s.records,
      inputBytes: s.inputBytes,
      inputSha256: s.inputSha256,
      jobToken: s.jobToken,
      startedAt: s.startedAt,
      mergedAt: s.mergedAt,
      ...(await progress(jobId)),
    };
  }

  return {
    async begin(jobId, plan) {
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(jobSplits)
          .values({ jobId, ...plan, jobToken: plan.jobToken ?? null })
          .onConflictDoNothing()
          .returning({ jobId: jobSplits.jobId });
        if (inserted.length === 0) return;
        await tx.insert(jobSplitChunks).values(Array.from({ length: plan.chunks }, (_, n) => ({ jobId, n })));
      });
      return (await get(jobId))!;
    },
    get,
    async chunks(jobId) {
      const rows = await db.select().from(jobSplitChunks).where(eq(jobSplitChunks.jobId, jobId)).orderBy(asc(jobSplitChunks.n));
      return rows.map(
        (r): ChunkState => ({
          n: r.n,
          attempts: r.attempts,
          result: r.doneAt && r.result ? { token: r.claimToken ?? "", ...(r.result as ChunkFigures) } : null,
        }),
      );
    },
    async claimChunk(jobId, n, token, leaseSeconds) {
      const [won] = await db
        .update(jobSplitChunks)
        .set({ claimToken: token, claimExpiresAt: leaseUntil(leaseSeconds), attempts: sql`${jobSplitChunks.attempts} + 1` })
        .where(and(chunk(jobId, n), isNull(jobSplitChunks.doneAt), free))
        .returning({ attempts: jobSplitChunks.attempts });
      if (won) return { outcome: "claimed", attempts: won.attempts };
      const [r] = await db.select({ doneAt: jobSplitChunks.doneAt }).from(jobSplitChunks).where(chunk(jobId, n));
      if (!r) return { outcome: "missing" };
      return r.doneAt ? { outcome: "done" } : { outcome: "busy" };
    },
    async renewChunk(jobId, n, token, leaseSeconds) {
      const rows = await db
        .update(jobSplitChunks)
        .set({ claimExpiresAt: leaseUntil(leaseSeconds) })
        .where(and(chunk(jobId, n), eq(jobSplitChunks.claimToken, token), isNull(jobSplitChunks.doneAt)))
        .returning({ n: jobSplitChunks.n });
      return rows.length > 0;
    },
    async finishChunk(jobId, n, token, result) {
      // Done under this token now, or earlier (a repeated call): either way the counts are current.
      const [row] = await db
        .update(jobSplitChunks)
        .set({
          doneAt: sql`coalesce(${jobSplitChunks.doneAt}, now())`,
          result: sql`coalesce(${jobSplitChunks.result}, ${JSON.stringify(result)}::jsonb)`,
          claimExpiresAt: null,
        })
        .where(and(chunk(jobId, n), eq(jobSplitChunks.claimToken, token)))
        .returning({ n: jobSplitChunks.n });
      if (!row) return null;
      const [s] = await db.select({ chunks: jobSplits.chunks }).from(jobSplits).where(eq(jobSplits.jobId, jobId));
      return { done: (await progress(jobId)).done, chunks: s?.chunks ?? 0 };
    },
    async claimMerge(jobId, token, leaseSeconds) {
      const doneCount = sql`(select count(*) from ${jobSplitChunks} where ${jobSplitChunks.jobId} = ${jobId} and ${jobSplitChunks.doneAt} is not null)`;
      const [won] = await db
        .update(jobSplits)
        .set({ mergeToken: token, mergeExpiresAt: leaseUntil(leaseSeconds) })
        .where(
          and(
            eq(jobSplits.jobId, jobId),
            isNull(jobSplits.mergedAt),
            or(isNull(jobSplits.mergeExpiresAt), lt(jobSplits.mergeExpiresAt, sql`now()`)),
            sql`${doneCount} = ${jobSplits.chunks}`,
          ),
        )
        .returning({ jobId: jobSplits.jobId });
      if (won) return "claimed";
      const s = await get(jobId);
      if (!s) return "missing";
      if (s.mergedAt) return "merged";
      return s.done < s.chunks ? "waiting" : "busy";
    },
    async renewMerge(jobId, token, leaseSeconds) {
      const rows = await db
        .update(jobSplits)
        .set({ mergeExpiresAt: leaseUntil(leaseSeconds) })
        .where(and(eq(jobSplits.jobId, jobId), eq(jobSplits.mergeToken, token), isNull(jobSplits.mergedAt)))
        .returning({ jobId: jobSplits.jobId });
      return rows.length > 0;
    },
    async finishMerge(jobId, token) {
      const rows = await db
        .update(jobSplits)
        .set({ mergedAt: sql`now()`, mergeExpiresAt: null })
        .where(and(eq(jobSplits.jobId, jobId), eq(jobSplits.mergeToken, token), isNull(jobSplits.mergedAt)))
        .returning({ jobId: jobSplits.jobId });
      return rows.length > 0;
    },
    async delete(jobId) {
      // The chunks go with their split (ON DELETE CASCADE).
      await db.delete(jobSplits).where(eq(jobSplits.jobId, jobId));
    },
  };
}
