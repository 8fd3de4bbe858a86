/**
 * Deleting a job in two steps (jobs/job-deletion.ts), on the real composition root (PGlite, the
 * folder object stores and vault, the PostgreSQL queues): the web role's jobs service marks the
 * job and publishes job.delete; the archiver's handler, fed from the real `delete` queue, removes
 * the input, every result file, the archive and the record. Redeliveries, a lost mark, a job
 * still running and the other archiver handlers meeting a deleted job are each a test.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { type ContainerHarness, startContainerHarness } from "../../../test/support/container-harness.ts";
import type { TopicMessages } from "../../ports/queue.ts";
import { createLogger } from "../../shared/logger.ts";
import { DELETED_REASON } from "../jobs/job-deletion.ts";
import type { ArchiverDeps } from "./archiver.ts";

let h: ContainerHarness;
beforeEach(async () => {
  h = await startContainerHarness({ ARCHIVE_AFTER_SECONDS: "0", RESTORE_DELAY_SECONDS: "1" });
}, 60_000);
afterEach(() => h.close(), 60_000);

const archiver = (over: Partial<ArchiverDeps> = {}) => h.container.archiver(createLogger("error", {}), { restoreCheckSeconds: 1, ...over });
type DeleteMessage = TopicMessages["job.delete"];

/** The job.delete messages waiting on the archiver's `delete` queue, taken (acked) in order. */
async function takeDeletes(): Promise<DeleteMessage[]> {
  const q = h.container.ports.queue<DeleteMessage>("delete");
  const out: DeleteMessage[] = [];
  for (let [d] = await q.receive({ waitSeconds: 0 }); d; [d] = await q.receive({ waitSeconds: 0 })) {
    out.push(d.message);
    await q.ack(d);
  }
  return out;
}

async function freeUser() {
  const { user } = await h.container.accounts.signIn({
    subject: `dev:${crypto.randomUUID()}`,
    email: "del@example.org",
    name: "Del",
    institution: null,
    tokens: null,
  });
  return user;
}

const vaultFiles = async () =>
  ((await readdir(h.container.config.vault.dir).catch(() => [])) as string[]).filter((f) => f.endsWith(".archive"));

describe("deleting a job: the web role marks and announces, the archiver removes", () => {
  test("an archived job: gone for its owner at once; then input, files, archive and record; redelivery is harmless", async () => {
    const user = await freeUser();
    const { jobs, ports } = h.container;
    const id = await h.completedJob(user.id);
    await ports.results.put(`${user.id}/${id}~test.manifest.json`, "{}");
    const a = archiver();
    await a.onJobCompleted({ jobId: id, userId: user.id, status: "COMPLETED", completeTime: new Date().toISOString() });
    const q = ports.queue<TopicMessages["job.archive"]>("archive");
    const [due] = await q.receive({ waitSeconds: 5 });
    expect((await a.onArchiveDue(due!.message)).outcome).toBe("archived");
    await q.ack(due!);
    const archived = (await ports.jobStore.get(id))!;
    expect(archived.resultState).toBe("ARCHIVED");
    expect(await vaultFiles()).toHaveLength(1);

    expect((await jobs.remove(user, id))?.id).toBe(id);
    // Gone for the owner before any worker ran: 404, out of the list; the record is a tombstone.
    await expect(jobs.get(user, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await jobs.page(user, { limit: 10, after: null })).jobs).toEqual([]);
    expect((await ports.jobStore.get(id))?.deletedAt).toBeInstanceOf(Date);
    expect(await ports.inputs.head(archived.inputKey)).not.toBeNull(); // the web role deleted nothing

    const messages = await takeDeletes();
    expect(messages).toEqual([{ jobId: id, userId: user.id }]);
    expect((await a.onJobDelete(messages[0]!)).outcome).toBe("deleted");
    expect(await ports.jobStore.get(id)).toBeNull();
    expect(await ports.inputs.head(archived.inputKey)).toBeNull();
    expect(await ports.results.list(`${user.id}/${id}~`)).toEqual([]);
    expect(await vaultFiles()).toEqual([]);
    // A redelivered or repeated message, and a repeated DELETE, change nothing.
    expect((await a.onJobDelete(messages[0]!)).outcome).toBe("gone");
    expect(await jobs.remove(user, id)).toBeNull();
    expect(await takeDeletes()).toEqual([]);
  });

  test("a repeated DELETE before the worker ran announces again; another owner's message is ignored", async () => {
    const user = await freeUser();
    const other = await freeUser();
    const { jobs, ports } = h.container;
    const id = await h.completedJob(user.id);
    await jobs.remove(user, id);
    await jobs.remove(user, id); // the first publish may have been lost after the mark
    expect(await jobs.remove(other, id)).toBeNull();
    expect(await takeDeletes()).toEqual([
      { jobId: id, userId: user.id },
      { jobId: id, userId: user.id },
    ]);
    expect((await archiver().onJobDelete({ jobId: id, userId: other.id })).outcome).toBe("not-owner");
    expect(await ports.jobStore.get(id)).not.toBeNull();
    expect((await archiver().onJobDelete({ jobId: id, userId: user.id })).outcome).toBe("deleted");
  });

  test("a message whose mark never landed: the archiver fails, marks and removes the job itself", async () => {
    const user = await freeUser();
    const { ports } = h.container;
    const id = crypto.randomUUID();
    const inputKey = `${user.id}/${id}~late.vcf`;
    await ports.inputs.put(inputKey, "##fileformat=VCFv4.2\n");
    await ports.jobStore.create({ id, userId: user.id, inputFileName: "late.vcf", inputKey, submitTime: new Date() });
    let seen: { status: string; deleted: boolean } | null = null;
    const a = archiver({
      jobs: {
        ...ports.jobStore,
        async delete(jobId) {
          const j = (await ports.jobStore.get(jobId))!;
          seen = { status: j.status, deleted: j.deletedAt !== null };
          return ports.jobStore.delete(jobId);
        },
      },
    });
    expect((await a.onJobDelete({ jobId: id, userId: user.id })).outcome).toBe("deleted");
    expect(seen!).toEqual({ status: "FAILED", deleted: true });
    expect(await ports.inputs.head(inputKey)).toBeNull();
  });

  test("a job an annotator was running: files removed at once, the record after the worker's lease", async () => {
    const user = await freeUser();
    const { jobs, ports } = h.container;
    const id = crypto.randomUUID();
    const inputKey = `${user.id}/${id}~run.vcf`;
    await ports.inputs.put(inputKey, "##fileformat=VCFv4.2\n");
    await ports.jobStore.create({ id, userId: user.id, inputFileName: "run.vcf", inputKey, submitTime: new Date() });
    expect((await ports.jobStore.claim(id, "worker", 60)).outcome).toBe("claimed");
    await jobs.remove(user, id);
    const marked = (await ports.jobStore.get(id))!;
    expect(marked).toMatchObject({ status: "FAILED", failureReason: DELETED_REASON });
    expect(await ports.jobStore.renewClaim(id, "worker", 60)).toBe(false); // the worker stops at its next check
    const [message] = await takeDeletes();
    const first = await archiver({ deleteSettleSeconds: 30 }).onJobDelete(message!);
    expect(first.outcome).toBe("settling");
    expect(first.retryInSeconds).toBeGreaterThan(25);
    expect(first.retryInSeconds).toBeLessThanOrEqual(30);
    expect(await ports.inputs.head(inputKey)).toBeNull();
    // What the worker stored after the first pass is removed by the second.
    await ports.results.put(`${user.id}/${id}~run.annot.vcf.gz`, "late");
    expect((await archiver({ deleteSettleSeconds: 0 }).onJobDelete(message!)).outcome).toBe("deleted");
    expect(await ports.results.list(`${user.id}/${id}~`)).toEqual([]);
    expect(await ports.jobStore.get(id)).toBeNull();
  });

  test("the other handlers leave a deleted job alone: no archive, no restore", async () => {
    const user = await freeUser();
    const { jobs, ports } = h.container;
    const id = await h.completedJob(user.id);
    await jobs.remove(user, id);
    const a = archiver();
    expect((await a.onArchiveDue({ jobId: id, userId: user.id })).outcome).toBe("no-result");
    expect((await a.onThaw({ jobId: id, userId: user.id })).outcome).toBe("no-job");
    expect(await vaultFiles()).toEqual([]);
  });
});
