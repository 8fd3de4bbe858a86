/** SplitStore contract: every adapter (PostgreSQL, DynamoDB) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { SplitPlan, SplitStore } from "./split-store.ts";

export interface SplitStoreHarness {
  store: SplitStore;
  /** A job to split (PostgreSQL's tables reference the job): returns its id. */
  makeJob(): Promise<string>;
  close(): Promise<void>;
}

const plan: SplitPlan = { chunks: 3, chunkLines: 10, records: 30, inputBytes: 1234, inputSha256: "ab".repeat(32) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Register the contract tests for one adapter. */
export function splitStoreContract(name: string, open: () => Promise<SplitStoreHarness>) {
  describe(`SplitStore contract: ${name}`, () => {
    let h: SplitStoreHarness;
    let jobId: string;
    // The first open migrates a template database (seconds on a busy machine).
    beforeEach(async () => {
      h = await open();
      jobId = await h.makeJob();
    }, 60_000);
    afterEach(() => h?.close());

    test("a job never split has no split and no chunks; claims say missing", async () => {
      expect(await h.store.get(jobId)).toBeNull();
      expect(await h.store.chunks(jobId)).toEqual([]);
      expect(await h.store.claimChunk(jobId, 0, "t", 30)).toEqual({ outcome: "missing" });
      expect(await h.store.claimMerge(jobId, "t", 30)).toBe("missing");
    });

    test("begin records the plan once: a second begin changes nothing", async () => {
      const first = await h.store.begin(jobId, plan);
      expect(first).toMatchObject({ jobId, ...plan, jobToken: null, done: 0, recordsDone: 0, mergedAt: null });
      expect(first.startedAt).toBeInstanceOf(Date);
      await h.store.claimChunk(jobId, 0, "a", 30);
      await h.store.finishChunk(jobId, 0, "a", { records: 10, seconds: 1 });
      const again = await h.store.begin(jobId, { ...plan, chunks: 7 });
      expect(again).toMatchObject({ chunks: 3, done: 1, recordsDone: 10 });
      expect((await h.store.chunks(jobId)).map((c) => c.n)).toEqual([0, 1, 2]);
    });

    test("the cutter's job claim token is kept for the merger", async () => {
      const other = await h.makeJob();
      await h.store.begin(other, { ...plan, jobToken: "cutter-token" });
      expect((await h.store.get(other))?.jobToken).toBe("cutter-token");
      expect((await h.store.begin(other, { ...plan, jobToken: "another" })).jobToken).toBe("cutter-token");
    });

    test("a chunk is claimed once while the claim lasts; a lapsed claim is taken over", async () => {
      await h.store.begin(jobId, plan);
      expect(await h.store.claimChunk(jobId, 1, "a", 1)).toEqual({ outcome: "claimed", attempts: 1 });
      expect(await h.store.claimChunk(jobId, 1, "b", 30)).toEqual({ outcome: "busy" });
      expect(await h.store.renewChunk(jobId, 1, "b", 30)).toBe(false);
      await sleep(1100);
      expect(await h.store.claimChunk(jobId, 1, "b", 30)).toEqual({ outcome: "claimed", attempts: 2 });
      // The first holder's claim is gone: it can neither renew nor finish.
      expect(await h.store.renewChunk(jobId, 1, "a", 30)).toBe(false);
      expect(await h.store.finishChunk(jobId, 1, "a", { records: 10, seconds: 1 })).toBeNull();
      expect(await h.store.claimChunk(jobId, 9, "c", 30)).toEqual({ outcome: "missing" });
    });

    test("concurrent claims of a chunk: exactly one wins", async () => {
      await h.store.begin(jobId, plan);
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => h.store.claimChunk(jobId, 2, `t${i}`, 30)));
      expect(outcomes.filter((o) => o.outcome === "claimed")).toHaveLength(1);
    });

    test("finishing counts each chunk once and records its result; a done chunk is never claimed again", async () => {
      await h.store.begin(jobId, plan);
      await h.store.claimChunk(jobId, 0, "a", 30);
      expect(await h.store.finishChunk(jobId, 0, "a", { records: 12, seconds: 2 })).toEqual({ done: 1, chunks: 3 });
      expect(await h.store.finishChunk(jobId, 0, "a", { records: 12, seconds: 2 })).toEqual({ done: 1, chunks: 3 });
      expect(await h.store.claimChunk(jobId, 0, "b", 30)).toEqual({ outcome: "done" });
      expect(await h.store.renewChunk(jobId, 0, "a", 30)).toBe(false);
      const chunks = await h.store.chunks(jobId);
      expect(chunks[0]).toEqual({ n: 0, attempts: 1, result: { token: "a", records: 12, seconds: 2 } });
      expect(chunks[1]).toEqual({ n: 1, attempts: 0, result: null });
      expect(await h.store.get(jobId)).toMatchObject({ done: 1, recordsDone: 12 });
    });

    test("the merge waits for every chunk, is claimed once, and is recorded once", async () => {
      await h.store.begin(jobId, plan);
      for (const n of [0, 1]) {
        await h.store.claimChunk(jobId, n, `c${n}`, 30);
        await h.store.finishChunk(jobId, n, `c${n}`, { records: 10, seconds: 1 });
      }
      expect(await h.store.claimMerge(jobId, "m1", 30)).toBe("waiting");
      await h.store.claimChunk(jobId, 2, "c2", 30);
      expect(await h.store.finishChunk(jobId, 2, "c2", { records: 10, seconds: 1 })).toEqual({ done: 3, chunks: 3 });
      const claims = await Promise.all(["m1", "m2", "m3"].map((t) => h.store.claimMerge(jobId, t, 1)));
      expect(claims.filter((c) => c === "claimed")).toHaveLength(1);
      expect(claims.filter((c) => c === "busy")).toHaveLength(2);
      const winner = ["m1", "m2", "m3"][claims.indexOf("claimed")]!;
      expect(await h.store.renewMerge(jobId, winner, 1)).toBe(true);
      expect(await h.store.renewMerge(jobId, "other", 1)).toBe(false);
      // The merger died: its claim lapses and another takes the merge over.
      await sleep(1100);
      expect(await h.store.claimMerge(jobId, "m4", 30)).toBe("claimed");
      expect(await h.store.finishMerge(jobId, winner)).toBe(false);
      expect(await h.store.finishMerge(jobId, "m4")).toBe(true);
      expect(await h.store.claimMerge(jobId, "m5", 30)).toBe("merged");
      expect((await h.store.get(jobId))?.mergedAt).toBeInstanceOf(Date);
    });

    test("delete removes the split and its chunks; twice is fine", async () => {
      await h.store.begin(jobId, plan);
      await h.store.delete(jobId);
      await h.store.delete(jobId);
      expect(await h.store.get(jobId)).toBeNull();
      expect(await h.store.chunks(jobId)).toEqual([]);
      // Another job's split is untouched.
      const other = await h.makeJob();
      await h.store.begin(other, plan);
      await h.store.delete(jobId);
      expect(await h.store.get(other)).not.toBeNull();
    });

    test("splits of different jobs are independent", async () => {
      const other = await h.makeJob();
      await h.store.begin(jobId, plan);
      await h.store.begin(other, { ...plan, chunks: 1 });
      await h.store.claimChunk(other, 0, "x", 30);
      expect(await h.store.finishChunk(other, 0, "x", { records: 5, seconds: 1 })).toEqual({ done: 1, chunks: 1 });
      expect(await h.store.get(jobId)).toMatchObject({ done: 0, chunks: 3 });
    });
  });
}
