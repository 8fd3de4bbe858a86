/**
 * JobStore on DynamoDB. Every state change is one UpdateItem with a ConditionExpression on the
 * expected state (and the claim token): when workers race, exactly one write wins and the rest get
 * ConditionalCheckFailedException. No transactions (dynalite has none; see the status counters below).
 * Claim leases are epoch-millisecond deadlines taken from the writer's clock, so workers need
 * synchronised clocks (NTP; EC2 instances have the Amazon Time Sync Service).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type ClaimResult, type JobStatus, type JobStore, JOB_STATUSES, type UserUsage } from "../../ports/job-store.ts";
import { createLogger, type Logger } from "../../shared/logger.ts";
import { type JobItem, newJobItem, toEpochSeconds, toJob } from "./dynamo-job-item.ts";

export interface DynamoJobStoreOptions {
  dynamodb: DynamoDBClient;
  table: string;
  /** The user_id + submit_time global secondary index. */
  userIndex: string;
  /** Recorded on each item as the original did (`s3_inputs_bucket`, `s3_results_bucket`). */
  buckets?: { inputs: string; results: string };
  /** Where a failed status-counter write is reported (the transition itself stood). */
  log?: Logger;
}

/**
 * Jobs by status are counted in counter items kept in the jobs table beside the jobs: no user_id,
 * so the user index leaves them out. Each status change ADDs to one of COUNTER_SHARDS items
 * picked at random (one item would cap every status change in the table at one item's write
 * rate), and countByStatus sums them: 8 GetItems, whatever the table's size (a Scan read the
 * whole table). The counter write follows the conditional status write instead of sharing a
 * TransactWriteItems with it: dynalite has no transactions, moto's IAM enforcement asks for a
 * dynamodb:TransactWriteItems action that IAM does not have, and transactions on shared counter
 * items conflict under load (TransactionConflict). The price: a process dying between the two
 * writes leaves a count off by one (a metric, not a decision input); docs/operations.md says how
 * to recount. Counts start at the first status change counted, so a table holding jobs from
 * before counters needs that recount once.
 */
export const COUNTER_SHARDS = 8;
const COUNTER_PREFIX = "#job-counts#";
const counterKey = (shard: number) => ({ job_id: `${COUNTER_PREFIX}${shard}` });
type Deltas = Partial<Record<JobStatus, number>>;

const PAGE = 100;
/**
 * Lists leave out jobs their owners deleted (markDeleted). DynamoDB filters after `Limit` counts
 * the items read, so a page may come back short: the loops read on until full or at the end.
 */
const NOT_DELETED = "attribute_not_exists(deleted_at)";

const conditionFailed = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === "ConditionalCheckFailedException";

/** Create the DynamoDB job store. */
export function createDynamoJobStore(opts: DynamoJobStoreOptions): JobStore {
  const doc = DynamoDBDocumentClient.from(opts.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = opts.table;
  const log = opts.log ?? createLogger("warn", { component: "dynamo-job-store" });

  /** Apply a status change to one counter shard (after its conditional write succeeded). */
  async function count(jobId: string, deltas: Deltas): Promise<void> {
    const entries = Object.entries(deltas).filter(([, n]) => n !== 0);
    try {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: counterKey(Math.floor(Math.random() * COUNTER_SHARDS)),
          UpdateExpression: `ADD ${entries.map((_, i) => `#s${i} :d${i}`).join(", ")}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#s${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, n], i) => [`:d${i}`, n])),
        }),
      );
    } catch (err) {
      // The job's own write stood; failing the caller now would only make it retry a done step.
      log.warn("job status counter not updated: the jobs-by-status gauge is off by one until a recount", { jobId, deltas, err });
    }
  }

  /** Run a conditional update; false when the condition did not hold. */
  async function conditional(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], "TableName">): Promise<JobItem | null> {
    try {
      const r = await doc.send(new UpdateCommand({ TableName, ReturnValues: "ALL_NEW", ...input }));
      return r.Attributes as JobItem;
    } catch (err) {
      if (conditionFailed(err)) return null;
      throw err;
    }
  }

  const get = async (id: string) => {
    const r = await doc.send(new GetCommand({ TableName, Key: { job_id: id }, ConsistentRead: true }));
    return r.Item ? toJob(r.Item as JobItem) : null;
  };

  /** Sums the counter shards (see COUNTER_SHARDS): 8 GetItems, whatever the table's size. */
  const countByStatus = async (): Promise<Record<JobStatus, number>> => {
    const counts = Object.fromEntries(JOB_STATUSES.map((st) => [st, 0])) as Record<JobStatus, number>;
    const shards = await Promise.all(
      Array.from({ length: COUNTER_SHARDS }, (_, i) => doc.send(new GetCommand({ TableName, Key: counterKey(i), ConsistentRead: true }))),
    );
    for (const { Item } of shards) for (const st of JOB_STATUSES) counts[st] += Number(Item?.[st] ?? 0);
    return counts;
  };

  // The user index holds every attribute (projection ALL); only the five read here are fetched.
  // Eventually consistent (a GSI cannot be read otherwise): see UserUsage's note on the port.
  const usage = async (userId: string, o?: { startedAfter?: Date }): Promise<UserUsage> => {
    const now = Date.now();
    const after = o?.startedAfter ? toEpochSeconds(o.startedAfter) : null;
    const found: UserUsage = { running: 0, startedAfter: 0, resultBytes: 0, oldestPending: null, othersPending: false };
    let pending = 0;
    let oldestSubmit = Number.POSITIVE_INFINITY;
    let start: Record<string, unknown> | undefined;
    do {
      const r = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: opts.userIndex,
          KeyConditionExpression: "user_id = :u",
          ProjectionExpression:
            "job_id, job_status, claim_expires_at, start_time, submit_time, result_state, deleted_at, #summary.storedBytes",
          ExpressionAttributeNames: { "#summary": "summary" },
          ExpressionAttributeValues: { ":u": userId },
          ExclusiveStartKey: start,
        }),
      );
      for (const i of (r.Items ?? []) as Partial<JobItem>[]) {
        if (i.deleted_at !== undefined) continue; // deleted by its owner (markDeleted)
        if (i.job_status === "RUNNING" && (i.claim_expires_at ?? 0) > now) found.running++;
        if (after !== null && i.start_time !== undefined && i.start_time > after) found.startedAfter++;
        if (i.job_status === "COMPLETED" && (i.result_state === "AVAILABLE" || i.result_state === "RESTORING"))
          found.resultBytes += Number(i.summary?.storedBytes ?? 0);
        if (i.job_status === "PENDING") pending++;
        if (i.job_status === "PENDING" && i.job_id && (i.submit_time ?? 0) < oldestSubmit) {
          oldestSubmit = i.submit_time ?? 0;
          found.oldestPending = i.job_id;
        }
      }
      start = r.LastEvaluatedKey;
    } while (start);
    // Everyone's PENDING jobs from the counters, less this user's (both eventually consistent: a
    // wrong answer costs one needless turn, or one turn not given, never a lost job).
    found.othersPending = (await countByStatus()).PENDING > pending;
    return found;
  };

  /**
   * Up to `want` of a user's jobs not deleted, newest first: the user index is sorted by
   * submit_time, so it is read backwards a page at a time (a filter can leave a page short, hence
   * the loop), from `start` (an index position) when given.
   */
  const newestFirst = async (userId: string, want: number, start?: Record<string, unknown>) => {
    const items: JobItem[] = [];
    let from = start;
    do {
      const r = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: opts.userIndex,
          KeyConditionExpression: "user_id = :u",
          FilterExpression: NOT_DELETED,
          ExpressionAttributeValues: { ":u": userId },
          ScanIndexForward: false,
          Limit: Math.min(PAGE, want - items.length),
          ExclusiveStartKey: from,
        }),
      );
      items.push(...((r.Items ?? []) as JobItem[]));
      from = r.LastEvaluatedKey;
    } while (from && items.length < want);
    return { items };
  };

  const held = "job_status = :running AND claim_token = :token";

  return {
    async create(job) {
      try {
        await doc.send(
          new PutCommand({ TableName, Item: newJobItem(job, opts.buckets), ConditionExpression: "attribute_not_exists(job_id)" }),
        );
        await count(job.id, { PENDING: 1 });
        return true;
      } catch (err) {
        if (conditionFailed(err)) return false;
        throw err;
      }
    },

    get,

    async listByUser(userId, o) {
      const { items } = await newestFirst(userId, o?.limit ?? 1000);
      // Same order as the PostgreSQL store when two jobs share a submit time.
      return items.map(toJob).sort((a, b) => b.submitTime.getTime() - a.submitTime.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    },

    async pageByUser(userId, o) {
      // The cursor is a position in the index (its key plus the table's), so a page reads only
      // its own items however deep it is. One item more than asked says whether more follow.
      const after = o.after ? { user_id: userId, submit_time: toEpochSeconds(o.after.submitTime), job_id: o.after.id } : undefined;
      const { items } = await newestFirst(userId, o.limit + 1, after);
      const page = items.slice(0, o.limit).map(toJob);
      // `next` is the last job in the index's order (ties of submit time keep that order too).
      const last = page.at(-1);
      return { jobs: page, next: items.length > o.limit && last ? { submitTime: last.submitTime, id: last.id } : null };
    },

    usage,

    // From the sharded counters (countByStatus above), not a scan: its cost does not grow with the
    // table. `gas aws recount-jobs` rebuilds them should a crash between two writes skew them.
    countByStatus,

    async claim(id, token, leaseSeconds, o): Promise<ClaimResult> {
      if (o?.maxRunningPerUser) {
        // A soft cap (see ClaimOptions): counted through the user index, then the conditional claim.
        const current = await get(id);
        if (current?.status === "PENDING" && (await usage(current.userId)).running >= o.maxRunningPerUser) return { outcome: "capped" };
      }
      // PENDING → RUNNING first (counted), then a lapsed claim taken over (RUNNING stays RUNNING):
      // two conditions, so the counters know which transition happened.
      const takeClaim = (condition: string, values: Record<string, unknown>) => {
        const now = Date.now();
        return conditional({
          Key: { job_id: id },
          ConditionExpression: condition,
          UpdateExpression:
            "SET job_status = :running, claim_token = :token, claim_expires_at = :until, start_time = if_not_exists(start_time, :nowSeconds), attempts = if_not_exists(attempts, :zero) + :one",
          ExpressionAttributeValues: {
            ":running": "RUNNING",
            ":token": token,
            ":until": now + leaseSeconds * 1000,
            ":nowSeconds": now / 1000,
            ":zero": 0,
            ":one": 1,
            ...values,
          },
        });
      };
      const fresh = await takeClaim("job_status = :pending", { ":pending": "PENDING" });
      if (fresh) await count(id, { PENDING: -1, RUNNING: 1 });
      const item =
        fresh ??
        (await takeClaim("job_status = :running AND (attribute_not_exists(claim_expires_at) OR claim_expires_at < :now)", {
          ":now": Date.now(),
        }));
      if (item) return { outcome: "claimed", job: toJob(item) };
      // dynalite lacks ReturnValuesOnConditionCheckFailure, so read the item to say why.
      const current = await get(id);
      if (!current) return { outcome: "missing" };
      if (current.status === "COMPLETED" || current.status === "FAILED") return { outcome: "finished", job: current };
      return { outcome: "busy" };
    },

    async renewClaim(id, token, leaseSeconds) {
      const item = await conditional({
        Key: { job_id: id },
        ConditionExpression: held,
        UpdateExpression: "SET claim_expires_at = :until",
        ExpressionAttributeValues: { ":running": "RUNNING", ":token": token, ":until": Date.now() + leaseSeconds * 1000 },
      });
      return item !== null;
    },

    async reportProgress(id, token, progress) {
      const item = await conditional({
        Key: { job_id: id },
        ConditionExpression: held,
        UpdateExpression: "SET progress = :progress",
        ExpressionAttributeValues: { ":running": "RUNNING", ":token": token, ":progress": progress },
      });
      return item !== null;
    },

    async complete(id, token, f) {
      const item = await conditional({
        Key: { job_id: id },
        ConditionExpression: held,
        UpdateExpression: `SET job_status = :completed, complete_time = :nowSeconds, s3_key_result_file = :result, s3_key_log_file = :log, result_state = :available, summary = :summary${f.rowsKey ? ", s3_key_rows_file = :rows" : ""}${f.manifestKey ? ", s3_key_manifest_file = :manifest" : ""} REMOVE claim_expires_at${f.rowsKey ? "" : ", s3_key_rows_file"}`,
        ExpressionAttributeValues: {
          ":running": "RUNNING",
          ":token": token,
          ":completed": "COMPLETED",
          ":nowSeconds": toEpochSeconds(new Date()),
          ":result": f.resultKey,
          ":log": f.logKey,
          ":available": "AVAILABLE",
          ":summary": f.summary,
          ...(f.rowsKey ? { ":rows": f.rowsKey } : {}),
          ...(f.manifestKey ? { ":manifest": f.manifestKey } : {}),
        },
      });
      if (item) await count(id, { RUNNING: -1, COMPLETED: 1 });
      return item !== null;
    },

    async moveResult(id, from, to) {
      const item = await conditional({
        Key: { job_id: id },
        ConditionExpression: `job_status = :completed AND result_state = :from AND ${from.archiveId === null ? "attribute_not_exists(results_file_archive_id)" : "results_file_archive_id = :fromArchive"}`,
        UpdateExpression:
          to.archiveId === null
            ? "SET result_state = :to REMOVE results_file_archive_id"
            : "SET result_state = :to, results_file_archive_id = :toArchive",
        ExpressionAttributeValues: {
          ":completed": "COMPLETED",
          ":from": from.state,
          ":to": to.state,
          ...(from.archiveId === null ? {} : { ":fromArchive": from.archiveId }),
          ...(to.archiveId === null ? {} : { ":toArchive": to.archiveId }),
        },
      });
      return item !== null;
    },

    async setRowsKey(id, from, to) {
      const item = await conditional({
        Key: { job_id: id },
        ConditionExpression: `job_status = :completed AND ${from === null ? "attribute_not_exists(s3_key_rows_file)" : "s3_key_rows_file = :from"}`,
        UpdateExpression: "SET s3_key_rows_file = :to",
        ExpressionAttributeValues: { ":completed": "COMPLETED", ":to": to, ...(from === null ? {} : { ":from": from }) },
      });
      return item !== null;
    },

    async markDeleted(id) {
      // attribute_exists: an UpdateItem would otherwise create an item for an absent id.
      try {
        const r = await doc.send(
          new UpdateCommand({
            TableName,
            Key: { job_id: id },
            ConditionExpression: "attribute_exists(job_id)",
            UpdateExpression: "SET deleted_at = if_not_exists(deleted_at, :now)",
            ExpressionAttributeValues: { ":now": toEpochSeconds(new Date()) },
            ReturnValues: "ALL_NEW",
          }),
        );
        return toJob(r.Attributes as JobItem);
      } catch (err) {
        if (conditionFailed(err)) return null;
        throw err;
      }
    },

    async delete(id) {
      const r = await doc.send(new DeleteCommand({ TableName, Key: { job_id: id }, ReturnValues: "ALL_OLD" }));
      const was = (r.Attributes as JobItem | undefined)?.job_status;
      if (was) await count(id, { [was]: -1 });
      return r.Attributes !== undefined;
    },

    async fail(id, token, reason) {
      const item = await conditional({
        Key: { job_id: id },
        ConditionExpression: token ? held : "job_status IN (:pending, :running)",
        UpdateExpression: "SET job_status = :failed, complete_time = :nowSeconds, failure_reason = :reason REMOVE claim_expires_at",
        ExpressionAttributeValues: {
          ":running": "RUNNING",
          ":failed": "FAILED",
          ":nowSeconds": toEpochSeconds(new Date()),
          ":reason": reason,
          ...(token ? { ":token": token } : { ":pending": "PENDING" }),
        },
        // The item as it was: without a token the job may have been PENDING or RUNNING.
        ReturnValues: "ALL_OLD",
      });
      if (item) await count(id, { [item.job_status]: -1, FAILED: 1 });
      return item !== null;
    },
  };
}

/**
 * Set the status counters to a count of the table's jobs (`gas aws recount-jobs`): once for a
 * table holding jobs from before counters, or after a crash left them off. One Scan reading only
 * job_status, then every shard rewritten (shard 0 holds the totals). Status changes made while it
 * scans may be missed or counted twice: run it when the service is quiet.
 */
export async function recountJobStatuses(dynamodb: DynamoDBClient, table: string): Promise<Record<JobStatus, number>> {
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const counts = Object.fromEntries(JOB_STATUSES.map((st) => [st, 0])) as Record<JobStatus, number>;
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new ScanCommand({ TableName: table, ProjectionExpression: "job_id, job_status", ExclusiveStartKey: start }));
    for (const item of r.Items ?? []) {
      if (String(item.job_id).startsWith(COUNTER_PREFIX)) continue;
      const st = item.job_status as JobStatus;
      if (st in counts) counts[st] += 1;
    }
    start = r.LastEvaluatedKey;
  } while (start);
  for (let shard = 0; shard < COUNTER_SHARDS; shard++) {
    const values = shard === 0 ? counts : Object.fromEntries(JOB_STATUSES.map((st) => [st, 0]));
    await doc.send(new PutCommand({ TableName: table, Item: { ...counterKey(shard), ...values } }));
  }
  return counts;
}
