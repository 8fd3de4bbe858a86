/** Messages between the web role and its results query threads (query-threads.ts, query-thread-main.ts). */
import type { SetRequest } from "./export-pages.ts";
import type { QueryMethod } from "./store-queries.ts";

export type WorkbookView = "variants" | "transcripts";

export type ToQueryThread =
  | { type: "query"; id: number; path: string; method: QueryMethod; args: unknown[] }
  /** Convert an old job's `.annot.json` at `jsonPath` into a store at `storePath` (legacy-json-import.ts). */
  | { type: "convert"; id: number; jsonPath: string; storePath: string }
  /** Start an Excel workbook of the filtered set (xlsx-export.ts); answers a session number. */
  | { type: "workbook-open"; id: number; path: string; view: WorkbookView; req: SetRequest }
  /** The session's next chunk of the workbook (a Uint8Array), or null at its end. */
  | { type: "workbook-next"; id: number; session: number }
  /** The client went away: stop the session (no answer). */
  | { type: "workbook-close"; session: number }
  /** The cache deleted this file: close its handle. */
  | { type: "forget"; path: string };

export type FromQueryThread =
  | { id: number; ok: true; value: unknown }
  /** `queryError`: the caller's input was wrong (ResultsQueryError), a 400; otherwise a failure. */
  | { id: number; ok: false; message: string; queryError: boolean };
