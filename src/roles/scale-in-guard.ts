/**
 * Keeps an annotator instance protected from scale-in while it runs a job, and lets the group
 * remove it once idle: a job counts from its claim (JobStore.claim → "claimed") until the handling
 * of its request returns, however it ended (completed, failed, claim lost, stopping). The group is
 * told only on the changes between idle and busy, one call at a time, the last wish winning.
 * A refused or failed call is logged and the job goes on: protection is a courtesy to the group,
 * not a condition for work.
 */
import type { JobStore } from "../ports/job-store.ts";
import type { Delivery } from "../ports/queue.ts";
import type { ScalingMetrics } from "../ports/scaling-metrics.ts";
import type { Logger } from "../shared/logger.ts";

export interface ScaleInGuard {
  /** The job store the worker claims through: a claim marks its job running. */
  watch(store: JobStore): JobStore;
  /** The delivery handler: when it returns, the job of its request no longer runs here. */
  handle<M extends { jobId?: unknown }, A extends unknown[], R>(
    inner: (d: Delivery<M>, ...rest: A) => Promise<R>,
  ): (d: Delivery<M>, ...rest: A) => Promise<R>;
  /** Clear any protection a crashed earlier process left on (called at start). */
  reset(): Promise<void>;
  /** Settle the last change (tests, shutdown). */
  settled(): Promise<void>;
}

/** Create the guard for one annotator process. */
export function createScaleInGuard(scaling: Pick<ScalingMetrics, "setScaleInProtection">, log: Logger): ScaleInGuard {
  const running = new Set<string>();
  let told: boolean | null = null;
  let notOnGroup = false;
  let chain: Promise<void> = Promise.resolve();
  const sync = (force = false) => {
    chain = chain.then(async () => {
      const want = running.size > 0;
      if (!force && (want === told || notOnGroup)) return;
      try {
        if (!(await scaling.setScaleInProtection(want))) {
          notOnGroup = true; // not on EC2: nothing will ever need protecting; stop asking
          log.info("no scale-in protection: this process is not an instance of the annotator group");
          return;
        }
        told = want;
        log.debug(want ? "protected from scale-in (a job runs)" : "scale-in protection cleared (idle)", { running: running.size });
      } catch (err) {
        log.warn("scale-in protection not changed; the job goes on", { protect: want, err });
      }
    });
    return chain;
  };
  return {
    watch: (store) => ({
      ...store,
      async claim(id, token, leaseSeconds, opts) {
        const r = await store.claim(id, token, leaseSeconds, opts);
        if (r.outcome === "claimed" && !running.has(id)) {
          running.add(id);
          if (running.size === 1) void sync();
        }
        return r;
      },
    }),
    handle:
      (inner) =>
      async (d, ...rest) => {
        try {
          return await inner(d, ...rest);
        } finally {
          const id = typeof d.message?.jobId === "string" ? d.message.jobId : null;
          if (id && running.delete(id) && running.size === 0) void sync();
        }
      },
    reset: () => sync(true),
    settled: () => chain,
  };
}
