/**
 * Export pages made where the store is read (a query thread): one keyset page of the filtered set
 * already formatted as TSV text, or as the VCF's record ordinals. Sending the text (one flat string)
 * instead of a thousand row objects saves the web role's event loop the structured clone (16 ms a
 * page, measured) and the formatting (~30 µs a row on a loaded 2-core box).
 */
import { tsvLine } from "../annotator/output/browse-rows.ts";
import { type Cell, variantColumns } from "./exports/variant-columns.ts";
import type { PageRequest, ResultsStore } from "./results-store.ts";

/** Rows per export page: large enough that per-call overhead is small, small enough to keep pages light. */
export const EXPORT_PAGE_ROWS = 1000;

export type SetRequest = Omit<PageRequest, "after" | "before" | "last" | "limit">;

export interface TextPage {
  text: string;
  next: string | null;
}

// TSV cells cannot hold tabs or newlines; input IDs might.
const cell = (v: Cell) => (v === null ? "" : String(v).replace(/[\t\r\n]/g, " "));

/** The per-variant TSV's header line for this store. */
export function variantTsvHeader(store: ResultsStore): string {
  return `#${variantColumns(store.summary().populations ?? [])
    .map((c) => c.header)
    .join("\t")}\n`;
}

/** One page of the per-variant TSV after `after` (the previous page's `next`). */
export function variantTsvPage(store: ResultsStore, req: SetRequest, after: string | null): TextPage {
  const columns = variantColumns(store.summary().populations ?? []);
  const page = store.page({ ...req, limit: EXPORT_PAGE_ROWS, ...(after ? { after } : {}) });
  let text = "";
  for (const r of page.rows) text += `${columns.map((c) => cell(c.value(r))).join("\t")}\n`;
  return { text, next: page.next };
}

/** One page of the per-effect TSV (the engine's `--format tsv` lines). */
export function effectTsvPage(store: ResultsStore, req: SetRequest, after: string | null): TextPage {
  const page = store.transcriptPage({ ...req, limit: EXPORT_PAGE_ROWS, ...(after ? { after } : {}) });
  let text = "";
  for (const r of page.rows) text += tsvLine(r);
  return { text, next: page.next };
}

/**
 * One page of the filtered variants' record ordinals in file order (null for a store converted from
 * an old job's JSON, which never had them).
 */
export function recordPage(
  store: ResultsStore,
  filter: PageRequest["filter"],
  after: string | null,
): { recs: (number | null)[]; next: string | null } {
  const page = store.page({ filter, sort: "position", limit: EXPORT_PAGE_ROWS, ...(after ? { after } : {}) });
  return { recs: page.rows.map((r) => r.rec), next: page.next };
}
