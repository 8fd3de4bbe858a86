/**
 * The push-mode doorbell around the annotator's SQS queue, on fauxqs (SNS → SQS as bootstrapped
 * by `gas aws bootstrap`). SQS receives are counted by a pass-through wrapper to show when the
 * queue is asked and when it is left alone.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { TopicMessages } from "../../ports/queue.ts";
import { deleteMessaging, emulatorName, startFauxqsEmulator, emulatorFixture, uniqueName } from "../../../test/support/aws-emulators.ts";
import { bootstrapMessaging } from "./aws-bootstrap.ts";
import { createDoorbellQueue } from "./sns-push-queue.ts";
import { createSqsMessaging } from "./sqs-messaging.ts";

type Request = TopicMessages["job.requested"];
const settings = { visibilitySeconds: 30, maxAttempts: 3, retryBaseSeconds: 1 } as const;
const fauxqs = emulatorFixture(startFauxqsEmulator);

/** A fresh SNS → SQS layout, the annotator queue with a doorbell, and a count of SQS receives. */
async function setUp(sweepSeconds: number) {
  const prefix = uniqueName("gas-push");
  const made = await bootstrapMessaging(fauxqs.clients, prefix, settings);
  const m = createSqsMessaging({ sqs: fauxqs.clients.sqs, sns: fauxqs.clients.sns, prefix, ...settings });
  const sqs = m.queue<Request>("annotator");
  let receives = 0;
  const counted = { ...sqs, receive: (o?: Parameters<typeof sqs.receive>[0]) => (receives++, sqs.receive(o)) };
  const queue = createDoorbellQueue(counted, { sweepSeconds, ringWaitSeconds: 5 });
  const publish = (jobId: string) =>
    m.topic.publish("job.requested", { jobId, userId: "u", inputKey: "k", inputFileName: "f.vcf", submitTime: new Date().toISOString() });
  return {
    queue,
    publish,
    receives: () => receives,
    async close() {
      await m.close();
      await deleteMessaging(fauxqs.clients, made);
    },
  };
}

const ids = (ds: { message: Request }[]) => ds.map((d) => d.message.jobId);

// Each test has its own topic, queue and doorbell, and most of each is waiting (rings, sweeps,
// long polls): they run concurrently (11.7 s one by one).
describe(`push-mode doorbell on SQS (${emulatorName("fauxqs")})`, () => {
  test.concurrent("looks once at start, then leaves SQS alone until a ring; a ring takes the job at once", async () => {
    const h = await setUp(60);
    try {
      await h.publish("waiting-before-start");
      expect(ids(await h.queue.receive({ waitSeconds: 5 }))).toEqual(["waiting-before-start"]);
      // The look found a message: the next receive drains (looks again) and finds nothing.
      expect(await h.queue.receive({ waitSeconds: 0 })).toEqual([]);
      const before = h.receives();
      await h.publish("no-ring");
      const t0 = Date.now();
      expect(await h.queue.receive({ waitSeconds: 2 })).toEqual([]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
      expect(h.receives()).toBe(before); // slept: no SQS call without a ring
      const waiting = h.queue.receive({ waitSeconds: 20 });
      await Bun.sleep(200);
      const rungAt = Date.now();
      h.queue.ring();
      expect(ids(await waiting)).toEqual(["no-ring"]);
      expect(Date.now() - rungAt).toBeLessThan(3000);
    } finally {
      await h.close();
    }
  });

  test.concurrent("a ring that overtakes SNS's delivery to SQS still finds the message (the look is a long poll)", async () => {
    const h = await setUp(60);
    try {
      expect(await h.queue.receive({ waitSeconds: 1 })).toEqual([]); // the start look
      const waiting = h.queue.receive({ waitSeconds: 20 });
      h.queue.ring();
      await Bun.sleep(500);
      await h.publish("late");
      expect(ids(await waiting)).toEqual(["late"]);
    } finally {
      await h.close();
    }
  });

  test.concurrent("without any ring the sweep takes the job (a missed push loses nothing)", async () => {
    const h = await setUp(1);
    try {
      expect(await h.queue.receive({ waitSeconds: 0 })).toEqual([]);
      await h.publish("missed-push");
      const t0 = Date.now();
      expect(ids(await h.queue.receive({ waitSeconds: 20 }))).toEqual(["missed-push"]);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await h.close();
    }
  });

  test.concurrent("one ring wakes one of several waiting receivers; a ring while all are busy is kept for the next receive", async () => {
    const h = await setUp(60);
    try {
      expect(await h.queue.receive({ waitSeconds: 0 })).toEqual([]);
      const base = h.receives();
      await h.publish("one");
      const a = h.queue.receive({ waitSeconds: 20 });
      const b = h.queue.receive({ waitSeconds: 3 });
      await Bun.sleep(100);
      h.queue.ring();
      expect(ids(await a)).toEqual(["one"]);
      // One SQS call for the ring; b slept through it (and makes the drain look at its deadline).
      expect(h.receives()).toBe(base + 1);
      expect(await b).toEqual([]);
      await h.publish("two");
      h.queue.ring(); // nobody is waiting: the ring is kept
      expect(ids(await h.queue.receive({ waitSeconds: 5 }))).toEqual(["two"]);
    } finally {
      await h.close();
    }
  });

  test.concurrent("an aborted receive returns at once", async () => {
    const h = await setUp(60);
    try {
      expect(await h.queue.receive({ waitSeconds: 0 })).toEqual([]);
      const stop = new AbortController();
      const t0 = Date.now();
      const waiting = h.queue.receive({ waitSeconds: 20, signal: stop.signal });
      setTimeout(() => stop.abort(), 200);
      expect(await waiting).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await h.close();
    }
  });

  test.concurrent("an abort while it looks in SQS returns at once too (a stopping annotator does not wait out its receive)", async () => {
    const h = await setUp(60);
    try {
      const stop = new AbortController();
      const t0 = Date.now();
      // The first receive looks at once (a long poll of up to ringWaitSeconds); abort during it.
      const waiting = h.queue.receive({ waitSeconds: 20, signal: stop.signal });
      setTimeout(() => stop.abort(), 200);
      expect(await waiting).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await h.close();
    }
  });
});
