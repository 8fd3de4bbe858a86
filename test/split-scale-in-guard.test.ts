/**
 * An annotator working on a split job's chunk, or merging one, is protected from scale-in as one
 * running a whole job is (src/roles/scale-in-guard.ts). Real parts: PGlite job and split stores,
 * and the Prometheus scaling adapter, whose gauge gas_scale_in_protected says what the group was told.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { createPgJobStore } from "../src/adapters/local/pg-job-store.ts";
import { createPgSplitStore } from "../src/adapters/local/pg-split-store.ts";
import { createPrometheusScalingMetrics } from "../src/adapters/local/prometheus-scaling-metrics.ts";
import type { Database } from "../src/db/open-database.ts";
import { users } from "../src/db/schema.ts";
import { openTestPglite } from "../src/db/test-database.ts";
import type { JobStore } from "../src/ports/job-store.ts";
import type { Delivery } from "../src/ports/queue.ts";
import type { SplitStore } from "../src/ports/split-store.ts";
import { createScaleInGuard } from "../src/roles/scale-in-guard.ts";
import { createLogger } from "../src/shared/logger.ts";

type Chunk = { jobId: string; kind: "chunk"; chunk: number };

describe("scale-in guard and split jobs", () => {
  let database: Database;
  let jobs: JobStore;
  let splits: SplitStore;
  let userId: string;
  beforeAll(async () => {
    database = await openTestPglite();
    jobs = createPgJobStore(database.db);
    splits = createPgSplitStore(database.db);
    userId = randomUUID();
    await database.db.insert(users).values({ id: userId, subject: `dev:${userId}`, email: `${userId}@example.org`, name: "T" });
  }, 60_000);
  afterAll(() => database.close());

  async function splitJob(chunks: number) {
    const id = randomUUID();
    await jobs.create({ id, userId, inputFileName: "a.vcf", inputKey: `${userId}/${id}~a.vcf`, submitTime: new Date() });
    await splits.begin(id, { chunks, chunkLines: 10, records: chunks * 10, inputBytes: 1, inputSha256: "00" });
    return id;
  }
  const delivery = (jobId: string, chunk: number): Delivery<Chunk> => ({
    id: randomUUID(),
    message: { jobId, kind: "chunk", chunk },
    receiveCount: 1,
    receipt: "r",
  });

  function guarded() {
    const registry = new Registry();
    const guard = createScaleInGuard(createPrometheusScalingMetrics(registry), createLogger("error", {}));
    const protectedNow = async () => {
      await guard.settled();
      return /^gas_scale_in_protected 1$/m.test(await registry.metrics());
    };
    return { guard, store: guard.watchSplits(splits), protectedNow };
  }

  test("two chunks of one job on one instance: protected until the second handler returns", async () => {
    const { guard, store, protectedNow } = guarded();
    await guard.reset();
    const id = await splitJob(2);
    const release: (() => void)[] = [];
    const handle = guard.handle(async (d: Delivery<Chunk>) => {
      const r = await store.claimChunk(d.message.jobId, d.message.chunk, `t-${d.id}`, 60);
      if (r.outcome !== "claimed") return;
      await new Promise<void>((done) => release.push(done));
    });
    const first = handle(delivery(id, 0));
    await Bun.sleep(50);
    expect(await protectedNow()).toBe(true);
    const second = handle(delivery(id, 1));
    await Bun.sleep(50);
    // A duplicate of a chunk another handler holds: busy, returns at once; still protected.
    await handle(delivery(id, 0));
    expect(await protectedNow()).toBe(true);
    release[0]!();
    await first;
    // Same job id as the handler still running: keyed by handler, the protection stays.
    expect(await protectedNow()).toBe(true);
    release[1]!();
    await second;
    expect(await protectedNow()).toBe(false);
  });

  test("a merge claimed by a handler (its chunk done already) protects until it returns", async () => {
    const { guard, store, protectedNow } = guarded();
    await guard.reset();
    const id = await splitJob(1);
    await splits.claimChunk(id, 0, "a", 60);
    await splits.finishChunk(id, 0, "a", { records: 10, seconds: 1 });
    let release = () => {};
    const merging = guard.handle(async (d: Delivery<Chunk>) => {
      expect((await store.claimChunk(d.message.jobId, 0, "b", 60)).outcome).toBe("done");
      expect(await store.claimMerge(d.message.jobId, "m", 60)).toBe("claimed");
      await new Promise<void>((done) => {
        release = done;
      });
    })(delivery(id, 0));
    await Bun.sleep(50);
    expect(await protectedNow()).toBe(true);
    release();
    await merging;
    expect(await protectedNow()).toBe(false);
  });
});
