/**
 * Gauges read from the job store and the queues when Prometheus scrapes: gas_jobs{status},
 * gas_queue_depth{queue} and gas_queue_messages{queue,state}. They describe the whole
 * deployment, not this process, so only the web role registers them (every web instance then
 * reports the same figures: aggregate with max(), not sum()).
 */
import { Gauge } from "prom-client";
import { JOB_STATUSES, type JobStatus, type JobStore } from "../ports/job-store.ts";
import type { Queue, QueueCounts } from "../ports/queue.ts";
import type { Logger } from "../shared/logger.ts";
import type { GasMetrics } from "./gas-metrics.ts";

export interface ClusterSources {
  jobs: Pick<JobStore, "countByStatus">;
  /** The queues to report (by their port names). */
  queues: Pick<Queue, "name" | "counts">[];
  /**
   * Reuse job counts this young (seconds; 0: count on every scrape). On DynamoDB a count is a
   * full-table Scan, so scrapes every 15 s must not each pay for one.
   */
  jobCountsMaxAgeSeconds: number;
  log: Logger;
}

/**
 * Share one call among concurrent callers (prom-client collects every metric of a scrape at
 * once), and reuse its result for `maxAgeMs` after it settles (0: only while pending). Failures
 * are not kept.
 */
function cached<T>(maxAgeMs: number, load: () => Promise<T>): () => Promise<T> {
  let last: { settledAt: number | null; value: Promise<T> } | null = null;
  return () => {
    if (last && (last.settledAt === null || performance.now() - last.settledAt <= maxAgeMs)) return last.value;
    const entry: { settledAt: number | null; value: Promise<T> } = { settledAt: null, value: load() };
    last = entry;
    entry.value.then(
      () => {
        entry.settledAt = performance.now();
      },
      () => {
        if (last === entry) last = null;
      },
    );
    return entry.value;
  };
}

/** Add the scrape-time gauges to `m`'s registry. A source that fails is logged and left out of that scrape. */
export function registerClusterGauges(m: GasMetrics, src: ClusterSources): void {
  const jobCounts = cached(src.jobCountsMaxAgeSeconds * 1000, () => src.jobs.countByStatus());
  const failed = (what: string) => (err: unknown) => {
    src.log.warn("metrics: could not read", { what, err });
    return null;
  };
  // gas_queue_depth and gas_queue_messages are collected together: one counts() per queue serves both.
  // One queue failing (e.g. no permission to read its attributes) leaves only that queue out.
  const queueCounts = cached(0, async () => {
    const all = await Promise.all(
      src.queues.map((q) => q.counts().then((c): [string, QueueCounts] => [q.name, c], failed(`queue ${q.name}`))),
    );
    return all.filter((e) => e !== null);
  });

  new Gauge({
    name: "gas_jobs",
    help: "Jobs by status (the job store's count, refreshed at most every METRICS_JOB_COUNTS_SECONDS).",
    labelNames: ["status"],
    registers: [m.registry],
    async collect() {
      const counts: Record<JobStatus, number> | null = await jobCounts().catch(failed("job counts"));
      this.reset();
      if (counts) for (const status of JOB_STATUSES) this.set({ status }, counts[status]);
    },
  });
  new Gauge({
    name: "gas_queue_depth",
    help: "Messages in each queue: waiting, in flight and delayed (approximate on SQS).",
    labelNames: ["queue"],
    registers: [m.registry],
    async collect() {
      const all = await queueCounts().catch(failed("queue counts"));
      this.reset();
      for (const [queue, c] of all ?? []) this.set({ queue }, c.visible + c.inFlight + c.delayed);
    },
  });
  new Gauge({
    name: "gas_queue_messages",
    help: "Messages in each queue by state: visible (the backlog), in_flight (leased), delayed.",
    labelNames: ["queue", "state"],
    registers: [m.registry],
    async collect() {
      const all = await queueCounts().catch(failed("queue counts"));
      this.reset();
      for (const [queue, c] of all ?? []) {
        this.set({ queue, state: "visible" }, c.visible);
        this.set({ queue, state: "in_flight" }, c.inFlight);
        this.set({ queue, state: "delayed" }, c.delayed);
      }
    },
  });
}
