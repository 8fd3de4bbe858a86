/**
 * The scale-in guard over real parts: the PGlite job store and the Prometheus scaling adapter
 * (whose gauge gas_scale_in_protected says what the group was told), and the CloudWatch adapter
 * aimed at an endpoint that does not answer for the failure path.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { createCloudWatchScalingMetrics, createScalingClients } from "../src/adapters/aws/cloudwatch-scaling-metrics.ts";
import { createPgJobStore } from "../src/adapters/local/pg-job-store.ts";
import { createPrometheusScalingMetrics } from "../src/adapters/local/prometheus-scaling-metrics.ts";
import type { Database } from "../src/db/open-database.ts";
import { users } from "../src/db/schema.ts";
import { openTestPglite } from "../src/db/test-database.ts";
import type { JobStore } from "../src/ports/job-store.ts";
import type { Delivery } from "../src/ports/queue.ts";
import { createLogger } from "../src/shared/logger.ts";
import { freePort } from "./support/free-port.ts";
import { createScaleInGuard } from "../src/roles/scale-in-guard.ts";

describe("scale-in guard", () => {
  let database: Database;
  let jobs: JobStore;
  let userId: string;
  beforeAll(async () => {
    database = await openTestPglite();
    jobs = createPgJobStore(database.db);
    userId = randomUUID();
    await database.db.insert(users).values({ id: userId, subject: `dev:${userId}`, email: `${userId}@example.org`, name: "T" });
  }, 60_000);
  afterAll(() => database.close());

  const newJob = async () => {
    const id = randomUUID();
    await jobs.create({ id, userId, inputFileName: "a.vcf", inputKey: `${userId}/${id}~a.vcf`, submitTime: new Date() });
    return id;
  };
  const delivery = (jobId: string): Delivery<{ jobId: string }> => ({
    id: randomUUID(),
    message: { jobId },
    receiveCount: 1,
    receipt: "r",
  });

  test("protected from the first claim until the last running job's handling returns; busy claims change nothing", async () => {
    const registry = new Registry();
    const lines: string[] = [];
    const guard = createScaleInGuard(
      createPrometheusScalingMetrics(registry),
      createLogger("debug", {}, (l) => lines.push(l)),
    );
    const protectedNow = async () => {
      await guard.settled();
      return /^gas_scale_in_protected 1$/m.test(await registry.metrics());
    };
    await guard.reset();
    expect(await protectedNow()).toBe(false);
    const store = guard.watch(jobs);
    const [a, b] = [await newJob(), await newJob()];
    // Each handler claims its job and runs until released.
    const release: Record<string, () => void> = {};
    const handle = guard.handle(async (d: Delivery<{ jobId: string }>) => {
      const r = await store.claim(d.message.jobId, `t-${d.id}`, 60);
      if (r.outcome !== "claimed") return;
      await new Promise<void>((done) => {
        release[d.message.jobId] = done;
      });
    });
    const runA = handle(delivery(a));
    await Bun.sleep(50);
    expect(await protectedNow()).toBe(true);
    const runB = handle(delivery(b));
    await Bun.sleep(50);
    // A second delivery of a running job: busy, returns at once, and the instance stays protected.
    await handle(delivery(a));
    expect(await protectedNow()).toBe(true);
    release[a]!();
    await runA;
    expect(await protectedNow()).toBe(true); // b still runs
    release[b]!();
    await runB;
    expect(await protectedNow()).toBe(false);
    const told = lines.map((l) => JSON.parse(l).msg).filter((m: string) => m.includes("scale-in"));
    // reset, then one call per change between idle and busy: not one per claim.
    expect(told).toEqual([
      "scale-in protection cleared (idle)",
      "protected from scale-in (a job runs)",
      "scale-in protection cleared (idle)",
    ]);
  });

  test("a failing call is logged and the job goes on; off EC2 it stops asking", async () => {
    const clients = createScalingClients({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${await freePort()}`,
      endpoints: {},
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const lines: string[] = [];
    const log = createLogger("info", {}, (l) => lines.push(l));
    const failing = createScaleInGuard(
      createCloudWatchScalingMetrics({ ...clients, groupName: "gas-annotator", instanceId: async () => "i-0123456789abcdef0" }),
      log,
    );
    const id = await newJob();
    let ran = false;
    await failing.handle(async (d: Delivery<{ jobId: string }>) => {
      expect((await failing.watch(jobs).claim(d.message.jobId, "t", 60)).outcome).toBe("claimed");
      ran = true;
    })(delivery(id));
    await failing.settled();
    clients.destroy();
    expect(ran).toBe(true);
    expect(lines.some((l) => JSON.parse(l).msg === "scale-in protection not changed; the job goes on")).toBe(true);

    const offEc2 = createScaleInGuard(
      createCloudWatchScalingMetrics({ ...clients, groupName: "gas-annotator", instanceId: async () => null }),
      log,
    );
    lines.length = 0;
    await offEc2.reset();
    const other = await newJob();
    await offEc2.handle(async (d: Delivery<{ jobId: string }>) => {
      await offEc2.watch(jobs).claim(d.message.jobId, "t", 60);
    })(delivery(other));
    await offEc2.settled();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["no scale-in protection: this process is not an instance of the annotator group"]);
  });
});
