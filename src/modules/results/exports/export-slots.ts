/**
 * At most `slots` exports stream at once in a process. Each export holds about a page of rows, a
 * query thread's attention and (Excel) a zip writer: bounded one by one, so the process is bounded
 * only if their number is. A request waits up to `waitMs` for a slot, then is refused (503 with
 * Retry-After) rather than held silent: Bun closes a connection idle for 10 s, and a client told
 * to retry is better off than one cut off.
 */
import { AppError } from "../../../shared/errors.ts";

export interface ExportSlot {
  /** Wraps an export's chunks; the slot is given back when they end or the client goes away. */
  stream<T>(chunks: AsyncGenerator<T>): AsyncGenerator<T>;
  /** Gives the slot back (idempotent): for a request that fails before its stream starts. */
  release(): void;
}

export function createExportSlots(slots: number, waitMs = 5000) {
  let free = slots;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    /** A slot for one export, waiting up to `waitMs`; UNAVAILABLE (503) when none frees up. */
    take(): Promise<ExportSlot> {
      const lease = (): ExportSlot => {
        let held = true;
        const give = () => {
          if (held) release();
          held = false;
        };
        return {
          release: give,
          async *stream<T>(chunks: AsyncGenerator<T>): AsyncGenerator<T> {
            try {
              yield* chunks;
            } finally {
              give();
              await chunks.return(undefined as never);
            }
          },
        };
      };
      if (free > 0) {
        free--;
        return Promise.resolve(lease());
      }
      return new Promise((resolve, reject) => {
        // release() hands the slot straight to the first waiter.
        const handOver = () => {
          clearTimeout(timer);
          resolve(lease());
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(handOver), 1);
          reject(
            new AppError("UNAVAILABLE", `${slots} downloads of filtered results are already running on this server; try again in a minute`),
          );
        }, waitMs);
        waiting.push(handOver);
      });
    },
  };
}
