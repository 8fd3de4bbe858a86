/**
 * The archiver's races, on the real composition root (PGlite, the folder object store and vault,
 * the PostgreSQL queues, the local payments adapter). Messages are taken from the real queues; a
 * worker "killed" mid-step is a port wrapper that throws once at that point, after which the
 * message is handled again, as a redelivery would be.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { type ContainerHarness, startContainerHarness } from "../../../test/support/container-harness.ts";
import { jobSummary } from "../../../test/support/job-summary.ts";
import type { ArchiveVault } from "../../ports/archive-vault.ts";
import type { JobStore } from "../../ports/job-store.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { createLogger } from "../../shared/logger.ts";
import type { NotifierMessage } from "../notify/index.ts";
import { resultKeys } from "../jobs/job-keys.ts";
import { type ArchiverDeps, type StepResult, bundleKeysOf } from "./archiver.ts";
import { packResult, unpackResult } from "./result-bundle.ts";

let h: ContainerHarness;
beforeEach(async () => {
  h = await startContainerHarness({ ARCHIVE_AFTER_SECONDS: "0", RESTORE_DELAY_SECONDS: "1" });
}, 60_000);
afterEach(() => h.close(), 60_000);

/** The archiver the role runs (container.archiver), with a port wrapped where a test kills a step. */
const archiver = (over: Partial<ArchiverDeps> = {}) => h.container.archiver(createLogger("error", {}), { restoreCheckSeconds: 1, ...over });

/** Receive the next message of a queue (waiting up to `seconds`), run `step` on it, ack it. */
async function handleNext<M>(queue: string, step: (m: M) => Promise<StepResult>, seconds = 5): Promise<string | null> {
  const q = h.container.ports.queue<M>(queue);
  const [d] = await q.receive({ waitSeconds: seconds });
  if (!d) return null;
  const r = await step(d.message);
  await q.ack(d);
  return r.outcome;
}

/** A free user with a finished job whose results are in place; returns ids and the result key. */
async function freeUserWithJob() {
  const { user } = await h.container.accounts.signIn({
    subject: `dev:${crypto.randomUUID()}`,
    email: "free@example.org",
    name: "Free",
    institution: null,
    tokens: null,
  });
  const jobId = await h.completedJob(user.id);
  const job = (await h.container.ports.jobStore.get(jobId))!;
  return { userId: user.id, jobId, resultKey: job.resultKey!, rowsKey: job.rowsKey! };
}

/** Pay a checkout of the local adapter: its signed delivery goes through billing as the web route sends it. */
async function upgrade(userId: string) {
  const { accounts, billing, simulatedCheckout, ports } = h.container;
  const user = (await accounts.get(userId))!;
  const customerId = user.paymentCustomerId ?? (await accounts.setPaymentCustomer(userId, await ports.payments!.createCustomer(user)))!;
  const { url } = await ports.payments!.createCheckout({ customerId, userId, successUrl: "/subscribe/confirm", cancelUrl: "/subscribe" });
  const delivery = (await simulatedCheckout!.complete(url.split("/").pop()!))!;
  return billing!.handleWebhook(delivery.body, delivery.headers);
}

/**
 * The restore announcements (`result.restored`) the archiver published for a job, handed to the
 * notifier (which owns the email and its ledger) as its role would; returns how many there were
 * and how many "results restored" emails the outbox then holds.
 */
async function restoredAnnouncementsAndEmails(jobId: string): Promise<{ announced: number; emailed: number }> {
  const c = h.container;
  const queue = c.ports.queue<NotifierMessage>("notifier");
  const notify = c.notifier(createLogger("error", {}));
  let announced = 0;
  for (let [d] = await queue.receive(); d; [d] = await queue.receive()) {
    if (d.message.jobId === jobId && "archiveId" in d.message) announced++;
    await notify(d);
  }
  const outbox = c.config.backend.outboxDir;
  // Unfolded: a long Subject header continues on the next line (RFC 5322 folding).
  const mails = await Promise.all(
    ((await readdir(outbox).catch(() => [])) as string[]).map(async (f) =>
      (await Bun.file(`${outbox}/${f}`).text()).replace(/\r?\n[ \t]/g, " "),
    ),
  );
  return { announced, emailed: mails.filter((m) => m.includes(`Subject: Results restored for job ${jobId}`)).length };
}

const vaultFiles = async () =>
  ((await readdir(h.container.config.vault.dir).catch(() => [])) as string[]).filter((f) => f.endsWith(".archive"));
const text = async (store: ObjectStore, key: string) => {
  const o = await store.get(key);
  return o ? new Response(o.stream()).text() : null;
};

/** Archive a free user's job through the real queues: job.completed → job.archive → archived. */
async function archiveJob(a = archiver()) {
  const j = await freeUserWithJob();
  await a.onJobCompleted({ jobId: j.jobId, userId: j.userId, status: "COMPLETED", completeTime: new Date().toISOString() });
  expect(await handleNext("archive", a.onArchiveDue)).toBe("archived");
  return j;
}

/**
 * A free user's job as the annotator writes it now (issue 12): BGZF VCF, its .tbi, the results
 * store (rowsKey) and the log. `tbi: false` is a job whose records could not be indexed.
 */
async function freeUserWithBgzfJob(opts: { tbi?: boolean } = {}) {
  const { user } = await h.container.accounts.signIn({
    subject: `dev:${crypto.randomUUID()}`,
    email: "free@example.org",
    name: "Free",
    institution: null,
    tokens: null,
  });
  const { jobStore, results } = h.container.ports;
  const jobId = crypto.randomUUID();
  const inputKey = `${user.id}/${jobId}~calls.vcf.gz`;
  await h.container.ports.inputs.put(inputKey, "##fileformat=VCFv4.2\n");
  await jobStore.create({ id: jobId, userId: user.id, inputFileName: "calls.vcf.gz", inputKey, submitTime: new Date() });
  if ((await jobStore.claim(jobId, "t", 60)).outcome !== "claimed") throw new Error("claim failed");
  const keys = resultKeys(user.id, jobId, "calls.vcf.gz");
  const bytes = {
    [keys.vcfGz]: "bgzf bytes",
    ...(opts.tbi === false ? {} : { [keys.tbi]: "TBI\u0001 index" }),
    [keys.store]: "SQLite format 3\u0000 rows",
    [keys.log]: "Total: 1\n",
  };
  for (const [k, v] of Object.entries(bytes)) await results.put(k, v);
  await jobStore.complete(jobId, "t", { resultKey: keys.vcfGz, logKey: keys.log, rowsKey: keys.store, summary: ONE_RECORD });
  return { userId: user.id, jobId, keys, bytes };
}

const ONE_RECORD = jobSummary();

/** Archive, upgrade, thaw, restore: the job's files as the test sees them at each end. */
async function archiveAndRestore(j: { userId: string; jobId: string }) {
  const a = archiver();
  await a.onJobCompleted({ jobId: j.jobId, userId: j.userId, status: "COMPLETED", completeTime: new Date().toISOString() });
  expect(await handleNext("archive", a.onArchiveDue)).toBe("archived");
  const hot = async () => (await h.container.ports.results.list(`${j.userId}/${j.jobId}~`)).map((o) => o.key.split("~")[1]).sort();
  const archived = await hot();
  expect((await upgrade(j.userId)).outcome).toBe("applied");
  expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
  expect(await handleNext("restore", a.onRestored)).toBe("restored");
  expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
  return { archived, restored: await hot() };
}

describe("what is archived and restored", () => {
  test("a BGZF job: the VCF, its index and the results store go to the vault and come back byte for byte; the log stays", async () => {
    const j = await freeUserWithBgzfJob();
    const { archived, restored } = await archiveAndRestore(j);
    expect(archived).toEqual(["calls.vcf.count.log"]);
    expect(restored).toEqual(["calls.annot.vcf.gz", "calls.annot.vcf.gz.tbi", "calls.results.sqlite", "calls.vcf.count.log"]);
    for (const [key, body] of Object.entries(j.bytes)) expect(await text(h.container.ports.results, key)).toBe(body);
  });

  test("a BGZF job without an index archives and restores the rest", async () => {
    const j = await freeUserWithBgzfJob({ tbi: false });
    const { archived, restored } = await archiveAndRestore(j);
    expect(archived).toEqual(["calls.vcf.count.log"]);
    expect(restored).toEqual(["calls.annot.vcf.gz", "calls.results.sqlite", "calls.vcf.count.log"]);
  });

  test("an old job (plain VCF, rows as JSON) with a results store beside it: all three archived and restored", async () => {
    const j = await freeUserWithJob();
    const storeKey = j.resultKey.replace(/\.annot\.vcf$/, ".results.sqlite");
    await h.container.ports.results.put(storeKey, "SQLite format 3");
    const { archived, restored } = await archiveAndRestore(j);
    expect(archived).toEqual(["test.vcf.count.log"]);
    expect(restored).toEqual(["test.annot.json", "test.annot.vcf", "test.results.sqlite", "test.vcf.count.log"]);
    expect(await text(h.container.ports.results, storeKey)).toBe("SQLite format 3");
  });

  test("a bundle made before optional files existed (VCF + JSON only) still restores", async () => {
    const { results } = h.container.ports;
    const j = await freeUserWithJob();
    const job = (await h.container.ports.jobStore.get(j.jobId))!;
    const { required, optional } = bundleKeysOf(job);
    expect(required).toEqual([j.resultKey, j.rowsKey]);
    const oldBundle = await packResult(results, [j.resultKey, j.rowsKey]); // what the archiver packed before
    const before = await Promise.all(required.map((k) => text(results, k)));
    for (const k of required) await results.delete(k);
    await unpackResult(results, oldBundle, required, optional);
    expect(await Promise.all(required.map((k) => text(results, k)))).toEqual(before);
    expect(await results.head(optional[0]!)).toBeNull();
    await expect(unpackResult(results, oldBundle, [...required, `${j.userId}/x~missing.vcf`])).rejects.toThrow(
      "archive has no entry x~missing.vcf",
    );
  });
});

describe("archiver races", () => {
  test("upgrade while the archive is due: the due archive does nothing", async () => {
    const a = archiver();
    const j = await freeUserWithJob();
    expect(
      (await a.onJobCompleted({ jobId: j.jobId, userId: j.userId, status: "COMPLETED", completeTime: new Date().toISOString() })).outcome,
    ).toBe("scheduled");
    expect((await upgrade(j.userId)).outcome).toBe("applied");
    expect(await handleNext("archive", a.onArchiveDue)).toBe("premium");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await vaultFiles()).toEqual([]);
  });

  test("upgrade while the archive is half done (bytes in the vault, job not yet ARCHIVED): left in place, vault emptied", async () => {
    const base = h.container.ports.vault;
    let upgraded = false;
    const vault: ArchiveVault = {
      ...base,
      async archive(ref, body) {
        const id = await base.archive(ref, body);
        upgraded = (await upgrade(j.userId)).outcome === "applied"; // the webhook lands now
        return id;
      },
    };
    const j = await freeUserWithJob();
    const a = archiver({ vault });
    await a.onJobCompleted({ jobId: j.jobId, userId: j.userId, status: "COMPLETED", completeTime: new Date().toISOString() });
    expect(await handleNext("archive", a.onArchiveDue)).toBe("upgrade-undone");
    expect(upgraded).toBe(true);
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await text(h.container.ports.results, j.resultKey)).toContain("#CHROM");
    expect(await vaultFiles()).toEqual([]);
  });

  test("upgrade right after the job became ARCHIVED: its thaw request finds the result back in place", async () => {
    const baseJobs = h.container.ports.jobStore;
    const jobs: JobStore = {
      ...baseJobs,
      async moveResult(id, from, to) {
        const moved = await baseJobs.moveResult(id, from, to);
        if (moved && to.state === "ARCHIVED") await upgrade(j.userId); // billing now sees it ARCHIVED and asks for a thaw
        return moved;
      },
    };
    const j = await freeUserWithJob();
    const a = archiver({ jobs });
    await a.onJobCompleted({ jobId: j.jobId, userId: j.userId, status: "COMPLETED", completeTime: new Date().toISOString() });
    expect(await handleNext("archive", a.onArchiveDue)).toBe("upgrade-undone");
    expect(await handleNext("thaw", a.onThaw)).toBe("not-archived");
    expect(await baseJobs.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await vaultFiles()).toEqual([]);
  });

  test("a second upgrade webhook: one restore, one copy back, one email", async () => {
    const a = archiver();
    const j = await archiveJob(a);
    expect((await upgrade(j.userId)).outcome).toBe("applied");
    expect((await upgrade(j.userId)).outcome).toBe("applied"); // another checkout, another event id
    const outcomes = [await handleNext("thaw", a.onThaw), await handleNext("thaw", a.onThaw)];
    expect(outcomes).toEqual(["restore-started", "restore-in-progress"]);
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "RESTORING" });
    expect(await handleNext("restore", a.onRestored)).toBe("restored");
    expect(await handleNext("restore", a.onRestored, 2)).toBeNull(); // one announcement only
    expect((await upgrade(j.userId)).outcome).toBe("applied"); // a third: nothing archived any more
    expect(await handleNext("thaw", a.onThaw)).toBe("not-archived"); // the started restore's re-check: done, no further check
    expect(await h.container.ports.queue("thaw").depth()).toBe(0);
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await restoredAnnouncementsAndEmails(j.jobId)).toEqual({ announced: 1, emailed: 1 });
  });

  test("a restore whose announcement is lost: its re-check finds it ready and finishes it", async () => {
    const a = archiver();
    const j = await archiveJob(a);
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    // The announcement is lost (dead-lettered, say): taken off the queue unhandled.
    expect(await handleNext("restore", async () => ({ outcome: "dropped" }))).toBe("dropped");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "RESTORING" });
    expect(await handleNext("thaw", a.onThaw)).toBe("restored");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await text(h.container.ports.results, j.resultKey)).toContain("#CHROM");
    expect(await vaultFiles()).toEqual([]);
  });

  test("a retrieval that fails in the storage: the re-check starts it again, and re-checks continue until it is back", async () => {
    const base = h.container.ports.vault;
    let calls = 0;
    const vault: ArchiveVault = {
      ...base,
      // The first retrieval job "fails" in the storage: reported started, never runs.
      startRestore: async (id, ref) => (++calls === 1 ? "started" : base.startRestore(id, ref)),
    };
    const a = archiver({ vault });
    const j = await archiveJob(a);
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    expect(await handleNext("restore", a.onRestored, 2)).toBeNull(); // nothing will be announced
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started"); // check 1 starts a new retrieval
    expect(await handleNext("restore", a.onRestored)).toBe("restored");
    expect(await handleNext("thaw", a.onThaw)).toBe("not-archived"); // check 2 ends the chain
    expect(await h.container.ports.queue("thaw").depth()).toBe(0);
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
  });

  test("restore requests for jobs that are not archived change nothing", async () => {
    const a = archiver();
    const j = await freeUserWithJob();
    expect((await a.onThaw({ jobId: j.jobId, userId: j.userId })).outcome).toBe("not-archived");
    expect((await a.onThaw({ jobId: j.jobId, userId: "someone-else" })).outcome).toBe("no-job");
    expect((await a.onThaw({ jobId: crypto.randomUUID(), userId: j.userId })).outcome).toBe("no-job");
    expect((await a.onRestored({ archiveId: "local-0000000000000000000000000000000000000000", ref: j.jobId })).outcome).toBe(
      "already-restored",
    );
    expect((await a.onRestored({ hello: "world" })).outcome).toBe("not-a-restore");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await vaultFiles()).toEqual([]);
  });

  test("archiver killed between copy and delete: the next attempt finishes the delete; one archive, nothing lost", async () => {
    const baseResults = h.container.ports.results;
    let dies = true;
    const results: ObjectStore = {
      ...baseResults,
      async delete(key) {
        if (dies) {
          dies = false;
          throw new Error("killed");
        }
        return baseResults.delete(key);
      },
    };
    const j = await freeUserWithJob();
    const original = await text(baseResults, j.resultKey);
    const a = archiver({ results });
    await a.onJobCompleted({ jobId: j.jobId, userId: j.userId, status: "COMPLETED", completeTime: new Date().toISOString() });
    const q = h.container.ports.queue<{ jobId: string; userId: string }>("archive");
    const [d] = await q.receive({ waitSeconds: 5 });
    await expect(a.onArchiveDue(d!.message)).rejects.toThrow("killed");
    const archived = (await h.container.ports.jobStore.get(j.jobId))!;
    expect(archived).toMatchObject({ resultState: "ARCHIVED" });
    expect((await a.onArchiveDue(d!.message)).outcome).toBe("archived"); // the redelivery
    expect(await vaultFiles()).toHaveLength(1);
    expect(await baseResults.head(j.resultKey)).toBeNull();
    expect(await baseResults.head(j.rowsKey)).toBeNull();
    expect((await h.container.ports.jobStore.get(j.jobId))?.archiveId).toBe(archived.archiveId);

    // And the bytes come back intact on upgrade.
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    expect(await handleNext("restore", a.onRestored)).toBe("restored");
    expect(await text(baseResults, j.resultKey)).toBe(original);
  });

  test("archiver killed between the vault upload and the job record: the retry replaces the same archive", async () => {
    const baseJobs = h.container.ports.jobStore;
    let dies = true;
    const jobs: JobStore = {
      ...baseJobs,
      async moveResult(id, from, to) {
        if (dies && to.state === "ARCHIVED") {
          dies = false;
          throw new Error("killed");
        }
        return baseJobs.moveResult(id, from, to);
      },
    };
    const j = await freeUserWithJob();
    const a = archiver({ jobs });
    const due = { jobId: j.jobId, userId: j.userId };
    await expect(a.onArchiveDue(due)).rejects.toThrow("killed");
    expect(await vaultFiles()).toHaveLength(1);
    expect((await a.onArchiveDue(due)).outcome).toBe("archived");
    expect(await vaultFiles()).toHaveLength(1);
    expect((await a.onArchiveDue(due)).outcome).toBe("archived"); // a duplicate message: nothing new
    expect(await vaultFiles()).toHaveLength(1);
  });

  test("restore killed between copy-back and archive delete: the next delivery finishes; one email, no archive left", async () => {
    const a0 = archiver();
    const j = await archiveJob(a0);
    const base = h.container.ports.vault;
    let dies = true;
    const vault: ArchiveVault = {
      ...base,
      async delete(id) {
        if (dies) {
          dies = false;
          throw new Error("killed");
        }
        return base.delete(id);
      },
    };
    const a = archiver({ vault });
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    const q = h.container.ports.queue<unknown>("restore");
    const [d] = await q.receive({ waitSeconds: 5 });
    await expect(a.onRestored(d!.message)).rejects.toThrow("killed");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "RESTORING" });
    expect((await a.onRestored(d!.message)).outcome).toBe("restored");
    expect((await a.onRestored(d!.message)).outcome).toBe("already-restored");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await vaultFiles()).toEqual([]);
    expect(await restoredAnnouncementsAndEmails(j.jobId)).toEqual({ announced: 1, emailed: 1 });
  });

  test("restore killed between the announcement and AVAILABLE: the redelivery announces again, the notifier emails once", async () => {
    const a0 = archiver();
    const j = await archiveJob(a0);
    const baseJobs = h.container.ports.jobStore;
    let dies = true;
    const jobs: JobStore = {
      ...baseJobs,
      async moveResult(id, from, to) {
        if (dies && from.state === "RESTORING") {
          dies = false;
          throw new Error("killed");
        }
        return baseJobs.moveResult(id, from, to);
      },
    };
    const a = archiver({ jobs });
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    const [d] = await h.container.ports.queue<unknown>("restore").receive({ waitSeconds: 5 });
    await expect(a.onRestored(d!.message)).rejects.toThrow("killed");
    expect(await baseJobs.get(j.jobId)).toMatchObject({ resultState: "RESTORING" });
    expect((await a.onRestored(d!.message)).outcome).toBe("restored");
    expect(await baseJobs.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await restoredAnnouncementsAndEmails(j.jobId)).toEqual({ announced: 2, emailed: 1 });
  });
});

describe("restore completion does not wait for the email", () => {
  test("the mailer (SES) fails when the restore finishes: the result is AVAILABLE anyway; the email follows on its own retry, once", async () => {
    const a = archiver();
    const j = await archiveJob(a);
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    expect(await handleNext("restore", a.onRestored)).toBe("restored");
    // The result is back and downloadable before any email is attempted.
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await text(h.container.ports.results, j.resultKey)).toContain("#CHROM");

    // SES refuses (throttled, identity not verified…): the notifier hands the delivery back.
    const ports = h.container.ports as { mailer: { send(m: unknown): Promise<void> } };
    const working = ports.mailer;
    ports.mailer = {
      send: async () => {
        throw new Error("Throttling: Maximum sending rate exceeded");
      },
    };
    const failing = h.container.notifier(createLogger("error", {}));
    ports.mailer = working;
    const queue = h.container.ports.queue<NotifierMessage>("notifier");
    const deliveries = [];
    for (let [d] = await queue.receive(); d; [d] = await queue.receive()) if ("archiveId" in d.message) deliveries.push(d);
    expect(deliveries).toHaveLength(1);
    expect(await failing(deliveries[0]!)).toBe("retry");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE" });
    // The redelivery (once the backoff is over) with SES working again: one email.
    const [again] = await queue.receive({ waitSeconds: 10 });
    expect([again?.message.jobId, typeof (again?.message as { archiveId?: unknown })?.archiveId]).toEqual([j.jobId, "string"]);
    expect(await h.container.notifier(createLogger("error", {}))(again!)).toBe("sent");
    expect(await restoredAnnouncementsAndEmails(j.jobId)).toEqual({ announced: 0, emailed: 1 });
  }, 20_000);

  test("the periodic re-check and the storage's announcement finish the same restore together: AVAILABLE, one email", async () => {
    const a = archiver();
    const j = await archiveJob(a);
    await upgrade(j.userId);
    expect(await handleNext("thaw", a.onThaw)).toBe("restore-started");
    // Both arrive about when the restore is readable: the announcement and the re-check (check 1).
    const [notice] = await h.container.ports.queue<unknown>("restore").receive({ waitSeconds: 5 });
    const [check] = await h.container.ports.queue<{ jobId: string; userId: string; check?: number }>("thaw").receive({ waitSeconds: 5 });
    expect(check?.message.check).toBe(1);
    const outcomes = await Promise.all([a.onRestored(notice!.message), a.onThaw(check!.message)]);
    expect(outcomes.map((o) => o.outcome)).toContain("restored");
    expect(await h.container.ports.jobStore.get(j.jobId)).toMatchObject({ resultState: "AVAILABLE", archiveId: null });
    expect(await text(h.container.ports.results, j.resultKey)).toContain("#CHROM");
    expect(await vaultFiles()).toEqual([]);
    const { emailed } = await restoredAnnouncementsAndEmails(j.jobId);
    expect(emailed).toBe(1);
  }, 20_000);
});
