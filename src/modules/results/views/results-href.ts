/**
 * URLs of the results browser's states. Every state is a plain GET URL of ResultsQuery parameters,
 * so a filtered, sorted page is bookmarkable, works without JavaScript, and its export link carries
 * exactly the same filter. Defaults are left out to keep URLs short.
 */
import type { ExportFormat, ResultsQuery } from "../results-params.ts";

/** The filter parameters, in the order they appear in a URL. */
const FILTER_KEYS = [
  "gene",
  "consequence",
  "impact",
  "biotype",
  "clin_sig",
  "region",
  "known",
  "af_field",
  "af_min",
  "af_max",
  "pass",
  "sample",
  "gt",
  "canonical",
  "picked",
  "q",
] as const satisfies readonly (keyof ResultsQuery)[];

type Value = ResultsQuery[keyof ResultsQuery];

function put(s: URLSearchParams, key: string, v: Value): void {
  if (v === undefined || v === null || v === "") return;
  if (Array.isArray(v)) {
    // Comma-joined: the schema splits on commas, and no term, gene or class contains one.
    if (v.length) s.set(key, v.join(","));
  } else if (typeof v === "boolean") s.set(key, v ? "1" : "0");
  else s.set(key, String(v));
}

/** The filter part of a query string (what an export must repeat). */
export function filterParams(q: ResultsQuery): URLSearchParams {
  const s = new URLSearchParams();
  for (const k of FILTER_KEYS) put(s, k, q[k]);
  // A genotype class means nothing without its sample.
  if (!q.sample) s.delete("gt");
  return s;
}

/**
 * The page's URL for `q` with `change` applied. Paging (after/before/last) is never carried over:
 * a new filter or sort order starts on the first page; pager links pass their cursor in `change`.
 */
export function resultsHref(base: string, q: ResultsQuery, change: Partial<ResultsQuery> = {}): string {
  const next: ResultsQuery = { ...q, after: undefined, before: undefined, last: undefined, format: undefined, ...change };
  const s = filterParams(next);
  if (next.view && next.view !== "variants") s.set("view", next.view);
  if (next.sort && next.sort !== "position") s.set("sort", next.sort);
  if (next.dir === "desc") s.set("dir", "desc");
  if (next.limit !== undefined && next.limit !== 50) s.set("limit", String(next.limit));
  put(s, "after", next.after);
  put(s, "before", next.before);
  if (next.last) s.set("last", "1");
  const text = s.toString();
  return text ? `${base}?${text}` : base;
}

/** The rows API's URL for exactly the filtered set of `q`, in its view and sort order, as `format`. */
export function exportHref(rowsBase: string, q: ResultsQuery, format: ExportFormat): string {
  const s = filterParams(q);
  if (q.view === "transcripts") s.set("view", "transcripts");
  if (q.sort && q.sort !== "position") s.set("sort", q.sort);
  if (q.dir === "desc") s.set("dir", "desc");
  s.set("format", format);
  return `${rowsBase}?${s.toString()}`;
}

/** True when any filter parameter is set (the count then reads "N of M"). */
export function isFiltered(q: ResultsQuery): boolean {
  return filterParams(q).size > 0;
}
