/**
 * Upgrade restores every archive of the user, however many jobs they have: the service pages
 * through the job store (the container's PGlite store and queue; a page size of 2 so a few jobs span pages).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { type ContainerHarness, startContainerHarness } from "../../../test/support/container-harness.ts";
import { jobSummary } from "../../../test/support/job-summary.ts";
import { users } from "../../db/schema.ts";
import type { JobStore } from "../../ports/job-store.ts";
import type { TopicMessages } from "../../ports/queue.ts";
import { createLogger } from "../../shared/logger.ts";
import { createBillingService } from "./billing.service.ts";

const summary = jobSummary();

describe("billing: restoring a user's archives on upgrade", () => {
  let h: ContainerHarness;
  let jobs: JobStore;
  beforeAll(async () => {
    h = await startContainerHarness();
    jobs = h.container.ports.jobStore;
  }, 60_000);
  afterAll(() => h.close());

  const makeUser = async () => {
    const id = randomUUID();
    await h.container.database.db.insert(users).values({ id, subject: `dev:${id}`, email: `${id}@example.org`, name: "T" });
    return id;
  };
  /** A job of `userId` taken as far as `state` goes. */
  const job = async (userId: string, i: number, state: "ARCHIVED" | "AVAILABLE" | "FAILED" | "PENDING") => {
    const id = randomUUID();
    await jobs.create({
      id,
      userId,
      inputFileName: "a.vcf",
      inputKey: `${userId}/${id}~a.vcf`,
      submitTime: new Date(Date.now() - 100_000 + i * 1000),
    });
    if (state === "PENDING") return id;
    if (state === "FAILED") {
      await jobs.fail(id, null, "not a VCF");
      return id;
    }
    await jobs.claim(id, "t", 60);
    await jobs.complete(id, "t", { resultKey: "r", logKey: "l", rowsKey: null, summary });
    if (state === "ARCHIVED")
      await jobs.moveResult(id, { state: "AVAILABLE", archiveId: null }, { state: "ARCHIVED", archiveId: `a-${id}` });
    return id;
  };

  test("one thaw request per archived job, across every page of the user's jobs, and none for other jobs or users", async () => {
    const userId = await makeUser();
    const other = await makeUser();
    const archived: string[] = [];
    // Archives oldest and newest, with other states between them: 11 jobs, 6 pages of 2.
    const states = [
      "ARCHIVED",
      "ARCHIVED",
      "AVAILABLE",
      "FAILED",
      "ARCHIVED",
      "PENDING",
      "ARCHIVED",
      "AVAILABLE",
      "ARCHIVED",
      "FAILED",
      "ARCHIVED",
    ] as const;
    for (const [i, s] of states.entries()) {
      const id = await job(userId, i, s);
      if (s === "ARCHIVED") archived.push(id);
    }
    await job(other, 0, "ARCHIVED");
    const { ports } = h.container;
    const billing = createBillingService({
      db: h.container.database.db,
      accounts: h.container.accounts,
      payments: ports.payments!,
      jobs,
      topic: ports.topic,
      log: createLogger("error"),
      restorePageSize: 2,
    });
    expect(await billing.restoreArchived(userId)).toBe(6);
    const thaw = ports.queue<TopicMessages["job.thaw"]>("thaw");
    const got = (await thaw.receive({ max: 10, waitSeconds: 0 })).map((d) => d.message);
    expect(got.every((m) => m.userId === userId)).toBe(true);
    expect(got.map((m) => m.jobId).sort()).toEqual(archived.toSorted());
  });
});
