/** JobStore contract: every adapter (PostgreSQL, DynamoDB) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { type CompletedFields, eachJobOfUser, type JobAnnouncement, type JobCursor, type JobStore, type NewJob } from "./job-store.ts";

export interface JobStoreHarness {
  store: JobStore;
  /** Create an owner (accounts are PostgreSQL on every backend) and return its id. */
  makeUser(): Promise<string>;
  close(): Promise<void>;
}

const summary = {
  records: 1,
  alleles: 1,
  known: 0,
  novel: 1,
  skipped: 0,
  byMostSevere: { missense_variant: 1 },
  byConsequence: { missense_variant: 2 },
  byImpact: { MODERATE: 1 },
  warnings: [],
  warningsTotal: 0,
  seconds: 0.1,
  variantsPerSecond: 10,
};
const results: CompletedFields = { resultKey: "r.vcf", logKey: "r.log", rowsKey: null, summary };
const announcement = (j: NewJob): JobAnnouncement => ({
  topic: "job.requested",
  message: { jobId: j.id, userId: j.userId, inputKey: j.inputKey, inputFileName: j.inputFileName, submitTime: j.submitTime.toISOString() },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Register the contract tests for one adapter. */
export function jobStoreContract(
  name: string,
  open: () => Promise<JobStoreHarness>,
  /** Tests an emulator cannot pass, with the reason: moto's conditional writes race under concurrency. */
  opts: {
    skip?: {
      reason: string;
      tests: ("concurrent claims: exactly one wins" | "concurrent claims of one user's jobs never pass the cap")[];
    };
  } = {},
) {
  const skipped = new Set<string>(opts.skip?.tests ?? []);
  describe(`JobStore contract: ${name}`, () => {
    let h: JobStoreHarness;
    let job: NewJob;
    beforeEach(async () => {
      h = await open();
      const userId = await h.makeUser();
      const id = randomUUID();
      job = { id, userId, inputFileName: "a.vcf", inputKey: `${userId}/${id}~a.vcf`, submitTime: new Date() };
    });
    afterEach(() => h.close());

    test("create is PENDING, get returns it, a second create with the same id is refused", async () => {
      expect(await h.store.create(job)).toBe(true);
      expect(await h.store.create(job)).toBe(false);
      const got = await h.store.get(job.id);
      expect(got).toMatchObject({ id: job.id, status: "PENDING", userId: job.userId, attempts: 0, startTime: null });
      expect(await h.store.get(randomUUID())).toBeNull();
    });

    test("listByUser is newest first and only that user's", async () => {
      await h.store.create({ ...job, submitTime: new Date(Date.now() - 1000) });
      const second = { ...job, id: randomUUID(), submitTime: new Date() };
      await h.store.create(second);
      const other = await h.makeUser();
      await h.store.create({ ...job, id: randomUUID(), userId: other });
      expect((await h.store.listByUser(job.userId)).map((j) => j.id)).toEqual([second.id, job.id]);
    });

    test("pageByUser: every job of the user, newest first, page by page, none twice; new jobs do not shift pages", async () => {
      const base = Date.now() - 100_000;
      const ids = Array.from({ length: 7 }, () => randomUUID());
      for (const [i, id] of ids.entries()) await h.store.create({ ...job, id, submitTime: new Date(base + i * 1000) });
      const other = await h.makeUser();
      await h.store.create({ ...job, id: randomUUID(), userId: other, submitTime: new Date(base + 500) });
      const newestFirst = ids.toReversed();
      const pages: string[][] = [];
      let after: JobCursor | null = null;
      do {
        const page = await h.store.pageByUser(job.userId, { limit: 3, after });
        pages.push(page.jobs.map((j) => j.id));
        if (pages.length === 1) await h.store.create({ ...job, id: randomUUID(), submitTime: new Date() }); // newer than every page
        after = page.next;
      } while (after && pages.length < 10);
      expect(pages).toEqual([newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);
      const exact = await h.store.pageByUser(job.userId, { limit: 8 });
      expect(exact.jobs).toHaveLength(8);
      expect(exact.next).toBeNull(); // exactly the rest: no empty page after it
      expect(await h.store.pageByUser(await h.makeUser(), { limit: 3 })).toEqual({ jobs: [], next: null });
      const all: string[] = [];
      for await (const j of eachJobOfUser(h.store, job.userId, 2)) all.push(j.id);
      expect(all).toEqual((await h.store.listByUser(job.userId)).map((j) => j.id));
      expect(all.slice(1)).toEqual(newestFirst);
    });

    test("a job is claimed once; the holder completes it; finished jobs are not claimed again", async () => {
      await h.store.create(job);
      const first = await h.store.claim(job.id, "t1", 60);
      expect(first.outcome).toBe("claimed");
      if (first.outcome === "claimed") expect(first.job).toMatchObject({ status: "RUNNING", attempts: 1 });
      expect((await h.store.claim(job.id, "t2", 60)).outcome).toBe("busy");
      expect(await h.store.complete(job.id, "t2", results)).toBe(false); // not the holder
      expect(await h.store.complete(job.id, "t1", results)).toBe(true);
      expect(await h.store.complete(job.id, "t1", results)).toBe(false); // only once
      const done = await h.store.get(job.id);
      expect(done).toMatchObject({ status: "COMPLETED", resultKey: "r.vcf", resultState: "AVAILABLE", summary });
      expect(done!.completeTime!.getTime()).toBeGreaterThanOrEqual(done!.startTime!.getTime());
      expect((await h.store.claim(job.id, "t3", 60)).outcome).toBe("finished");
      expect((await h.store.claim(randomUUID(), "t3", 60)).outcome).toBe("missing");
    });

    test.skipIf(skipped.has("concurrent claims: exactly one wins"))("concurrent claims: exactly one wins", async () => {
      await h.store.create(job);
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => h.store.claim(job.id, `t${i}`, 60)));
      expect(outcomes.filter((o) => o.outcome === "claimed")).toHaveLength(1);
    });

    test("a lapsed claim is taken over; the old holder can no longer finish or renew", async () => {
      await h.store.create(job);
      await h.store.claim(job.id, "dead", 1);
      await sleep(1100);
      const again = await h.store.claim(job.id, "alive", 60);
      expect(again.outcome).toBe("claimed");
      if (again.outcome === "claimed") expect(again.job.attempts).toBe(2);
      expect(await h.store.renewClaim(job.id, "dead", 60)).toBe(false);
      expect(await h.store.complete(job.id, "dead", results)).toBe(false);
      expect(await h.store.renewClaim(job.id, "alive", 60)).toBe(true);
      expect(await h.store.complete(job.id, "alive", results)).toBe(true);
    });

    test("progress is recorded only by the claim holder while RUNNING", async () => {
      await h.store.create(job);
      expect(await h.store.reportProgress(job.id, "t", { records: 1, bytesRead: 10, totalBytes: 100 })).toBe(false);
      await h.store.claim(job.id, "t", 60);
      expect((await h.store.get(job.id))?.progress).toBeNull();
      expect(await h.store.reportProgress(job.id, "other", { records: 1, bytesRead: 10, totalBytes: 100 })).toBe(false);
      expect(await h.store.reportProgress(job.id, "t", { records: 5, bytesRead: 50, totalBytes: 100 })).toBe(true);
      expect((await h.store.get(job.id))?.progress).toEqual({ records: 5, bytesRead: 50, totalBytes: 100 });
      await h.store.complete(job.id, "t", results);
      expect(await h.store.reportProgress(job.id, "t", { records: 9, bytesRead: 90, totalBytes: 100 })).toBe(false);
    });

    test("fail records the reason; without a token it works from PENDING but never after COMPLETED", async () => {
      await h.store.create(job);
      expect(await h.store.fail(job.id, null, "not a VCF")).toBe(true);
      expect(await h.store.get(job.id)).toMatchObject({ status: "FAILED", failureReason: "not a VCF" });
      const other = { ...job, id: randomUUID() };
      await h.store.create(other);
      await h.store.claim(other.id, "t", 60);
      await h.store.complete(other.id, "t", results);
      expect(await h.store.fail(other.id, null, "late")).toBe(false);
      expect((await h.store.get(other.id))?.status).toBe("COMPLETED");
    });

    test("claim with maxRunningPerUser: capped while the owner has that many live claims, not counting other users'", async () => {
      const ids = [job.id, randomUUID(), randomUUID()];
      for (const id of ids) await h.store.create({ ...job, id });
      const other = await h.makeUser();
      const theirs = randomUUID();
      await h.store.create({ ...job, id: theirs, userId: other });
      expect((await h.store.claim(ids[0]!, "t0", 60, { maxRunningPerUser: 1 })).outcome).toBe("claimed");
      expect((await h.store.claim(ids[1]!, "t1", 60, { maxRunningPerUser: 1 })).outcome).toBe("capped");
      expect((await h.store.get(ids[1]!))?.status).toBe("PENDING"); // nothing changed
      expect((await h.store.claim(theirs, "x", 60, { maxRunningPerUser: 1 })).outcome).toBe("claimed");
      expect((await h.store.claim(ids[1]!, "t1", 60, { maxRunningPerUser: 2 })).outcome).toBe("claimed");
      // A let-go claim no longer counts; a finished job is "finished", whatever the cap.
      await h.store.renewClaim(ids[0]!, "t0", 0);
      await h.store.complete(ids[1]!, "t1", results);
      await sleep(20);
      expect((await h.store.claim(ids[2]!, "t2", 60, { maxRunningPerUser: 1 })).outcome).toBe("claimed");
      expect((await h.store.claim(ids[1]!, "t9", 60, { maxRunningPerUser: 1 })).outcome).toBe("finished");
    });

    test("a RUNNING job whose claim lapsed is taken over at the cap: the cap is for starting jobs", async () => {
      const crashed = { ...job, id: randomUUID() };
      const running = { ...job, id: randomUUID() };
      for (const j of [crashed, running]) await h.store.create(j);
      expect((await h.store.claim(crashed.id, "dead", 60, { maxRunningPerUser: 2 })).outcome).toBe("claimed");
      expect((await h.store.claim(running.id, "live", 60, { maxRunningPerUser: 2 })).outcome).toBe("claimed");
      await h.store.renewClaim(crashed.id, "dead", 0); // its worker died: the claim lapses
      await sleep(20);
      // The owner still has a live job and the cap is 1: a PENDING job would wait, this one is taken
      // over (before, it was 'busy' until its request dead-lettered and the job FAILED).
      const takeover = await h.store.claim(crashed.id, "next", 60, { maxRunningPerUser: 1 });
      expect(takeover.outcome).toBe("claimed");
      expect(takeover.outcome === "claimed" && takeover.job.attempts).toBe(2);
      // A live claim stays 'busy' for anyone else, capped or not.
      expect((await h.store.claim(running.id, "other", 60, { maxRunningPerUser: 1 })).outcome).toBe("busy");
    });

    test.skipIf(skipped.has("concurrent claims of one user's jobs never pass the cap"))(
      "concurrent claims of one user's jobs never pass the cap",
      async () => {
        const ids = Array.from({ length: 6 }, () => randomUUID());
        for (const id of ids) await h.store.create({ ...job, id });
        const outcomes = await Promise.all(ids.map((id, i) => h.store.claim(id, `t${i}`, 60, { maxRunningPerUser: 2 })));
        expect(outcomes.filter((o) => o.outcome === "claimed")).toHaveLength(2);
        expect(outcomes.filter((o) => o.outcome === "capped")).toHaveLength(4);
      },
    );

    test("usage: live running claims, starts after a time, hot result bytes and the oldest pending job, of that user only", async () => {
      expect(await h.store.usage(job.userId)).toEqual({
        running: 0,
        startedAfter: 0,
        resultBytes: 0,
        oldestPending: null,
        othersPending: false,
      });
      const ids = Array.from({ length: 5 }, () => randomUUID());
      for (const [i, id] of ids.entries()) await h.store.create({ ...job, id, submitTime: new Date(Date.now() + i) });
      const other = await h.makeUser();
      const theirs = randomUUID();
      await h.store.create({ ...job, id: theirs, userId: other });
      await h.store.claim(theirs, "theirs", 60); // another user's: never counted
      await h.store.claim(ids[0]!, "t0", 60);
      await h.store.complete(ids[0]!, "t0", { ...results, summary: { ...summary, storedBytes: 1000 } });
      await h.store.claim(ids[1]!, "t1", 60);
      await h.store.complete(ids[1]!, "t1", { ...results, summary: { ...summary, storedBytes: 300 } });
      await sleep(20);
      const since = new Date();
      await sleep(20);
      await h.store.claim(ids[2]!, "t2", 60); // running, live
      await h.store.claim(ids[3]!, "t3", 60);
      await h.store.renewClaim(ids[3]!, "t3", 0); // let go (a worker handing a job back)
      await sleep(20);
      expect(await h.store.usage(job.userId, { startedAfter: since })).toEqual({
        running: 1,
        startedAfter: 2,
        resultBytes: 1300,
        oldestPending: ids[4]!,
        othersPending: false, // the other user's job runs
      });
      // An archived result has left the results store; a restoring one is back in it.
      await h.store.moveResult(ids[0]!, { state: "AVAILABLE", archiveId: null }, { state: "ARCHIVED", archiveId: "a1" });
      expect((await h.store.usage(job.userId)).resultBytes).toBe(300);
      await h.store.moveResult(ids[0]!, { state: "ARCHIVED", archiveId: "a1" }, { state: "RESTORING", archiveId: "a1" });
      expect((await h.store.usage(job.userId)).resultBytes).toBe(1300);
      await h.store.complete(ids[2]!, "t2", results); // no storedBytes (a job from before): 0
      expect(await h.store.usage(job.userId)).toEqual({
        running: 0,
        startedAfter: 0,
        resultBytes: 1300,
        oldestPending: ids[4]!,
        othersPending: false,
      });
      // The first submitted wins, whatever order the jobs were created in.
      const earlier = randomUUID();
      await h.store.create({ ...job, id: earlier, submitTime: new Date(Date.now() - 60_000) });
      expect((await h.store.usage(job.userId)).oldestPending).toBe(earlier);
      // Another user's job waiting: fair turns have someone to give way to; not for that user.
      await h.store.create({ ...job, id: randomUUID(), userId: other });
      expect((await h.store.usage(job.userId)).othersPending).toBe(true);
      expect((await h.store.usage(other)).othersPending).toBe(true); // job.userId's own are pending too
    });

    test("countByStatus counts every status (0 when none) and follows each transition", async () => {
      const before = await h.store.countByStatus();
      expect(Object.keys(before).sort()).toEqual(["COMPLETED", "FAILED", "PENDING", "RUNNING"]);
      const ids = [job.id, randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) await h.store.create({ ...job, id });
      await h.store.claim(ids[1]!, "t1", 60);
      await h.store.claim(ids[2]!, "t2", 60);
      await h.store.complete(ids[2]!, "t2", results);
      await h.store.fail(ids[3]!, null, "not a VCF");
      const delta = async () => {
        const now = await h.store.countByStatus();
        return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
      };
      expect(await delta()).toEqual({ PENDING: 1, RUNNING: 1, COMPLETED: 1, FAILED: 1 });
      // Refused transitions count nothing: a second create, a busy claim, a stranger's complete.
      expect(await h.store.create({ ...job, id: ids[1]! })).toBe(false);
      expect((await h.store.claim(ids[1]!, "t9", 60)).outcome).toBe("busy");
      expect(await h.store.complete(ids[1]!, "t9", results)).toBe(false);
      expect(await h.store.fail(ids[2]!, null, "late")).toBe(false);
      expect(await delta()).toEqual({ PENDING: 1, RUNNING: 1, COMPLETED: 1, FAILED: 1 });
      // A lapsed claim taken over stays RUNNING; failing it without a token moves it to FAILED.
      await h.store.renewClaim(ids[1]!, "t1", 0);
      await sleep(20);
      expect((await h.store.claim(ids[1]!, "t5", 60)).outcome).toBe("claimed");
      expect(await delta()).toEqual({ PENDING: 1, RUNNING: 1, COMPLETED: 1, FAILED: 1 });
      expect(await h.store.fail(ids[1]!, null, "dead-lettered")).toBe(true);
      expect(await delta()).toEqual({ PENDING: 1, RUNNING: 0, COMPLETED: 1, FAILED: 2 });
      // Deleting a job takes it out of its status's count.
      expect(await h.store.delete(ids[2]!)).toBe(true);
      expect(await h.store.delete(job.id)).toBe(true);
      expect(await h.store.delete(job.id)).toBe(false);
      expect(await delta()).toEqual({ PENDING: 0, RUNNING: 0, COMPLETED: 0, FAILED: 2 });
    });

    test("result lifecycle: AVAILABLE → ARCHIVED → RESTORING → AVAILABLE, each step a conditional write", async () => {
      const available = { state: "AVAILABLE" as const, archiveId: null };
      const archived = { state: "ARCHIVED" as const, archiveId: "arc-1" };
      const restoring = { state: "RESTORING" as const, archiveId: "arc-1" };
      await h.store.create(job);
      expect(await h.store.moveResult(job.id, available, archived)).toBe(false); // not COMPLETED yet
      await h.store.claim(job.id, "t", 60);
      await h.store.complete(job.id, "t", results);
      expect(await h.store.get(job.id)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
      expect(await h.store.moveResult(job.id, available, archived)).toBe(true);
      expect(await h.store.moveResult(job.id, available, { ...archived, archiveId: "arc-2" })).toBe(false); // archived once
      expect(await h.store.get(job.id)).toMatchObject({ resultState: "ARCHIVED", archiveId: "arc-1" });
      expect(await h.store.moveResult(job.id, { ...archived, archiveId: "other" }, restoring)).toBe(false); // wrong archive id
      const racers = await Promise.all(Array.from({ length: 5 }, () => h.store.moveResult(job.id, archived, restoring)));
      expect(racers.filter(Boolean)).toHaveLength(1);
      expect(await h.store.moveResult(job.id, restoring, available)).toBe(true);
      expect(await h.store.get(job.id)).toMatchObject({
        status: "COMPLETED",
        resultState: "AVAILABLE",
        archiveId: null,
        resultKey: "r.vcf",
      });
      expect(await h.store.moveResult(randomUUID(), available, archived)).toBe(false);
    });

    test("name, note and options: given at create and kept; absent, the file name, no note and the defaults", async () => {
      const named = {
        ...job,
        name: "Trio · chr21 ✓",
        note: "re-run with MANE\nsecond line",
        options: { pick: "per-gene", fields: ["csq"] },
      } as const;
      await h.store.create({ ...named, options: { pick: "per-gene", fields: ["csq"] } });
      expect(await h.store.get(job.id)).toMatchObject({
        name: named.name,
        note: named.note,
        options: { pick: "per-gene", fields: ["csq"] },
        manifestKey: null,
      });
      const plain = { ...job, id: randomUUID() };
      expect((await h.store.createAndAnnounce?.(plain, announcement(plain))) ?? (await h.store.create(plain))).toBe(true);
      expect(await h.store.get(plain.id)).toMatchObject({ name: "a.vcf", note: null, options: { pick: "none", fields: ["ann", "csq"] } });
      const listed = await h.store.listByUser(job.userId);
      expect(listed.find((j) => j.id === job.id)).toMatchObject({ name: named.name, options: { pick: "per-gene" } });
    });

    test("createAndAnnounce, where offered, records the name, note and options too", async () => {
      if (!h.store.createAndAnnounce) return;
      const named = {
        ...job,
        name: "named",
        note: "a note",
        options: { pick: "flag-pick" as const, fields: ["ann" as const, "csq" as const] },
      };
      expect(await h.store.createAndAnnounce(named, announcement(named))).toBe(true);
      expect(await h.store.createAndAnnounce(named, announcement(named))).toBe(false);
      expect(await h.store.get(job.id)).toMatchObject({ name: "named", note: "a note", options: { pick: "flag-pick" } });
    });

    test("complete records the manifest key", async () => {
      await h.store.create(job);
      await h.store.claim(job.id, "t", 60);
      await h.store.complete(job.id, "t", { ...results, manifestKey: "r.manifest.json" });
      expect((await h.store.get(job.id))?.manifestKey).toBe("r.manifest.json");
    });

    test("delete removes the record, whatever its state; a second delete is a no-op returning false", async () => {
      await h.store.create(job);
      await h.store.claim(job.id, "t", 60);
      await h.store.complete(job.id, "t", results);
      const other = { ...job, id: randomUUID() };
      await h.store.create(other);
      expect(await h.store.delete(job.id)).toBe(true);
      expect(await h.store.get(job.id)).toBeNull();
      expect(await h.store.delete(job.id)).toBe(false);
      expect(await h.store.delete(randomUUID())).toBe(false);
      expect((await h.store.listByUser(job.userId)).map((j) => j.id)).toEqual([other.id]);
      // A worker that still held the deleted job's claim finds nothing to finish.
      expect(await h.store.complete(job.id, "t", results)).toBe(false);
      expect((await h.store.claim(job.id, "t2", 60)).outcome).toBe("missing");
    });

    test("markDeleted: a tombstone lists, pages and usage leave out; get still reads it; idempotent; none for an absent id", async () => {
      const base = Date.now() - 10_000;
      const ids = Array.from({ length: 5 }, () => randomUUID());
      for (const [i, id] of ids.entries()) await h.store.create({ ...job, id, submitTime: new Date(base + i * 1000) });
      await h.store.claim(ids[0]!, "t", 60);
      await h.store.complete(ids[0]!, "t", { ...results, summary: { ...summary, storedBytes: 700 } });
      expect((await h.store.usage(job.userId)).resultBytes).toBe(700);
      const marked = await h.store.markDeleted(ids[0]!);
      expect(marked).toMatchObject({ id: ids[0], status: "COMPLETED", resultKey: "r.vcf" });
      const at = marked!.deletedAt!;
      expect(Math.abs(at.getTime() - Date.now())).toBeLessThan(60_000);
      await sleep(20);
      expect((await h.store.markDeleted(ids[0]!))?.deletedAt?.getTime()).toBe(at.getTime()); // the first time stays
      await h.store.markDeleted(ids[3]!);
      expect((await h.store.get(ids[0]!))?.deletedAt?.getTime()).toBe(at.getTime());
      expect((await h.store.get(ids[1]!))?.deletedAt).toBeNull();
      const live = [ids[4]!, ids[2]!, ids[1]!];
      expect((await h.store.listByUser(job.userId)).map((j) => j.id)).toEqual(live);
      const pages: string[][] = [];
      let after: JobCursor | null = null;
      do {
        const page = await h.store.pageByUser(job.userId, { limit: 2, after });
        pages.push(page.jobs.map((j) => j.id));
        after = page.next;
      } while (after && pages.length < 10);
      expect(pages.flat()).toEqual(live);
      expect(pages[0]).toHaveLength(2);
      expect((await h.store.usage(job.userId)).resultBytes).toBe(0);
      // No item appears for an unknown id; the record goes only with delete.
      const absent = randomUUID();
      expect(await h.store.markDeleted(absent)).toBeNull();
      expect(await h.store.get(absent)).toBeNull();
      expect(await h.store.delete(ids[0]!)).toBe(true);
      expect(await h.store.markDeleted(ids[0]!)).toBeNull();
    });

    test("setRowsKey: a conditional write on the current rowsKey, COMPLETED jobs only, one winner", async () => {
      await h.store.create(job);
      expect(await h.store.setRowsKey(job.id, null, "r.results.sqlite")).toBe(false); // not COMPLETED yet
      await h.store.claim(job.id, "t", 60);
      expect(await h.store.setRowsKey(job.id, null, "r.results.sqlite")).toBe(false);
      await h.store.complete(job.id, "t", { ...results, rowsKey: "r.annot.json" });
      expect(await h.store.setRowsKey(job.id, null, "r.results.sqlite")).toBe(false); // it has one
      expect(await h.store.setRowsKey(job.id, "other.annot.json", "r.results.sqlite")).toBe(false);
      const racers = await Promise.all(Array.from({ length: 5 }, () => h.store.setRowsKey(job.id, "r.annot.json", "r.results.sqlite")));
      expect(racers.filter(Boolean)).toHaveLength(1);
      expect(await h.store.get(job.id)).toMatchObject({ status: "COMPLETED", rowsKey: "r.results.sqlite", resultKey: "r.vcf" });
      const bare = { ...job, id: randomUUID() };
      await h.store.create(bare);
      await h.store.claim(bare.id, "t", 60);
      await h.store.complete(bare.id, "t", { ...results, rowsKey: null });
      expect(await h.store.setRowsKey(bare.id, null, "b.results.sqlite")).toBe(true);
      expect((await h.store.get(bare.id))?.rowsKey).toBe("b.results.sqlite");
      expect(await h.store.setRowsKey(randomUUID(), null, "x")).toBe(false);
    });
  });
}
