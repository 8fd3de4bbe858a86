import type { Container } from "../../container.ts";
import { registerClusterGauges } from "../../metrics/index.ts";
import { QUEUE_SUBSCRIPTIONS, type QueueName, deadLetterQueueName } from "../../ports/queue.ts";
import type { WebMetrics } from "./metrics.routes.ts";

/** Every queue the roles consume, and their dead-letter queues. */
export const METERED_QUEUES: string[] = (Object.keys(QUEUE_SUBSCRIPTIONS) as QueueName[]).flatMap((q) => [q, deadLetterQueueName(q)]);

/**
 * The web role's metrics from the composition root: the process registry plus the deployment-wide
 * gauges (jobs by status, queue depths), which only the process serving /metrics registers.
 */
export function webMetricsFrom(c: Container): WebMetrics {
  if (c.metrics.claimEndpoint()) {
    registerClusterGauges(c.metrics, {
      jobs: c.ports.jobStore,
      queues: METERED_QUEUES.map((name) => c.ports.queue(name)),
      jobCountsMaxAgeSeconds: c.config.metrics.jobCountsMaxAgeSeconds,
      log: c.log.child({ module: "metrics" }),
    });
  }
  return { metrics: c.metrics, token: c.config.metrics.token, openWithoutToken: !c.config.production };
}
