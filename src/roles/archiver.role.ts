import type { Container } from "../container.ts";
import type { StepResult } from "../modules/archive/index.ts";
import type { Delivery, Queue } from "../ports/queue.ts";
import type { Logger } from "../shared/logger.ts";
import { serveWorkerMetrics } from "../metrics/index.ts";
import { startConsumer } from "./consume-loop.ts";

/** Ack a delivery once its step is done; hand it back (with backoff) when the step failed or asks to. */
function acking<M>(queue: Queue<M>, step: (m: M) => Promise<StepResult>, log: Logger) {
  return async (d: Delivery<M>) => {
    try {
      const r = await step(d.message);
      if (r.retryInSeconds !== undefined) await queue.retry(d, { delaySeconds: r.retryInSeconds, error: r.outcome });
      else await queue.ack(d);
      log.debug("archiver step", { queue: queue.name, outcome: r.outcome });
    } catch (err) {
      log.error("archiver step failed; will retry", { queue: queue.name, delivery: d.id, err });
      await queue.retry(d, { error: String(err) });
    }
  };
}

/**
 * Free users' results to the vault after ARCHIVE_AFTER, and back on upgrade. Five queues:
 * `archiver` (job.completed → schedule), `archive` (due), `thaw` (upgrade), `restore` (the
 * vault's announcements), `delete` (deleted jobs' files and records). No process holds a timer:
 * the schedule is a delayed message.
 */
export async function startArchiver(c: Container) {
  const log = c.log.child({ role: "archiver" });
  const archiver = c.archiver(log);

  const consume = <M>(name: string, step: (m: M) => Promise<StepResult>) => {
    const queue = c.ports.queue<M>(name);
    return startConsumer({ queue, handle: acking(queue, step, log), concurrency: 1, log });
  };
  const consumers = [
    consume("archiver", archiver.onJobCompleted),
    consume("archive", archiver.onArchiveDue),
    consume("thaw", archiver.onThaw),
    consume("restore", archiver.onRestored),
    consume("delete", archiver.onJobDelete),
  ];
  const stopMetrics = serveWorkerMetrics(c, "archiver", log);
  return async () => {
    await Promise.all(consumers.map((stop) => stop(10_000)));
    await stopMetrics();
  };
}
