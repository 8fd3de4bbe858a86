/**
 * The Queue/Topic contract on SNS → SQS, against fauxqs started by this file. Each test gets its
 * own prefix, so its topics, queues, dead-letter queues and subscriptions are new (made by the
 * same `bootstrapMessaging` that `gas aws bootstrap` runs) and are deleted afterwards.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { queueContract } from "../../ports/queue.contract.ts";
import {
  deleteMessaging,
  emulatorName,
  externalEndpoint,
  startFauxqsEmulator,
  emulatorFixture,
  uniqueName,
} from "../../../test/support/aws-emulators.ts";
import { bootstrapMessaging } from "./aws-bootstrap.ts";
import { createSqsMessaging } from "./sqs-messaging.ts";

const settings = { visibilitySeconds: 1, maxAttempts: 3, retryBaseSeconds: 1 } as const;
const fauxqs = emulatorFixture(startFauxqsEmulator);

async function openMessaging() {
  const prefix = uniqueName("gas-t");
  const made = await bootstrapMessaging(fauxqs.clients, prefix, settings);
  const m = createSqsMessaging({ sqs: fauxqs.clients.sqs, sns: fauxqs.clients.sns, prefix, ...settings });
  return {
    ...m,
    prefix,
    made,
    settings,
    close: async () => {
      await m.close();
      await deleteMessaging(fauxqs.clients, made);
    },
  };
}

queueContract(`SNS → SQS on ${emulatorName("fauxqs")}`, openMessaging, {
  skip: externalEndpoint
    ? { reason: "moto accepts stale receipt handles (SQS refuses them)", checks: ["stale receipts are refused"] }
    : undefined,
});

describe("SNS → SQS specifics", () => {
  test("bootstrap: raw delivery subscriptions, redrive to <queue>-dlq after maxAttempts, visibility; a second run changes nothing", async () => {
    const h = await openMessaging();
    try {
      const url = h.made.queues[`${h.prefix}-annotator`]!;
      const a = (await fauxqs.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes!;
      expect(a.VisibilityTimeout).toBe("1");
      expect(a.ReceiveMessageWaitTimeSeconds).toBe("20");
      const redrive = JSON.parse(a.RedrivePolicy!);
      expect(redrive.deadLetterTargetArn).toEndWith(`:${h.prefix}-annotator-dlq`);
      expect(Number(redrive.maxReceiveCount)).toBe(3);
      expect(JSON.parse(a.Policy!).Statement[0].Condition.ArnEquals["aws:SourceArn"]).toEqual([h.made.topics[`${h.prefix}-job-requested`]]);
      const created: string[] = [];
      const again = await bootstrapMessaging(fauxqs.clients, h.prefix, settings, created);
      expect(again).toEqual(h.made);
      expect(created).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test("the queue body is the published JSON (raw delivery), not an SNS envelope", async () => {
    const h = await openMessaging();
    try {
      const msg = { jobId: "j1", userId: "u1", inputKey: "u1/j1~a.vcf", inputFileName: "a.vcf", submitTime: "2026-01-01T00:00:00.000Z" };
      await h.topic.publish("job.requested", msg);
      const [d] = await h.queue("annotator").receive({ waitSeconds: 2 });
      expect(d?.message).toEqual(msg);
      expect(await h.queue("annotator").ack(d!)).toBe(true);
    } finally {
      await h.close();
    }
  });

  test("delays over SQS's 15 minutes: the early copy is sent back with the rest of the delay, not delivered", async () => {
    const h = await openMessaging();
    try {
      const q = h.queue<{ n: number }>("annotator");
      await q.send({ n: 1 }, { delaySeconds: 3600 });
      // fauxqs holds it for 900 s like SQS would; the receiver never sees it within the test.
      expect(await q.receive({ waitSeconds: 1 })).toEqual([]);
      expect(await q.depth()).toBe(1);
      // A delayed publish (SNS has no delay): delivered at once with its due time, re-delayed on receipt.
      await h.topic.publish(
        "job.requested",
        { jobId: "later", userId: "u", inputKey: "k", inputFileName: "a.vcf", submitTime: "t" },
        { delaySeconds: 2 },
      );
      expect(await q.receive()).toEqual([]);
      const [d] = await q.receive({ waitSeconds: 5 });
      expect(d?.message).toMatchObject({ jobId: "later" });
      expect(d?.receiveCount).toBe(1); // the re-sent copy is a fresh message: no attempt was used up
    } finally {
      await h.close();
    }
  }, 20_000);

  test("acks issued together go out as one batch and each reports its own lease", async () => {
    const h = await openMessaging();
    try {
      const q = h.queue<{ n: number }>("annotator");
      for (let n = 0; n < 12; n++) await q.send({ n });
      const got = [...(await q.receive({ max: 10 })), ...(await q.receive({ max: 10 }))];
      expect(got).toHaveLength(12);
      const stale = { ...got[0]!, receipt: `${got[0]!.receipt}x` };
      const results = await Promise.all([...got.map((d) => q.ack(d)), q.ack(stale)]);
      expect(results.slice(0, 12).every(Boolean)).toBe(true);
      expect(results[12]).toBe(false);
      expect(await q.depth()).toBe(0);
    } finally {
      await h.close();
    }
  });

  test("a stopped consumer's long poll swallows nothing: drain() lets it end and hands back what it got", async () => {
    const h = await openMessaging();
    // Leases as long as production's: a swallowed message would stay invisible for the test's whole length.
    const stopping = createSqsMessaging({
      sqs: fauxqs.clients.sqs,
      sns: fauxqs.clients.sns,
      prefix: h.prefix,
      ...settings,
      visibilitySeconds: 60,
    });
    try {
      const ac = new AbortController();
      const pending = stopping.queue("annotator").receive({ waitSeconds: 20, signal: ac.signal });
      await Bun.sleep(300); // the ReceiveMessage is now waiting in SQS
      ac.abort();
      expect(await pending).toEqual([]);
      // A job arrives while the stopping process's poll is still open in SQS.
      setTimeout(() => void h.queue("annotator").send({ n: 1 }), 200);
      await stopping.drain(); // what a stopping process does before close (aws-ports.ts)
      await stopping.close();
      const started = Date.now();
      const [d] = await h.queue<{ n: number }>("annotator").receive({ waitSeconds: 5 });
      expect(d?.message).toEqual({ n: 1 });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stopping.close();
      await h.close();
    }
  }, 30_000);

  test("a missing queue names itself and the bootstrap command", async () => {
    const m = createSqsMessaging({ sqs: fauxqs.clients.sqs, sns: fauxqs.clients.sns, prefix: uniqueName("gas-none"), ...settings });
    await expect(m.queue("annotator").receive()).rejects.toThrow(/gas-none-[0-9a-f]+-annotator.*gas aws bootstrap/);
    await expect(m.topic.publish("job.completed", { jobId: "j", userId: "u", status: "COMPLETED", completeTime: "t" })).rejects.toThrow(
      /job-completed.*gas aws bootstrap/,
    );
  });
});
