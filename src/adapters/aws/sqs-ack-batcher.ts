/**
 * Acks on SQS, batched: acks issued in the same tick for one queue go out as one
 * ChangeMessageVisibilityBatch + one DeleteMessageBatch (10 entries per call, SQS's limit).
 *
 * Why two calls: DeleteMessage succeeds even with a stale receipt handle (one from an earlier
 * delivery) and then silently keeps the message (AWS documents this; fauxqs does the same), so
 * it cannot tell the caller that its lease was lost. ChangeMessageVisibility does refuse a stale
 * handle (MessageNotInflight / ReceiptHandleIsInvalid), so it is used first as the lease check.
 * A failed check never deletes: with a stale handle that could remove a message another worker
 * now holds.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";

interface Pending {
  receipt: string;
  resolve(ok: boolean): void;
  reject(err: unknown): void;
}

const BATCH = 10;

/** Create the batcher. `holdSeconds` is the visibility the lease check sets (kept if the delete fails). */
export function createSqsAckBatcher(sqs: SQSClient, holdSeconds: number) {
  const waiting = new Map<string, Pending[]>();

  async function flush(queueUrl: string, batch: Pending[]) {
    try {
      const check = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((p, i) => ({ Id: String(i), ReceiptHandle: p.receipt, VisibilityTimeout: holdSeconds })),
        }),
      );
      const held = new Set((check.Successful ?? []).map((e) => Number(e.Id)));
      const entries = batch.map((p, i) => ({ i, p })).filter(({ i }) => held.has(i));
      const deleted = new Set<number>();
      const serverFaults = new Map<number, string>();
      if (entries.length > 0) {
        const del = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map(({ i, p }) => ({ Id: String(i), ReceiptHandle: p.receipt })),
          }),
        );
        for (const e of del.Successful ?? []) deleted.add(Number(e.Id));
        // A sender fault (stale handle) means the lease is gone; a server fault is worth retrying.
        for (const f of del.Failed ?? []) if (!f.SenderFault) serverFaults.set(Number(f.Id), `${f.Code}: ${f.Message}`);
      }
      batch.forEach((p, i) => {
        const fault = serverFaults.get(i);
        if (fault) p.reject(new Error(`SQS DeleteMessageBatch failed: ${fault}`));
        else p.resolve(deleted.has(i));
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  return {
    /** Delete the message if `receipt` is still its current lease; false when the lease was lost. */
    ack(queueUrl: string, receipt: string): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        const list = waiting.get(queueUrl) ?? [];
        if (list.length === 0) {
          waiting.set(queueUrl, list);
          // Collect whatever else is acked in this tick, then send in chunks of 10.
          setTimeout(() => {
            const all = waiting.get(queueUrl) ?? [];
            waiting.delete(queueUrl);
            for (let i = 0; i < all.length; i += BATCH) void flush(queueUrl, all.slice(i, i + BATCH));
          }, 0);
        }
        list.push({ receipt, resolve, reject });
      });
    },
  };
}
