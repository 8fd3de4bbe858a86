/**
 * Why not pg-boss 12 (issue 18; measured 2026-12-02 with pg-boss 12.38.0 behind these ports: a
 * candidate adapter run against the unchanged queueContract, and a benchmark, both since removed).
 * - It fails "extend keeps the lease" on PGlite and on PostgreSQL: a claim's expiry (started_on +
 *   expireInSeconds) cannot be moved, and touch() renews only a heartbeat, which must be >= 10 s
 *   (the contract's lease is 1 s) and renews by the queue's heartbeatSeconds, not by `seconds`.
 * - The other 12 tests, createAndAnnounce and a 30-day delay passed, but only around pg-boss: it
 *   finds lapsed leases only in supervisor passes (>= 1 s apart), so receive had to call
 *   supervise(); fail() takes no delay (fail + update(startAfter) in a transaction); its counts are
 *   cached up to a minute (counts() read pgboss.job); publish() looks subscribers up outside the
 *   caller's transaction (a deadlock on PGlite's one connection); fromDrizzle on postgres.js cannot
 *   bind fail()'s jsonb output. It adds the `pg` driver, its own pool and 47 relations.
 * - Speed decides nothing: 1000 messages, 2 consumers (receive max 1, ack), medians of 3 at load
 *   average ~2 on 2 cores: PGlite 378 msg/s here, 346 pg-boss (0.92); PostgreSQL 685, 651 (0.95).
 */
/**
 * Topic and queues on PostgreSQL (PGlite or a real server), in one table:
 * - receive leases rows with `FOR UPDATE SKIP LOCKED`, so concurrent workers never get the same
 *   message, and moves `visible_at` forward by the visibility timeout (SQS semantics);
 * - `receipt` changes on each delivery, so a worker whose lease lapsed cannot ack or extend;
 * - retries back off exponentially; after `maxAttempts` deliveries a message moves to
 *   `<queue>.dlq`;
 * - publishers NOTIFY `gas_queue` with the queue name, so idle receivers wake at once instead of
 *   waiting for their next poll (the poll remains as a safety net and for delayed messages).
 */
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { type Database, notify } from "../../db/open-database.ts";
import { queueMessages } from "../../db/schema.ts";
import {
  type Delivery,
  type Queue,
  QUEUE_SUBSCRIPTIONS,
  type ReceiveOptions,
  type Topic,
  type TopicName,
  deadLetterQueueName,
} from "../../ports/queue.ts";

export interface PgQueueOptions {
  visibilitySeconds: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  pollMs: number;
  /** Topic → queues; defaults to the app's QUEUE_SUBSCRIPTIONS. */
  subscriptions?: Record<string, readonly string[]>;
}

const CHANNEL = "gas_queue";
const MAX_BACKOFF_SECONDS = 900;

/** Publishing in the same statement as another write on the queue's database. */
export interface PgOutbox {
  /**
   * Run `write` (an INSERT/UPDATE … RETURNING with `$1…$n` parameters) and publish `message` on
   * `topic` once per row it returns, in one prepared statement: both happen or neither. Returns
   * the number of rows written. Keep `write.text` constant (it is part of the statement's text).
   */
  writeAndPublish(write: { text: string; params: unknown[] }, topic: TopicName, message: unknown): Promise<number>;
}

export interface PgMessaging {
  topic: Topic;
  queue<M = unknown>(name: string): Queue<M>;
  outbox: PgOutbox;
  close(): Promise<void>;
}

/** Create the topic and a queue factory sharing one LISTEN connection. */
export function createPgMessaging(database: Database, opts: PgQueueOptions): PgMessaging {
  const { db } = database;
  const waiters = new Map<string, Set<() => void>>();
  let unlisten: Promise<() => Promise<void>> | null = null;
  const wake = (queue: string) => {
    for (const w of waiters.get(queue) ?? []) w();
  };
  const ensureListening = () => {
    unlisten ??= database.listen(CHANNEL, wake);
    return unlisten;
  };

  const subscriptions: Record<string, readonly string[]> = opts.subscriptions ?? invert(QUEUE_SUBSCRIPTIONS);

  /**
   * Insert one copy of `body` per queue and NOTIFY each queue in one prepared statement: one round
   * trip, one implicit transaction (the notification goes out only once the rows are committed).
   * The text depends only on the number of queues.
   */
  async function enqueue(queues: readonly string[], body: unknown, delaySeconds = 0) {
    if (queues.length === 0) return;
    await database.prepared(enqueueSql(queues.length), [JSON.stringify(body), delaySeconds, ...queues]);
  }

  /** Wait until a NOTIFY for `queue`, `ms` elapse, or `signal` aborts. Registered before the caller queries. */
  function wakeup(queue: string, signal?: AbortSignal) {
    let done!: () => void;
    const promise = new Promise<void>((r) => (done = r));
    const set = waiters.get(queue) ?? new Set();
    waiters.set(queue, set);
    set.add(done);
    signal?.addEventListener("abort", done, { once: true });
    return {
      wait: (ms: number) => {
        const t = setTimeout(done, ms);
        return promise.finally(() => clearTimeout(t));
      },
      cancel: () => {
        set.delete(done);
        signal?.removeEventListener("abort", done);
        done();
      },
    };
  }

  function queue<M>(name: string): Queue<M> {
    const dlq = deadLetterQueueName(name);

    async function moveExhaustedToDlq() {
      const ids = db
        .select({ id: queueMessages.id })
        .from(queueMessages)
        .where(
          and(
            eq(queueMessages.queue, name),
            lte(queueMessages.visibleAt, sql`now()`),
            sql`${queueMessages.receiveCount} >= ${opts.maxAttempts}`,
          ),
        )
        .for("update", { skipLocked: true });
      const moved = await db
        .update(queueMessages)
        .set({ queue: dlq, receiveCount: 0, receipt: null, visibleAt: sql`now()` })
        .where(inArray(queueMessages.id, ids))
        .returning({ id: queueMessages.id });
      if (moved.length > 0) await notify(database, CHANNEL, dlq);
    }

    async function tryReceive(max: number): Promise<Delivery<M>[]> {
      await moveExhaustedToDlq();
      const ids = db
        .select({ id: queueMessages.id })
        .from(queueMessages)
        .where(and(eq(queueMessages.queue, name), lte(queueMessages.visibleAt, sql`now()`)))
        .orderBy(queueMessages.visibleAt, queueMessages.id)
        .limit(max)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(queueMessages)
        .set({
          visibleAt: sql`now() + ${opts.visibilitySeconds} * interval '1 second'`,
          receiveCount: sql`${queueMessages.receiveCount} + 1`,
          receipt: sql`gen_random_uuid()::text`,
        })
        .where(inArray(queueMessages.id, ids))
        .returning();
      return rows
        .sort((a, b) => a.id - b.id)
        .map((r) => ({ id: String(r.id), message: r.body as M, receiveCount: r.receiveCount, receipt: r.receipt! }));
    }

    const held = (d: Delivery<M>) => and(eq(queueMessages.id, Number(d.id)), eq(queueMessages.receipt, d.receipt));

    return {
      name,
      send: (message, o) => enqueue([name], message, o?.delaySeconds ?? 0),
      async receive(o: ReceiveOptions = {}) {
        const max = o.max ?? 1;
        const deadline = Date.now() + (o.waitSeconds ?? 0) * 1000;
        if ((o.waitSeconds ?? 0) > 0) await ensureListening();
        for (;;) {
          const w = wakeup(name, o.signal);
          try {
            const got = await tryReceive(max);
            const left = deadline - Date.now();
            if (got.length > 0 || left <= 0 || o.signal?.aborted) return got;
            await w.wait(Math.min(left, opts.pollMs));
          } finally {
            w.cancel();
          }
        }
      },
      async ack(d) {
        const r = await db.delete(queueMessages).where(held(d)).returning({ id: queueMessages.id });
        return r.length > 0;
      },
      async extend(d, seconds) {
        const r = await db
          .update(queueMessages)
          .set({ visibleAt: sql`now() + ${seconds} * interval '1 second'` })
          .where(held(d))
          .returning({ id: queueMessages.id });
        return r.length > 0;
      },
      async retry(d, o = {}) {
        const exhausted = d.receiveCount >= opts.maxAttempts;
        const delay = o.delaySeconds ?? Math.min(opts.retryBaseSeconds * 2 ** (d.receiveCount - 1), MAX_BACKOFF_SECONDS);
        const r = await db
          .update(queueMessages)
          .set(
            exhausted
              ? { queue: dlq, receiveCount: 0, receipt: null, visibleAt: sql`now()`, lastError: o.error ?? null }
              : { receipt: null, visibleAt: sql`now() + ${delay} * interval '1 second'`, lastError: o.error ?? null },
          )
          .where(held(d))
          .returning({ id: queueMessages.id });
        if (r.length > 0) await notify(database, CHANNEL, exhausted ? dlq : name);
        return r.length > 0;
      },
      async depth() {
        const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(queueMessages).where(eq(queueMessages.queue, name));
        return Number(row?.n ?? 0);
      },
      async counts() {
        // A lapsed lease keeps its receipt but is visible again; a retry's backoff clears the receipt.
        const [row] = await db
          .select({
            visible: sql<number>`count(*) filter (where ${queueMessages.visibleAt} <= now())::int`,
            inFlight: sql<number>`count(*) filter (where ${queueMessages.visibleAt} > now() and ${queueMessages.receipt} is not null)::int`,
            delayed: sql<number>`count(*) filter (where ${queueMessages.visibleAt} > now() and ${queueMessages.receipt} is null)::int`,
          })
          .from(queueMessages)
          .where(eq(queueMessages.queue, name));
        return { visible: Number(row?.visible ?? 0), inFlight: Number(row?.inFlight ?? 0), delayed: Number(row?.delayed ?? 0) };
      },
    };
  }

  return {
    topic: {
      async publish<T extends TopicName>(topic: T, message: unknown, o?: { delaySeconds?: number }) {
        await enqueue(subscriptions[topic] ?? [], message, o?.delaySeconds ?? 0);
      },
    },
    queue,
    outbox: {
      async writeAndPublish(write, topic, message) {
        const queues = subscriptions[topic] ?? [];
        const n = write.params.length;
        const text = outboxSql(write.text, n, queues.length);
        const params = queues.length > 0 ? [...write.params, JSON.stringify(message), ...queues] : write.params;
        const [row] = await database.prepared<{ written: number }>(text, params);
        return Number(row?.written ?? 0);
      },
    },
    async close() {
      for (const set of waiters.values()) for (const w of set) w();
      if (unlisten) await (await unlisten)();
    },
  };
}

const enqueueTexts = new Map<number, string>();
/** `$1` body (JSON text), `$2` delay in seconds, `$3…` queue names. */
function enqueueSql(queueCount: number): string {
  let text = enqueueTexts.get(queueCount);
  if (!text) {
    const names = Array.from({ length: queueCount }, (_, i) => `$${i + 3}::text`).join(", ");
    text = `with inserted as (
        insert into queue_messages (queue, body, visible_at)
        select q, $1::jsonb, now() + $2::float8 * interval '1 second' from unnest(array[${names}]) as q
        returning queue)
      select pg_notify('${CHANNEL}', queue) from (select distinct queue from inserted) as d`;
    enqueueTexts.set(queueCount, text);
  }
  return text;
}

const outboxTexts = new Map<string, string>();
/** `write` as CTE `written`, then one message per written row and queue: `$n+1` body, `$n+2…` queues. */
function outboxSql(write: string, writeParams: number, queueCount: number): string {
  const cacheKey = `${queueCount}\u0000${write}`;
  let text = outboxTexts.get(cacheKey);
  if (!text) {
    const names = Array.from({ length: queueCount }, (_, i) => `$${writeParams + 2 + i}::text`).join(", ");
    text =
      queueCount === 0
        ? `with written as (${write}) select (select count(*) from written)::int as written`
        : `with written as (${write}),
          inserted as (
            insert into queue_messages (queue, body, visible_at)
            select q, $${writeParams + 1}::jsonb, now() from written, unnest(array[${names}]) as q
            returning queue)
          select (select count(*) from written)::int as written,
                 (select count(pg_notify('${CHANNEL}', queue)) from (select distinct queue from inserted) as d)::int as notified`;
    outboxTexts.set(cacheKey, text);
  }
  return text;
}

function invert(subs: Record<string, readonly string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [queue, topics] of Object.entries(subs)) for (const t of topics) (out[t] ??= []).push(queue);
  return out;
}
