/** Messages between the web role and its results query threads (query-threads.ts, query-thread-main.ts). */
import type { QueryMethod } from "./store-queries.ts";

export type ToQueryThread =
  | { type: "query"; id: number; path: string; method: QueryMethod; args: unknown[] }
  /** Convert an old job's `.annot.json` at `jsonPath` into a store at `storePath` (legacy-json-import.ts). */
  | { type: "convert"; id: number; jsonPath: string; storePath: string }
  /** The cache deleted this file: close its handle. */
  | { type: "forget"; path: string };

export type FromQueryThread =
  | { id: number; ok: true; value: unknown }
  /** `queryError`: the caller's input was wrong (ResultsQueryError), a 400; otherwise a failure. */
  | { id: number; ok: false; message: string; queryError: boolean };
