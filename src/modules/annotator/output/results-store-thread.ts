/**
 * The results store's own thread: applies the chunks the writer encodes on the engine's thread
 * (results-store-writer.ts) to the SQLite file, so that SQLite's B-tree work runs beside the
 * annotation instead of inside it. Messages are handled in order; after an error every later
 * message answers that error.
 */
import { createHeapTrimmer } from "../heap-trimmer.ts";
import { openStoreDatabase, type StoreDatabase } from "./results-store-database.ts";

declare const self: Worker;

export type ToStoreThread =
  | { type: "open"; tmp: string; populations: string[]; samples: string[]; indexes: boolean }
  | { type: "chunk"; text: string }
  | { type: "commit"; summary: [string, string][]; meta: [string, string][]; path: string }
  | { type: "abort" };

export type FromStoreThread = { type: "applied" } | { type: "committed" } | { type: "aborted" } | { type: "error"; message: string };

let db: StoreDatabase | null = null;
let failed: string | null = null;
// Each chunk is a string of 1-2 MB that is garbage once applied; like the engine's threads, this
// one collects every 32 MB so that its heap does not creep up with the input (heap-trimmer.ts).
const trimmer = createHeapTrimmer();

self.onmessage = (event: MessageEvent<ToStoreThread>) => {
  const msg = event.data;
  if (msg.type === "abort") {
    db?.abort();
    db = null;
    self.postMessage({ type: "aborted" } satisfies FromStoreThread);
    return;
  }
  if (failed !== null) {
    self.postMessage({ type: "error", message: failed } satisfies FromStoreThread);
    return;
  }
  try {
    if (msg.type === "open") {
      db = openStoreDatabase(msg.tmp, { populations: msg.populations, samples: msg.samples, indexes: msg.indexes });
    } else if (msg.type === "chunk") {
      db!.apply(msg.text.split("\n"));
      trimmer.note(msg.text.length);
      self.postMessage({ type: "applied" } satisfies FromStoreThread);
    } else {
      db!.commit(msg.summary, msg.meta, msg.path);
      db = null;
      self.postMessage({ type: "committed" } satisfies FromStoreThread);
    }
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
    self.postMessage({ type: "error", message: failed } satisfies FromStoreThread);
  }
};
