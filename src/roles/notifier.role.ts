import type { Container } from "../container.ts";
import type { NotifierMessage } from "../modules/notify/index.ts";
import { serveWorkerMetrics } from "../metrics/index.ts";
import { startConsumer } from "./consume-loop.ts";

/** Email users when their jobs finish and when their archived results are restored. */
export async function startNotifier(c: Container) {
  const log = c.log.child({ role: "notifier" });
  const queue = c.ports.queue<NotifierMessage>("notifier");
  const handle = c.notifier(log);
  const stop = startConsumer({ queue, handle, concurrency: 1, log });
  const stopMetrics = serveWorkerMetrics(c, "notifier", log);
  return async () => {
    await stop(10_000);
    await stopMetrics();
  };
}
