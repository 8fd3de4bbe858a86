/**
 * The annotator's backlog-per-instance loop: every `intervalSeconds` (AWS recommends one-minute
 * data for scaling), waiting requests / annotator instances, published through ScalingMetrics.
 * A failed read publishes nothing that round: a guessed instance count would scale the group
 * wrongly, while a missing data point only makes the policy wait.
 */
import type { Queue } from "../ports/queue.ts";
import type { BacklogSample, ScalingMetrics } from "../ports/scaling-metrics.ts";
import type { Logger } from "../shared/logger.ts";

export interface BacklogReporterOptions {
  queue: Pick<Queue, "name" | "counts">;
  scaling: ScalingMetrics;
  intervalSeconds: number;
  log: Logger;
}

/** Take one sample and publish it. */
export async function sampleBacklog(queue: Pick<Queue, "counts">, scaling: ScalingMetrics, at = new Date()): Promise<BacklogSample> {
  const [counts, instances] = await Promise.all([queue.counts(), scaling.annotatorInstances()]);
  // While the group has no InService instance (all booting), the backlog is all one instance's.
  const divisor = Math.max(1, instances);
  const sample = { waiting: counts.visible, instances: divisor, perInstance: counts.visible / divisor, at };
  await scaling.publishBacklog(sample);
  return sample;
}

/** Publish now and then every interval until `stop()`. */
export function startBacklogReporter(opts: BacklogReporterOptions): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = sampleBacklog(opts.queue, opts.scaling).then(
      (s) => opts.log.debug("backlog published", { queue: opts.queue.name, ...s }),
      (err) => opts.log.warn("backlog per instance not published this round", { queue: opts.queue.name, err }),
    );
  };
  tick();
  const timer = setInterval(tick, opts.intervalSeconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
