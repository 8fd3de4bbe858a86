/**
 * A queue consumer loop shared by the roles: `concurrency` long-polling receivers, each handling
 * one delivery at a time. `stop()` stops receiving, waits up to `graceMs` for running handlers,
 * then aborts them (handlers hand their message back) and waits for them to return.
 */
import type { Delivery, Queue } from "../ports/queue.ts";
import type { Logger } from "../shared/logger.ts";

export interface ConsumerOptions<M> {
  queue: Queue<M>;
  handle(d: Delivery<M>, stopping: AbortSignal): Promise<unknown>;
  concurrency: number;
  log: Logger;
  waitSeconds?: number;
}

/** Start consuming; returns the stop function. */
export function startConsumer<M>(opts: ConsumerOptions<M>): (graceMs: number) => Promise<void> {
  const receiving = new AbortController();
  const stopping = new AbortController();
  const loop = async () => {
    while (!receiving.signal.aborted) {
      try {
        const batch = await opts.queue.receive({ max: 1, waitSeconds: opts.waitSeconds ?? 20, signal: receiving.signal });
        for (const d of batch) await opts.handle(d, stopping.signal);
      } catch (err) {
        if (receiving.signal.aborted) break;
        opts.log.error("consumer error; backing off", { queue: opts.queue.name, err });
        await Bun.sleep(1000);
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency }, loop);
  return async (graceMs) => {
    receiving.abort();
    const all = Promise.allSettled(loops);
    const timedOut = await Promise.race([all.then(() => false), Bun.sleep(graceMs).then(() => true)]);
    if (timedOut) {
      opts.log.warn("grace period over; handing running work back", { queue: opts.queue.name });
      stopping.abort();
      await all;
    }
  };
}
