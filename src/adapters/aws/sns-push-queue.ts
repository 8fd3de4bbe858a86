/**
 * The queue side of push mode: the SQS queue stays the source of truth and the SNS push is a
 * doorbell, as in the original's webhook annotator (a notification made it read SQS). This wraps
 * the annotator's SQS queue so that `receive` asks SQS only when
 * - a verified push rang the bell (one ring lets one receiver look),
 * - the previous look found messages (drain what is there), or
 * - `sweepSeconds` passed without a look (a missed or refused push loses nothing: the job waits
 *   at most that long), and once at start (messages left from before a restart).
 * Between those, receivers sleep instead of long-polling SQS.
 */
import type { Delivery, Queue, ReceiveOptions } from "../../ports/queue.ts";

export interface DoorbellQueue<M> extends Queue<M> {
  /** A job request was announced: let one waiting (or the next) receiver look at the queue. */
  ring(): void;
}

export interface DoorbellOptions {
  /** Look at the queue this often without a ring. */
  sweepSeconds: number;
  /**
   * Longest poll per look, so a push that overtakes SNS's delivery to SQS still finds its
   * message (the poll returns as soon as a message is there). Default 5.
   */
  ringWaitSeconds?: number;
}

/** Rings beyond this are dropped: more could not be answered faster, and a flood must not pile up. */
const MAX_PENDING_RINGS = 1000;

/** Wrap `inner` (the SQS queue) so that receives follow the doorbell. */
export function createDoorbellQueue<M>(inner: Queue<M>, opts: DoorbellOptions): DoorbellQueue<M> {
  const ringWait = opts.ringWaitSeconds ?? 5;
  let rings = 0;
  let eager = true;
  let nextSweep = 0;
  const sleepers: (() => void)[] = [];

  /** Sleep until woken by a ring, `ms` passed, or `signal` aborted (at once if it already is). */
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      // An abort that came during the look before this sleep fires no event any more: without
      // this, a stopping annotator waited out the rest of its 20 s receive (measured: 18 s).
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        const i = sleepers.indexOf(done);
        if (i >= 0) sleepers.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      sleepers.push(done);
    });

  async function receive(o: ReceiveOptions = {}): Promise<Delivery<M>[]> {
    const waitSeconds = o.waitSeconds ?? 0;
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      if (o.signal?.aborted) return [];
      if (rings > 0 || eager || Date.now() >= nextSweep) {
        if (rings > 0) rings--;
        eager = false;
        nextSweep = Date.now() + opts.sweepSeconds * 1000;
        // A long poll (not SQS's short poll, which samples only some servers and may miss a message).
        const got = await inner.receive({ max: o.max, waitSeconds: Math.min(waitSeconds, ringWait), signal: o.signal });
        if (got.length > 0) {
          eager = true;
          return got;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await sleep(Math.min(left, nextSweep - Date.now()), o.signal);
    }
  }

  return {
    // Everything but receive is the inner queue's (its methods are closures, so copying them is delegating).
    ...inner,
    receive,
    ring() {
      rings = Math.min(rings + 1, MAX_PENDING_RINGS);
      sleepers.shift()?.();
    },
  };
}
