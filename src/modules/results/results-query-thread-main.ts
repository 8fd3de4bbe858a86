/**
 * A results query thread: opens stores read-only (by local path, as the StoreCache gives them) and
 * answers one call at a time. Synchronous bun:sqlite here is the point: a query over a million-row
 * store runs for as long as it needs without stalling the web role's event loop.
 */
import { answer, createOpenStores, type QueryMethod } from "./store-queries.ts";
import { importLegacyJson } from "./legacy-json-import.ts";
import { ResultsQueryError } from "./results-store.ts";
import type { FromQueryThread, ToQueryThread } from "./query-thread-protocol.ts";

declare const self: Worker;

const stores = createOpenStores();

self.onmessage = async (e: MessageEvent<ToQueryThread>) => {
  const msg = e.data;
  if (msg.type === "forget") {
    stores.close(msg.path);
    return;
  }
  if (msg.type === "convert") {
    // The caller sends nothing else to this thread until it answers (one call per thread at a time).
    let done: FromQueryThread;
    try {
      await importLegacyJson(msg.jsonPath, msg.storePath);
      done = { id: msg.id, ok: true, value: null };
    } catch (err) {
      done = { id: msg.id, ok: false, message: (err as Error).message, queryError: false };
    }
    self.postMessage(done);
    return;
  }
  let reply: FromQueryThread;
  try {
    const value = answer(stores.get(msg.path), msg.method as QueryMethod, msg.args as never);
    reply = { id: msg.id, ok: true, value };
  } catch (err) {
    reply = { id: msg.id, ok: false, message: (err as Error).message, queryError: err instanceof ResultsQueryError };
  }
  self.postMessage(reply);
};
