/**
 * The calls a JobResults forwards to a results store, by name, so that one protocol serves the
 * in-process runner (tests, the CLI) and the worker threads of the web role (query-threads.ts):
 * the method names are the message, the arguments and answers are structured-cloneable.
 */
import { importLegacyJson } from "./legacy-json-import.ts";
import { effectTsvPage, recordPage, variantTsvHeader, variantTsvPage } from "./export-pages.ts";
import type { SetRequest } from "./export-pages.ts";
import { variantColumns } from "./exports/variant-columns.ts";
import type { WorkbookView } from "./query-thread-protocol.ts";
import { type PageRequest, ResultsStore } from "./results-store.ts";

/**
 * Every call a results store answers across the thread boundary: ResultsStore's queries, and the
 * export pages made beside the store (export-pages.ts).
 */
const CALLS = {
  summary: (s: ResultsStore) => s.summary(),
  count: (s: ResultsStore, ...a: Parameters<ResultsStore["count"]>) => s.count(...a),
  page: (s: ResultsStore, ...a: Parameters<ResultsStore["page"]>) => s.page(...a),
  transcriptPage: (s: ResultsStore, ...a: Parameters<ResultsStore["transcriptPage"]>) => s.transcriptPage(...a),
  variant: (s: ResultsStore, ...a: Parameters<ResultsStore["variant"]>) => s.variant(...a),
  transcripts: (s: ResultsStore, ...a: Parameters<ResultsStore["transcripts"]>) => s.transcripts(...a),
  issues: (s: ResultsStore, ...a: Parameters<ResultsStore["issues"]>) => s.issues(...a),
  variantTsvHeader,
  variantTsvPage,
  effectTsvPage,
  recordPage,
};
type Calls = typeof CALLS;
export type QueryMethod = keyof Calls;
export const QUERY_METHODS = Object.keys(CALLS) as QueryMethod[];
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;
export type QueryArgs<K extends QueryMethod> = Tail<Parameters<Calls[K]>>;
export type QueryAnswer<K extends QueryMethod> = ReturnType<Calls[K]>;

/** Runs one store query; rejects with ResultsQueryError when the caller's input was wrong. */
export interface StoreQueries {
  run<K extends QueryMethod>(path: string, method: K, args: QueryArgs<K>): Promise<QueryAnswer<K>>;
  /** Convert an old job's `.annot.json` into a results store file (legacy-json-import.ts); minutes for a large one. */
  convert(jsonPath: string, storePath: string): Promise<void>;
  /**
   * The filtered set as an Excel workbook, written where the queries run (exceljs is CPU-heavy);
   * chunks as the caller pulls them. Ending the iteration early stops the writer.
   */
  workbook(path: string, view: WorkbookView, req: SetRequest): AsyncGenerator<Uint8Array>;
  /** Close any handle on `path` (the cache deleted the file). */
  forget(path: string): void;
  close(): Promise<void>;
}

/**
 * Open stores by path, most recently used last. Opening costs a file open and the format check;
 * 8 handles of 8 MiB page cache each bound the memory.
 */
export function createOpenStores(max = 8) {
  const open = new Map<string, ResultsStore>();
  return {
    get(path: string): ResultsStore {
      let store = open.get(path);
      if (store) open.delete(path);
      else store = ResultsStore.open(path);
      open.set(path, store);
      while (open.size > max) {
        const [oldest, s] = open.entries().next().value!;
        open.delete(oldest);
        s.close();
      }
      return store;
    },
    close(path: string) {
      open.get(path)?.close();
      open.delete(path);
    },
    closeAll() {
      for (const s of open.values()) s.close();
      open.clear();
    },
  };
}

/** Answers one call on an open store (shared by both runners). */
export function answer<K extends QueryMethod>(store: ResultsStore, method: K, args: QueryArgs<K>): QueryAnswer<K> {
  if (!Object.hasOwn(CALLS, method)) throw new Error(`unknown results query ${String(method)}`);
  return (CALLS[method] as (s: ResultsStore, ...a: unknown[]) => QueryAnswer<K>)(store, ...args);
}

/**
 * Queries on the caller's thread: for tests and tools only. The web role never uses it, because a
 * query over a million-row store can take long enough to stall every other request.
 */
export function createInProcessQueries(): StoreQueries {
  const stores = createOpenStores();
  return {
    async run(path, method, args) {
      return answer(stores.get(path), method, args);
    },
    async convert(jsonPath, storePath) {
      await importLegacyJson(jsonPath, storePath);
    },
    async *workbook(path, view, req) {
      // Loaded on demand: exceljs and its zip writer are megabytes of code the web role's main thread never needs.
      const { transcriptXlsx, variantXlsx } = await import("./exports/xlsx-export.ts");
      const store = stores.get(path);
      const results = {
        page: async (r?: PageRequest) => store.page(r),
        transcriptPage: async (r?: PageRequest) => store.transcriptPage(r),
      };
      yield* view === "transcripts"
        ? transcriptXlsx(results, req)
        : variantXlsx(results, req, variantColumns(store.summary().populations ?? []));
    },
    forget(path) {
      stores.close(path);
    },
    async close() {
      stores.closeAll();
    },
  };
}
