/**
 * Keeps an annotator instance protected from scale-in while it runs a job, and lets the group
 * remove it once idle: a handler counts from its claim (JobStore.claim, or for a split job's
 * chunk SplitStore.claimChunk or claimMerge → "claimed") until it returns, however it ended
 * (completed, failed, claim lost, stopping). Each handler counts apart (AsyncLocalStorage ties a
 * claim to the handler that made it): two chunks of one job on one instance are two. The group is
 * told only on the changes between idle and busy, one call at a time, the last wish winning.
 * A refused or failed call is logged and the job goes on: protection is a courtesy to the group,
 * not a condition for work.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { JobStore } from "../ports/job-store.ts";
import type { Delivery } from "../ports/queue.ts";
import type { ScalingMetrics } from "../ports/scaling-metrics.ts";
import type { SplitStore } from "../ports/split-store.ts";
import type { Logger } from "../shared/logger.ts";

export interface ScaleInGuard {
  /** The job store the worker claims through: a claim marks its job running. */
  watch(store: JobStore): JobStore;
  /** The split store the worker claims chunks and merges through: such a claim counts as a job's. */
  watchSplits(store: SplitStore): SplitStore;
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
  // A handler's key while it runs (its claims count for it); a claim made outside any handler counts under its job id.
  const handler = new AsyncLocalStorage<object>();
  const running = new Set<unknown>();
  const claimed = (jobId: string) => {
    const key = handler.getStore() ?? jobId;
    if (running.has(key)) return;
    running.add(key);
    if (running.size === 1) void sync();
  };
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
        if (r.outcome === "claimed") claimed(id);
        return r;
      },
    }),
    watchSplits: (store) => ({
      ...store,
      async claimChunk(jobId, n, token, leaseSeconds) {
        const r = await store.claimChunk(jobId, n, token, leaseSeconds);
        if (r.outcome === "claimed") claimed(jobId);
        return r;
      },
      async claimMerge(jobId, token, leaseSeconds) {
        const r = await store.claimMerge(jobId, token, leaseSeconds);
        if (r === "claimed") claimed(jobId);
        return r;
      },
    }),
    handle:
      (inner) =>
      async (d, ...rest) => {
        const key = {};
        try {
          return await handler.run(key, () => inner(d, ...rest));
        } finally {
          const id = typeof d.message?.jobId === "string" ? d.message.jobId : null;
          const mine = running.delete(key);
          const byJob = id !== null && running.delete(id);
          if ((mine || byJob) && running.size === 0) void sync();
        }
      },
    reset: () => sync(true),
    settled: () => chain,
  };
}
