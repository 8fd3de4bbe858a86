/** Topic/Queue contract: every adapter (PostgreSQL, SNS→SQS) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type Queue, type Topic, deadLetterQueueName } from "./queue.ts";

export interface QueueHarness {
  topic: Topic;
  queue<M = unknown>(name: string): Queue<M>;
  /** The adapter must be configured with these values for the suite's timing assumptions. */
  settings: { visibilitySeconds: 1; maxAttempts: 3; retryBaseSeconds: 1 };
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Msg = { n: number };

export interface QueueContractOptions {
  /**
   * Checks an emulator cannot pass, with the reason (hono's runTest style): moto accepts a stale
   * receipt handle in ChangeMessageVisibility, which SQS refuses.
   */
  skip?: { reason: string; checks: "stale receipts are refused"[] };
}

/** Register the contract tests for one adapter. */
export function queueContract(name: string, open: () => Promise<QueueHarness>, opts: QueueContractOptions = {}) {
  const skipped = new Set(opts.skip?.checks ?? []);
  describe(`Queue contract: ${name}`, () => {
    let h: QueueHarness;
    let q: Queue<Msg>;
    beforeEach(async () => {
      h = await open();
      q = h.queue<Msg>("annotator");
    });
    afterEach(() => h.close());

    test("receive on an empty queue returns []", async () => {
      expect(await q.receive({ max: 10 })).toEqual([]);
    });

    test("a sent message is delivered once while leased, and gone once acked", async () => {
      await q.send({ n: 1 });
      const [d] = await q.receive({ max: 10 });
      expect(d?.message).toEqual({ n: 1 });
      expect(d?.receiveCount).toBe(1);
      expect(await q.receive({ max: 10 })).toEqual([]);
      expect(await q.ack(d!)).toBe(true);
      expect(await q.depth()).toBe(0);
    });

    test("counts: visible, in flight and delayed messages; depth is their sum", async () => {
      expect(await q.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
      await q.send({ n: 1 });
      await q.send({ n: 2 });
      await q.send({ n: 3 }, { delaySeconds: 30 });
      const [leased] = await q.receive({ max: 1 });
      await q.extend(leased!, 30); // the suite's 1 s lease would lapse on a slow machine
      expect(await q.counts()).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
      expect(await q.depth()).toBe(3);
      await q.ack(leased!);
      expect(await q.counts()).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
      expect(await q.depth()).toBe(2);
    });

    test("published topic messages reach every subscribed queue", async () => {
      await h.topic.publish("job.completed", { jobId: "j", userId: "u", status: "COMPLETED", completeTime: "t" });
      for (const name of ["notifier", "archiver"]) {
        const [d] = await h.queue(name).receive();
        expect(d?.message).toMatchObject({ jobId: "j" });
      }
      expect(await q.receive()).toEqual([]); // annotator is not subscribed to job.completed
    });

    test("concurrent receivers never share a message", async () => {
      for (let n = 0; n < 20; n++) await q.send({ n });
      const batches = await Promise.all(Array.from({ length: 5 }, () => q.receive({ max: 6 })));
      const got = batches.flat().map((d) => d.message.n);
      expect(got.length).toBe(20);
      expect(new Set(got).size).toBe(20);
    });

    test("an unacked message comes back after its lease; the old receipt is dead", async () => {
      await q.send({ n: 1 });
      const [first] = await q.receive();
      await sleep(1200);
      const [second] = await q.receive();
      expect(second?.message).toEqual({ n: 1 });
      expect(second?.receiveCount).toBe(2);
      if (!skipped.has("stale receipts are refused")) {
        expect(await q.ack(first!)).toBe(false);
        expect(await q.extend(first!, 30)).toBe(false);
      }
      expect(await q.ack(second!)).toBe(true);
    });

    test("extend keeps the lease", async () => {
      await q.send({ n: 1 });
      const [d] = await q.receive();
      expect(await q.extend(d!, 5)).toBe(true);
      await sleep(1200);
      expect(await q.receive()).toEqual([]);
    });

    test("retry backs off, then the message is delivered again", async () => {
      await q.send({ n: 1 });
      const [d] = await q.receive();
      expect(await q.retry(d!, { error: "boom" })).toBe(true);
      expect(await q.receive()).toEqual([]); // backoff: 1 s for the first retry
      const [again] = await q.receive({ waitSeconds: 3 });
      expect(again?.message).toEqual({ n: 1 });
    });

    test("after maxAttempts deliveries the message goes to the dead-letter queue", async () => {
      await q.send({ n: 7 });
      for (let i = 1; i <= 3; i++) {
        const [d] = await q.receive({ waitSeconds: 5 });
        expect(d?.receiveCount).toBe(i);
        await q.retry(d!, { delaySeconds: 0, error: `attempt ${i}` });
      }
      expect(await q.receive()).toEqual([]);
      const [dead] = await h.queue<Msg>(deadLetterQueueName("annotator")).receive();
      expect(dead?.message).toEqual({ n: 7 });
    });

    test("a message whose last lease lapses also goes to the dead-letter queue", async () => {
      await q.send({ n: 8 });
      for (let i = 1; i <= 3; i++) expect((await q.receive({ waitSeconds: 3 }))[0]?.receiveCount).toBe(i);
      await sleep(1200);
      expect(await q.receive()).toEqual([]);
      expect((await h.queue<Msg>(deadLetterQueueName("annotator")).receive())[0]?.message).toEqual({ n: 8 });
    });

    test("delayed delivery", async () => {
      await q.send({ n: 1 }, { delaySeconds: 1 });
      expect(await q.receive()).toEqual([]);
      await sleep(1100);
      expect((await q.receive())[0]?.message).toEqual({ n: 1 });
    });

    test("a long-polling receiver wakes as soon as a message is sent", async () => {
      const started = Date.now();
      const pending = q.receive({ waitSeconds: 10 });
      await sleep(200);
      await q.send({ n: 42 });
      const [d] = await pending;
      expect(d?.message).toEqual({ n: 42 });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    test("an aborted long poll returns [] promptly", async () => {
      const ac = new AbortController();
      const started = Date.now();
      const pending = q.receive({ waitSeconds: 10, signal: ac.signal });
      await sleep(100);
      ac.abort();
      expect(await pending).toEqual([]);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
}
