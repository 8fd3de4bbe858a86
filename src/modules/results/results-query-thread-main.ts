/**
 * A results query thread: opens stores read-only (by local path, as the StoreCache gives them) and
 * answers one call at a time. Synchronous bun:sqlite here is the point: a query over a million-row
 * store runs for as long as it needs without stalling the web role's event loop.
 */
import { answer, createOpenStores, type QueryMethod } from "./store-queries.ts";
import { importLegacyJson } from "./legacy-json-import.ts";
import { collectAfterPage } from "./page-collections.ts";
import type { SetRequest } from "./export-pages.ts";
import { variantColumns } from "./exports/variant-columns.ts";
import type { FromQueryThread, ToQueryThread, WorkbookView } from "./query-thread-protocol.ts";
import { type PageRequest, ResultsQueryError, ResultsStore } from "./results-store.ts";

declare const self: Worker;

const stores = createOpenStores();

/**
 * Excel exports being written here: exceljs's writer is CPU-heavy (~4k rows/s on a loaded 2-core
 * box), so it runs beside the store, off the web role's event loop. Each has its own store handle
 * (the shared ones may be closed by their LRU while it runs).
 */
const workbooks = new Map<number, AsyncGenerator<Uint8Array>>();
let nextSession = 0;

async function openWorkbook(path: string, view: WorkbookView, req: SetRequest): Promise<number> {
  // Loaded with the first export: exceljs is megabytes of code a thread that only queries never needs.
  const { transcriptXlsx, variantXlsx } = await import("./exports/xlsx-export.ts");
  const store = ResultsStore.open(path);
  const results = { page: async (r?: PageRequest) => store.page(r), transcriptPage: async (r?: PageRequest) => store.transcriptPage(r) };
  const chunks =
    view === "transcripts" ? transcriptXlsx(results, req) : variantXlsx(results, req, variantColumns(store.summary().populations ?? []));
  const session = nextSession++;
  workbooks.set(
    session,
    (async function* () {
      try {
        yield* chunks;
      } finally {
        workbooks.delete(session);
        await chunks.return(undefined);
        store.close();
      }
    })(),
  );
  return session;
}

async function nextChunk(session: number): Promise<Uint8Array | null> {
  const workbook = workbooks.get(session);
  if (!workbook) throw new Error(`no Excel export ${session} on this thread`);
  const { value, done } = await workbook.next();
  return done ? null : value;
}

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
  if (msg.type === "workbook-close") {
    void workbooks.get(msg.session)?.return(undefined);
    return;
  }
  if (msg.type === "workbook-open" || msg.type === "workbook-next") {
    let done: FromQueryThread;
    try {
      done = {
        id: msg.id,
        ok: true,
        value: msg.type === "workbook-open" ? await openWorkbook(msg.path, msg.view, msg.req) : await nextChunk(msg.session),
      };
    } catch (err) {
      done = { id: msg.id, ok: false, message: (err as Error).message, queryError: err instanceof ResultsQueryError };
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
  collectAfterPage();
};
