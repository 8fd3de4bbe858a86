/**
 * Topic and queues on SNS → SQS. Each port topic is an SNS topic; each port queue is an SQS queue
 * subscribed to its topics with raw message delivery (the body is the published JSON, not the SNS
 * envelope) and a redrive policy to `<queue>-dlq` after the topology's `maxReceives` receives,
 * which `maxAttempts` must equal (src/ports/messaging-topology.ts; made by Ansible or
 * `gas aws bootstrap`). The port's semantics map onto SQS as follows:
 * - lease = visibility timeout; `extend` = ChangeMessageVisibility; a stale receipt handle is
 *   refused by SQS, so `extend`/`retry`/`ack` report a lost lease as false;
 * - `retry` = ChangeMessageVisibility to the backoff (0 when the attempts are used up, so the
 *   redrive policy moves the message to the dead-letter queue on the next receive); SQS has no
 *   place for the retry's `error` text, so it is not kept (the handler logs it);
 * - dead-lettering happens inside SQS on the receive after the `maxAttempts`-th, as the
 *   contract's "after maxAttempts deliveries" requires;
 * - delays: SQS allows at most 900 s per message and SNS has no delay at all, so a delayed
 *   message carries its due time in the `gas-deliver-at` attribute; a receiver that gets it early
 *   sends it again with the remaining delay (≤ 900 s) and deletes the early copy;
 * - long polls are cut into WaitTimeSeconds ≤ 20 (SQS's maximum), ≤ 10 for a receive that can be
 *   stopped (one with a signal): SQS keeps handing messages to a poll whose caller stopped
 *   listening, so a stopping process lets its last poll end and hands back what it got (`drain`),
 *   and a shorter poll bounds that wait (twice the requests of an idle queue: ~$0.10 a month each);
 * - a dead-lettered message keeps counting receives in the DLQ (SQS does not reset
 *   ApproximateReceiveCount; the PostgreSQL queue starts again at 1);
 * - `depth` is approximate on AWS (SQS's counters lag by up to a minute).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { ListTopicsCommand, PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { Delivery, Queue, ReceiveOptions, Topic, TopicName } from "../../ports/queue.ts";
import { queueResourceName, topicResourceName } from "./aws-resources.ts";
import { createSqsAckBatcher } from "./sqs-ack-batcher.ts";

export interface SqsMessagingOptions {
  sqs: SQSClient;
  sns: SNSClient;
  /** GAS_AWS_PREFIX: resource names are `<prefix>-<topic or queue>`. */
  prefix: string;
  visibilitySeconds: number;
  maxAttempts: number;
  retryBaseSeconds: number;
}

export interface SqsMessaging {
  topic: Topic;
  queue<M = unknown>(name: string): Queue<M>;
  /**
   * Wait (at most one poll, ≤ 10 s) for the long polls that stopped receivers left open in SQS to
   * end, and make whatever they received visible again at once. Without it a message SQS hands to
   * such a poll stays invisible for a whole lease (QUEUE_VISIBILITY_SECONDS) after the process is
   * gone. A stopping process calls it before `close` (aws-ports.ts).
   */
  drain(): Promise<void>;
  /** Abort long polls still running in the background and drop cached URLs. */
  close(): Promise<void>;
}

/** SQS's per-message delay limit. */
export const MAX_SQS_DELAY_SECONDS = 900;
const MAX_WAIT_SECONDS = 20;
/** The longest poll of a receive that can be stopped: what `drain` may have to wait for. */
export const STOPPABLE_WAIT_SECONDS = 10;
const MAX_BACKOFF_SECONDS = 900;
/** SQS's cap on a message's total visibility (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;
export const DELIVER_AT_ATTRIBUTE = "gas-deliver-at";

/** The errors SQS gives for a receipt handle that is no longer the message's current lease. */
const leaseLost = (err: unknown) => {
  const e = err as { name?: string; Code?: string };
  return ["MessageNotInflight", "ReceiptHandleIsInvalid", "InvalidParameterValue"].some((n) => e.name === n || e.Code?.endsWith(n));
};

const deliverAtAttribute = (delaySeconds: number): Record<string, MessageAttributeValue> => ({
  [DELIVER_AT_ATTRIBUTE]: { DataType: "Number", StringValue: String(Date.now() + delaySeconds * 1000) },
});

/**
 * Body and due time of a received message. Raw delivery gives the published JSON; a subscription
 * without raw delivery (set up by hand) gives the SNS envelope, unwrapped here as the original's
 * consumers did (`json.loads(json.loads(body)["Message"])`).
 */
function decode(m: Message): { message: unknown; deliverAt: number | null } {
  let deliverAt = Number(m.MessageAttributes?.[DELIVER_AT_ATTRIBUTE]?.StringValue ?? Number.NaN);
  let message: unknown;
  try {
    message = JSON.parse(m.Body ?? "");
  } catch {
    return { message: m.Body ?? "", deliverAt: null }; // not ours: the handler fails it into the DLQ
  }
  const env = message as { Type?: string; Message?: unknown; TopicArn?: string; MessageAttributes?: Record<string, { Value?: string }> };
  if (env && env.Type === "Notification" && typeof env.Message === "string" && typeof env.TopicArn === "string") {
    deliverAt = Number(env.MessageAttributes?.[DELIVER_AT_ATTRIBUTE]?.Value ?? Number.NaN);
    try {
      message = JSON.parse(env.Message);
    } catch {
      message = env.Message;
    }
  }
  return { message, deliverAt: Number.isFinite(deliverAt) ? deliverAt : null };
}

/** Create the SNS topic and the SQS queue factory. */
export function createSqsMessaging(opts: SqsMessagingOptions): SqsMessaging {
  const { sqs, sns } = opts;
  const closing = new AbortController();
  const acks = createSqsAckBatcher(sqs, opts.visibilitySeconds);
  const urls = new Map<string, Promise<string>>();
  /** Polls whose receiver stopped listening, until they end and their messages are released. */
  const abandoned = new Set<Promise<void>>();
  let topicArns: Promise<Map<string, string>> | null = null;

  /** Queue URL by name (GetQueueUrl once per process). */
  function queueUrl(resource: string): Promise<string> {
    let url = urls.get(resource);
    if (!url) {
      url = sqs
        .send(new GetQueueUrlCommand({ QueueName: resource }))
        .then((r) => r.QueueUrl!)
        .catch((err) => {
          urls.delete(resource);
          throw new Error(
            `SQS queue ${resource} is not available (${(err as Error).name}: ${(err as Error).message}); create it with \`gas aws bootstrap\``,
          );
        });
      urls.set(resource, url);
    }
    return url;
  }

  /** Topic ARN by name. ListTopics is read once (SNS has no lookup by name) and again on a miss. */
  async function topicArn(resource: string): Promise<string> {
    for (let fresh = false; ; fresh = true) {
      if (!topicArns || fresh) {
        topicArns = (async () => {
          const out = new Map<string, string>();
          let token: string | undefined;
          do {
            const page = await sns.send(new ListTopicsCommand({ NextToken: token }));
            for (const t of page.Topics ?? []) if (t.TopicArn) out.set(t.TopicArn.slice(t.TopicArn.lastIndexOf(":") + 1), t.TopicArn);
            token = page.NextToken;
          } while (token);
          return out;
        })();
        topicArns.catch(() => (topicArns = null));
      }
      const arn = (await topicArns).get(resource);
      if (arn) return arn;
      if (fresh) throw new Error(`SNS topic ${resource} does not exist; create it with \`gas aws bootstrap\``);
    }
  }

  /**
   * One ReceiveMessage. When `signal` aborts, returns [] at once and lets the request finish in
   * the background: cutting the connection does not stop SQS from handing out messages to it
   * (fauxqs does the same), so anything it still receives is made visible again right away
   * instead of waiting out a lease nobody holds.
   */
  async function receiveOnce(url: string, max: number, waitSeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const request = sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(Math.max(max, 1), 10),
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: opts.visibilitySeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        MessageAttributeNames: [DELIVER_AT_ATTRIBUTE],
      }),
      { abortSignal: closing.signal },
    );
    if (!signal) return (await request).Messages ?? [];
    const abandon = () => {
      const done: Promise<void> = request
        .then((r) => release(url, r.Messages ?? []))
        .catch(() => {})
        .finally(() => abandoned.delete(done));
      abandoned.add(done);
    };
    if (signal.aborted) {
      abandon();
      return [];
    }
    let onAbort!: () => void;
    const aborted = new Promise<null>((resolve) => {
      onAbort = () => resolve(null);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const winner = await Promise.race([request, aborted]);
      if (winner) return winner.Messages ?? [];
      abandon();
      return [];
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async function release(url: string, messages: Message[]) {
    for (const m of messages) {
      await sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }))
        .catch(() => {});
    }
  }

  /** A message that arrived before its due time goes back with the remaining delay. */
  async function redelay(url: string, m: Message, deliverAt: number) {
    const seconds = Math.min(Math.ceil((deliverAt - Date.now()) / 1000), MAX_SQS_DELAY_SECONDS);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: m.Body,
        DelaySeconds: Math.max(seconds, 0),
        MessageAttributes: { [DELIVER_AT_ATTRIBUTE]: { DataType: "Number", StringValue: String(deliverAt) } },
      }),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  }

  async function changeVisibility(url: string, receipt: string, seconds: number): Promise<boolean> {
    try {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: receipt,
          VisibilityTimeout: Math.min(Math.max(Math.ceil(seconds), 0), MAX_VISIBILITY_SECONDS),
        }),
      );
      return true;
    } catch (err) {
      if (leaseLost(err)) return false;
      throw err;
    }
  }

  function queue<M>(name: string): Queue<M> {
    const resource = queueResourceName(opts.prefix, name);
    async function counts() {
      const r = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: await queueUrl(resource),
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
        }),
      );
      const a = r.Attributes ?? {};
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    }

    return {
      name,
      async send(message, o) {
        const delay = Math.max(0, Math.ceil(o?.delaySeconds ?? 0));
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: await queueUrl(resource),
            MessageBody: JSON.stringify(message),
            DelaySeconds: Math.min(delay, MAX_SQS_DELAY_SECONDS),
            ...(delay > MAX_SQS_DELAY_SECONDS ? { MessageAttributes: deliverAtAttribute(delay) } : {}),
          }),
        );
      },
      async receive(o: ReceiveOptions = {}): Promise<Delivery<M>[]> {
        const url = await queueUrl(resource);
        const deadline = Date.now() + (o.waitSeconds ?? 0) * 1000;
        for (;;) {
          if (o.signal?.aborted) return [];
          const longest = o.signal ? STOPPABLE_WAIT_SECONDS : MAX_WAIT_SECONDS;
          const wait = Math.min(Math.max(Math.ceil((deadline - Date.now()) / 1000), 0), longest);
          const got: Delivery<M>[] = [];
          for (const m of await receiveOnce(url, o.max ?? 1, wait, o.signal)) {
            const { message, deliverAt } = decode(m);
            if (deliverAt !== null && deliverAt > Date.now() + 500) {
              await redelay(url, m, deliverAt);
              continue;
            }
            got.push({
              id: m.MessageId!,
              message: message as M,
              receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
              receipt: m.ReceiptHandle!,
            });
          }
          if (got.length > 0 || Date.now() >= deadline || o.signal?.aborted) return got;
        }
      },
      async ack(d) {
        return acks.ack(await queueUrl(resource), d.receipt);
      },
      async extend(d, seconds) {
        return changeVisibility(await queueUrl(resource), d.receipt, seconds);
      },
      async retry(d, o = {}) {
        // Attempts used up: visible at once, so the redrive policy dead-letters it on the next receive.
        const delay =
          d.receiveCount >= opts.maxAttempts
            ? 0
            : (o.delaySeconds ?? Math.min(opts.retryBaseSeconds * 2 ** (d.receiveCount - 1), MAX_BACKOFF_SECONDS));
        return changeVisibility(await queueUrl(resource), d.receipt, delay);
      },
      async depth() {
        const c = await counts();
        return c.visible + c.inFlight + c.delayed;
      },
      counts,
    };
  }

  return {
    topic: {
      async publish<T extends TopicName>(topic: T, message: unknown, o?: { delaySeconds?: number }) {
        const delay = Math.max(0, Math.ceil(o?.delaySeconds ?? 0));
        await sns.send(
          new PublishCommand({
            TopicArn: await topicArn(topicResourceName(opts.prefix, topic)),
            Message: JSON.stringify(message),
            // SNS cannot delay; raw delivery copies this attribute onto each queue's message.
            ...(delay > 0 ? { MessageAttributes: deliverAtAttribute(delay) } : {}),
          }),
        );
      },
    },
    queue,
    async drain() {
      const bound = Bun.sleep((STOPPABLE_WAIT_SECONDS + 5) * 1000);
      await Promise.race([Promise.allSettled([...abandoned]), bound]);
    },
    async close() {
      closing.abort();
      urls.clear();
    },
  };
}
