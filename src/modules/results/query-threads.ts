/**
 * The web role's results queries on worker threads: a FIFO of calls served by `threads` workers,
 * one call per worker at a time, so a slow query delays only the calls queued behind it and never
 * the event loop (/healthz, every other page). A worker that crashes fails only its own call and
 * is replaced; a call that runs past `timeoutMs` has its worker terminated (SQLite cannot be
 * interrupted from outside) and fails as UNAVAILABLE, so a pathological filter cannot hold a
 * thread forever.
 */
import { AppError } from "../../shared/errors.ts";
import type { FromQueryThread, ToQueryThread } from "./query-thread-protocol.ts";
import { ResultsQueryError } from "./results-store.ts";
import type { QueryAnswer, QueryArgs, QueryMethod, StoreQueries } from "./store-queries.ts";

export interface QueryThreadsOptions {
  threads: number;
  /** A call running longer fails and its thread is replaced (default 60 s). */
  timeoutMs?: number;
}

interface Call {
  msg: Extract<ToQueryThread, { id: number }>;
  timeoutMs: number;
  /** Only this thread can answer (an Excel export's session lives on it). */
  pin?: Slot;
  resolve(v: unknown, slot: Slot): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  call: Call | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A 1M-variant job's JSON is ~1.2 GB; converting it streams at tens of MB/s. */
const CONVERT_TIMEOUT_MS = 30 * 60_000;

// Named as its copy at the compiled binary's root (src/results-query-thread-main.ts): inside the
// binary this URL resolves there, under `bun src/main.ts` to the module itself.
const spawn = () => new Worker(new URL("./results-query-thread-main.ts", import.meta.url).href, { smol: true });

export function createThreadQueries(opts: QueryThreadsOptions): StoreQueries {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const queue: Call[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  function start(): Slot {
    const slot: Slot = { worker: spawn(), call: null, timer: null };
    slot.worker.onmessage = (e: MessageEvent<FromQueryThread>) => {
      const call = slot.call;
      if (!call || call.msg.id !== e.data.id) return;
      finish(slot);
      const reply = e.data;
      if (reply.ok) call.resolve(reply.value, slot);
      else call.reject(reply.queryError ? new ResultsQueryError(reply.message) : new Error(reply.message));
      pump();
    };
    slot.worker.onerror = (e) => replace(slot, new Error(`results query thread crashed: ${e.message}`));
    // Idle threads must not keep the process alive (tests, CLI); a running call holds its own timer.
    (slot.worker as Worker & { unref(): void }).unref();
    return slot;
  }

  function finish(slot: Slot) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.call = null;
  }

  function replace(slot: Slot, err: Error) {
    const call = slot.call;
    finish(slot);
    slot.worker.terminate();
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    call?.reject(err);
    // Calls pinned to the dead thread cannot be answered by another.
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.pin === slot) queue.splice(i, 1)[0]!.reject(err);
    pump();
  }

  function pump() {
    if (closed) return;
    for (let i = 0; i < queue.length; ) {
      const call = queue[i]!;
      let slot = call.pin ?? slots.find((s) => s.call === null);
      if (!slot && slots.length < opts.threads) {
        slot = start();
        slots.push(slot);
      }
      // A pinned call waits for its thread; unpinned calls behind it may go to others.
      if (!slot || slot.call !== null) {
        if (!call.pin) return;
        i++;
        continue;
      }
      queue.splice(i, 1);
      const running = slot;
      running.call = call;
      running.timer = setTimeout(
        () =>
          replace(
            running,
            new AppError(
              "UNAVAILABLE",
              call.msg.type === "convert"
                ? `Converting this job's old results took longer than ${Math.round(call.timeoutMs / 60_000)} minutes and was stopped`
                : `This results query took longer than ${Math.round(call.timeoutMs / 1000)} s and was stopped; narrow the filter`,
            ),
          ),
        call.timeoutMs,
      );
      running.worker.postMessage(call.msg satisfies ToQueryThread);
    }
  }

  /** Queue a call; resolves with the answer and the thread that gave it. */
  function send(msg: Call["msg"], callTimeoutMs: number, pin?: Slot): Promise<{ value: unknown; slot: Slot }> {
    if (closed) return Promise.reject(new AppError("UNAVAILABLE", "The results service is shutting down"));
    return new Promise((resolve, reject) => {
      queue.push({ msg, timeoutMs: callTimeoutMs, pin, resolve: (value, slot) => resolve({ value, slot }), reject });
      pump();
    });
  }

  return {
    async run<K extends QueryMethod>(path: string, method: K, args: QueryArgs<K>): Promise<QueryAnswer<K>> {
      const { value } = await send({ type: "query", id: nextId++, path, method, args: args as unknown[] }, timeoutMs);
      return value as QueryAnswer<K>;
    },
    async convert(jsonPath, storePath) {
      await send({ type: "convert", id: nextId++, jsonPath, storePath }, CONVERT_TIMEOUT_MS);
    },
    async *workbook(path, view, req) {
      const opened = await send({ type: "workbook-open", id: nextId++, path, view, req }, timeoutMs);
      const session = opened.value as number;
      let finished = false;
      try {
        for (;;) {
          // Each chunk is a call: a page of rows written and zipped, well within the query timeout.
          const { value } = await send({ type: "workbook-next", id: nextId++, session }, timeoutMs, opened.slot);
          if (value === null) break;
          yield value as Uint8Array;
        }
        finished = true;
      } finally {
        if (!finished && slots.includes(opened.slot))
          opened.slot.worker.postMessage({ type: "workbook-close", session } satisfies ToQueryThread);
      }
    },
    forget(path) {
      for (const s of slots) s.worker.postMessage({ type: "forget", path } satisfies ToQueryThread);
    },
    async close() {
      closed = true;
      const stopping = new AppError("UNAVAILABLE", "The results service is shutting down");
      for (const c of queue.splice(0)) c.reject(stopping);
      for (const s of slots.splice(0)) {
        s.call?.reject(stopping);
        finish(s);
        await s.worker.terminate();
      }
    },
  };
}
