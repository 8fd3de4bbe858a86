/**
 * SplitStore on DynamoDB: items in the jobs table beside the jobs (as the status counters are),
 * keyed `#split#<job>` for the split and `#split#<job>#<n>` for each chunk. They carry no user_id,
 * so the user index leaves them out, and the annotators' IAM policy already covers the table.
 * Each transition is one UpdateItem with a ConditionExpression (no transactions: dynalite has
 * none). Only GetItem and UpdateItem, the actions the annotator's IAM policy grants on the table
 * (an UpdateItem on an absent key creates the item), and DeleteItem for `delete`, which the
 * annotators call once a split is merged, failed or its job deleted (split-job.ts: `discard`). The done count is read from the chunk items, never
 * kept in a counter that a crash between two writes could leave wrong. Leases are epoch-millisecond deadlines from
 * the writer's clock, as the job store's claims are.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ChunkResult, ChunkState, SplitPlan, SplitState, SplitStore } from "../../ports/split-store.ts";

export interface DynamoSplitStoreOptions {
  dynamodb: DynamoDBClient;
  /** The jobs table (its key is job_id). */
  table: string;
}

const PREFIX = "#split#";
const splitKey = (jobId: string) => ({ job_id: `${PREFIX}${jobId}` });
const chunkKey = (jobId: string, n: number) => ({ job_id: `${PREFIX}${jobId}#${n}` });

interface SplitItem extends SplitPlan {
  started_at: number;
  merge_token?: string;
  merge_until?: number;
  merged_at?: number;
}
interface ChunkItem {
  job_id: string;
  n: number;
  claim_token?: string;
  claim_until?: number;
  attempts: number;
  done_at?: number;
  records?: number;
  seconds?: number;
}

const conditionFailed = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === "ConditionalCheckFailedException";

/** Create the DynamoDB split store. */
export function createDynamoSplitStore(opts: DynamoSplitStoreOptions): SplitStore {
  const doc = DynamoDBDocumentClient.from(opts.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = opts.table;

  /** One conditional update: true when it was applied. */
  async function conditional(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], "TableName">): Promise<boolean> {
    try {
      await doc.send(new UpdateCommand({ TableName, ...input }));
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async function splitItem(jobId: string): Promise<SplitItem | null> {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: splitKey(jobId), ConsistentRead: true }));
    return (Item as SplitItem | undefined) ?? null;
  }

  /** Every chunk item, read a few at a time (GetItem: the annotator may not BatchGetItem). */
  async function chunkItems(jobId: string, chunks: number): Promise<ChunkItem[]> {
    const found: ChunkItem[] = [];
    for (let from = 0; from < chunks; from += 16) {
      const reads = Array.from({ length: Math.min(16, chunks - from) }, (_, i) =>
        doc.send(new GetCommand({ TableName, Key: chunkKey(jobId, from + i), ConsistentRead: true })),
      );
      for (const { Item } of await Promise.all(reads)) if (Item) found.push(Item as ChunkItem);
    }
    return found;
  }

  const doneOf = (items: ChunkItem[]) => {
    const done = items.filter((c) => c.done_at !== undefined);
    return { done: done.length, recordsDone: done.reduce((n, c) => n + (c.records ?? 0), 0) };
  };

  async function get(jobId: string): Promise<SplitState | null> {
    const s = await splitItem(jobId);
    if (!s) return null;
    return {
      jobId,
      chunks: s.chunks,
      chunkLines: s.chunkLines,
      records: s.records,
      inputBytes: s.inputBytes,
      inputSha256: s.inputSha256,
      jobToken: s.jobToken ?? null,
      startedAt: new Date(s.started_at),
      mergedAt: s.merged_at === undefined ? null : new Date(s.merged_at),
      ...doneOf(await chunkItems(jobId, s.chunks)),
    };
  }

  return {
    async begin(jobId, plan) {
      // Chunks first, each only if absent: a begin that died half-way is completed by the next,
      // and the split item, written last, says every chunk item exists.
      if (!(await splitItem(jobId))) {
        for (let n = 0; n < plan.chunks; n++) {
          await conditional({
            Key: chunkKey(jobId, n),
            UpdateExpression: "SET n = :n, attempts = :zero",
            ConditionExpression: "attribute_not_exists(job_id)",
            ExpressionAttributeValues: { ":n": n, ":zero": 0 },
          });
        }
        await conditional({
          Key: splitKey(jobId),
          UpdateExpression: `SET chunks = :c, chunkLines = :l, #records = :r, inputBytes = :b, inputSha256 = :h, started_at = :now${plan.jobToken ? ", jobToken = :t" : ""}`,
          ConditionExpression: "attribute_not_exists(job_id)",
          ExpressionAttributeNames: { "#records": "records" },
          ExpressionAttributeValues: {
            ":c": plan.chunks,
            ":l": plan.chunkLines,
            ":r": plan.records,
            ":b": plan.inputBytes,
            ":h": plan.inputSha256,
            ":now": Date.now(),
            ...(plan.jobToken ? { ":t": plan.jobToken } : {}),
          },
        });
      }
      return (await get(jobId))!;
    },
    get,
    async chunks(jobId) {
      const s = await splitItem(jobId);
      if (!s) return [];
      return (await chunkItems(jobId, s.chunks)).map(
        (c): ChunkState => ({
          n: c.n,
          attempts: c.attempts,
          result:
            c.done_at === undefined
              ? null
              : ({ token: c.claim_token ?? "", records: c.records ?? 0, seconds: c.seconds ?? 0 } as ChunkResult),
        }),
      );
    },
    async claimChunk(jobId, n, token, leaseSeconds) {
      const now = Date.now();
      const claimed = await conditional({
        Key: chunkKey(jobId, n),
        UpdateExpression: "SET claim_token = :t, claim_until = :until ADD attempts :one",
        ConditionExpression:
          "attribute_exists(job_id) AND attribute_not_exists(done_at) AND (attribute_not_exists(claim_until) OR claim_until < :now)",
        ExpressionAttributeValues: { ":t": token, ":until": now + leaseSeconds * 1000, ":now": now, ":one": 1 },
        ReturnValues: "NONE",
      });
      const { Item } = await doc.send(new GetCommand({ TableName, Key: chunkKey(jobId, n), ConsistentRead: true }));
      const c = Item as ChunkItem | undefined;
      if (claimed && c) return { outcome: "claimed", attempts: c.attempts };
      if (!c) return { outcome: "missing" };
      return c.done_at !== undefined ? { outcome: "done" } : { outcome: "busy" };
    },
    renewChunk: (jobId, n, token, leaseSeconds) =>
      conditional({
        Key: chunkKey(jobId, n),
        UpdateExpression: "SET claim_until = :until",
        ConditionExpression: "claim_token = :t AND attribute_not_exists(done_at)",
        ExpressionAttributeValues: { ":t": token, ":until": Date.now() + leaseSeconds * 1000 },
      }),
    async finishChunk(jobId, n, token, result) {
      const applied = await conditional({
        Key: chunkKey(jobId, n),
        UpdateExpression: "SET done_at = :now, #records = :r, seconds = :s REMOVE claim_until",
        ConditionExpression: "claim_token = :t AND attribute_not_exists(done_at)",
        ExpressionAttributeNames: { "#records": "records" },
        ExpressionAttributeValues: { ":t": token, ":now": Date.now(), ":r": result.records, ":s": result.seconds },
      });
      if (!applied) {
        // Done already under this token (a repeated call) still answers with the counts.
        const { Item } = await doc.send(new GetCommand({ TableName, Key: chunkKey(jobId, n), ConsistentRead: true }));
        const c = Item as ChunkItem | undefined;
        if (!c || c.claim_token !== token || c.done_at === undefined) return null;
      }
      const s = await splitItem(jobId);
      if (!s) return null;
      return { done: doneOf(await chunkItems(jobId, s.chunks)).done, chunks: s.chunks };
    },
    async claimMerge(jobId, token, leaseSeconds) {
      const s = await get(jobId);
      if (!s) return "missing";
      if (s.mergedAt) return "merged";
      // Chunks never become undone, so "all done" read before the conditional write stays true.
      if (s.done < s.chunks) return "waiting";
      const now = Date.now();
      const claimed = await conditional({
        Key: splitKey(jobId),
        UpdateExpression: "SET merge_token = :t, merge_until = :until",
        ConditionExpression: "attribute_not_exists(merged_at) AND (attribute_not_exists(merge_until) OR merge_until < :now)",
        ExpressionAttributeValues: { ":t": token, ":until": now + leaseSeconds * 1000, ":now": now },
      });
      if (claimed) return "claimed";
      return (await splitItem(jobId))?.merged_at !== undefined ? "merged" : "busy";
    },
    renewMerge: (jobId, token, leaseSeconds) =>
      conditional({
        Key: splitKey(jobId),
        UpdateExpression: "SET merge_until = :until",
        ConditionExpression: "merge_token = :t AND attribute_not_exists(merged_at)",
        ExpressionAttributeValues: { ":t": token, ":until": Date.now() + leaseSeconds * 1000 },
      }),
    finishMerge: (jobId, token) =>
      conditional({
        Key: splitKey(jobId),
        UpdateExpression: "SET merged_at = :now REMOVE merge_until",
        ConditionExpression: "merge_token = :t AND attribute_not_exists(merged_at)",
        ExpressionAttributeValues: { ":t": token, ":now": Date.now() },
      }),
    async delete(jobId) {
      const s = await splitItem(jobId);
      if (!s) return;
      // Chunks first, the split item last: a delete that died half-way is found and finished by the next.
      for (let n = 0; n < s.chunks; n++) await doc.send(new DeleteCommand({ TableName, Key: chunkKey(jobId, n) }));
      await doc.send(new DeleteCommand({ TableName, Key: splitKey(jobId) }));
    },
  };
}
