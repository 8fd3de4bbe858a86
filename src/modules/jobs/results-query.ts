/**
 * The results browser's data: the engine's `.annot.json` (format `gas-annotations/1`: one row per
 * variant × feature, see src/modules/annotator/output/browse-rows.ts) filtered, sorted and paged
 * on the server, so the page works without JavaScript. Parsed files are kept in a small cache:
 * paging and filtering the same job do not parse it again.
 */
import { z } from "zod";
import { AppError } from "../../shared/errors.ts";
import { queryField } from "../../web/validate.ts";
import type { BrowseRow } from "../annotator/index.ts";

/** The columns of a row the browser shows (the file has more; they are ignored). */
export type ResultRow = Pick<
  BrowseRow,
  | "line"
  | "chrom"
  | "pos"
  | "id"
  | "ref"
  | "alt"
  | "consequence"
  | "impact"
  | "gene"
  | "geneId"
  | "feature"
  | "biotype"
  | "hgvsC"
  | "hgvsP"
  | "known"
  | "af"
>;

export interface ResultSet {
  rows: ResultRow[];
  reference: string;
  /** Rows per consequence term (a row with `a&b` counts for both) and per impact. */
  consequences: Map<string, number>;
  impacts: Map<string, number>;
}

export const SORT_KEYS = ["pos", "gene", "consequence", "impact", "af", "id"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const IMPACTS = ["HIGH", "MODERATE", "LOW", "MODIFIER"] as const;
export const PAGE_SIZES = [25, 50, 100] as const;

export interface ResultFilter {
  gene: string;
  consequence: string;
  impact: string;
  known: "all" | "known" | "novel";
  q: string;
  sort: SortKey;
  dir: "asc" | "desc";
  page: number;
  size: number;
}

export interface ResultPage {
  rows: ResultRow[];
  total: number;
  matched: number;
  page: number;
  pages: number;
  filter: ResultFilter;
}

const text = (max: number) => queryField.transform((v) => (v ?? "").trim().slice(0, max));
const oneOf = <T extends string>(values: readonly T[], fallback: T) =>
  queryField.transform((v): T => values.find((x) => x === v) ?? fallback);

/** The filter as query parameters (`?gene=&impact=&sort=…`); anything unknown falls back to the default, never a 400. */
export const ResultFilterQuery = z.object({
  gene: text(100),
  consequence: text(100),
  impact: oneOf(IMPACTS, "" as const),
  known: oneOf(["all", "known", "novel"], "all"),
  q: text(200),
  sort: oneOf(SORT_KEYS, "pos"),
  dir: oneOf(["asc", "desc"], "asc"),
  page: queryField.transform((v) => {
    const page = Number.parseInt(v ?? "", 10);
    return Number.isFinite(page) && page > 0 ? page : 1;
  }),
  size: queryField.transform((v) => PAGE_SIZES.find((n) => n === Number(v ?? "")) ?? 50),
}) satisfies z.ZodType<ResultFilter>;

/** Chromosomes in karyotype order (1…22, X, Y, MT), then anything else by name. */
function chromRank(chrom: string): number {
  const c = chrom.replace(/^chr/i, "").toUpperCase();
  if (/^\d+$/.test(c)) return Number(c);
  return ({ X: 23, Y: 24, M: 25, MT: 25 } as Record<string, number>)[c] ?? 100;
}

const IMPACT_RANK: Record<string, number> = { HIGH: 0, MODERATE: 1, LOW: 2, MODIFIER: 3 };

function comparator(key: SortKey): (a: ResultRow, b: ResultRow) => number {
  const byPos = (a: ResultRow, b: ResultRow) =>
    chromRank(a.chrom) - chromRank(b.chrom) || (a.chrom < b.chrom ? -1 : a.chrom > b.chrom ? 1 : 0) || a.pos - b.pos || a.line - b.line;
  const text = (f: (r: ResultRow) => string) => (a: ResultRow, b: ResultRow) => f(a).localeCompare(f(b)) || byPos(a, b);
  switch (key) {
    case "pos":
      return byPos;
    case "gene":
      return text((r) => r.gene);
    case "consequence":
      return text((r) => r.consequence);
    case "id":
      return text((r) => r.id);
    case "impact":
      return (a, b) => (IMPACT_RANK[a.impact] ?? 9) - (IMPACT_RANK[b.impact] ?? 9) || byPos(a, b);
    case "af": {
      // Missing frequencies sort last in both directions' natural reading: treat as -1.
      const af = (r: ResultRow) => (r.af === "" || r.af === "." ? -1 : Number(r.af.split(",")[0]) || 0);
      return (a, b) => af(a) - af(b) || byPos(a, b);
    }
  }
}

/** Apply a filter to a parsed result set. */
export function queryResults(set: ResultSet, f: ResultFilter): ResultPage {
  const gene = f.gene.toLowerCase();
  const q = f.q.toLowerCase();
  const matched = set.rows.filter((r) => {
    if (gene && r.gene.toLowerCase() !== gene && r.geneId.toLowerCase() !== gene) return false;
    if (f.consequence && !r.consequence.split("&").includes(f.consequence)) return false;
    if (f.impact && r.impact !== f.impact) return false;
    if (f.known === "known" && !r.known) return false;
    if (f.known === "novel" && r.known) return false;
    if (q) {
      const hay =
        `${r.chrom}:${r.pos} ${r.id} ${r.ref}>${r.alt} ${r.gene} ${r.geneId} ${r.feature} ${r.hgvsC} ${r.hgvsP} ${r.consequence}`.toLowerCase();
      if (!hay.includes(q)) return false;
    }
    return true;
  });
  const cmp = comparator(f.sort);
  matched.sort(f.dir === "desc" ? (a, b) => cmp(b, a) : cmp);
  const pages = Math.max(1, Math.ceil(matched.length / f.size));
  const page = Math.min(f.page, pages);
  return {
    rows: matched.slice((page - 1) * f.size, page * f.size),
    total: set.rows.length,
    matched: matched.length,
    page,
    pages,
    filter: { ...f, page },
  };
}

const s = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

/** Parse the engine's JSON output; `name` is used in error messages. */
export function parseResultJson(text: string, name: string): ResultSet {
  let doc: { format?: unknown; reference?: unknown; rows?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new AppError("UNAVAILABLE", `${name}: the results file is not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc.format !== "string" || !doc.format.startsWith("gas-annotations/") || !Array.isArray(doc.rows)) {
    throw new AppError("UNAVAILABLE", `${name}: not a gas-annotations results file`);
  }
  const consequences = new Map<string, number>();
  const impacts = new Map<string, number>();
  const rows = (doc.rows as Record<string, unknown>[]).map((r): ResultRow => {
    const row = {
      line: Number(r.line) || 0,
      chrom: s(r.chrom),
      pos: Number(r.pos) || 0,
      id: s(r.id),
      ref: s(r.ref),
      alt: s(r.alt),
      consequence: s(r.consequence),
      impact: s(r.impact),
      gene: s(r.gene),
      geneId: s(r.geneId),
      feature: s(r.feature),
      biotype: s(r.biotype),
      hgvsC: s(r.hgvsC),
      hgvsP: s(r.hgvsP),
      known: r.known === true,
      af: s(r.af),
    };
    for (const term of row.consequence.split("&")) if (term) consequences.set(term, (consequences.get(term) ?? 0) + 1);
    if (row.impact) impacts.set(row.impact, (impacts.get(row.impact) ?? 0) + 1);
    return row;
  });
  return { rows, reference: s(doc.reference), consequences, impacts };
}

/** A small LRU of parsed result sets, keyed by object key (results never change once written). */
export function createResultCache(maxEntries = 8) {
  const cache = new Map<string, Promise<ResultSet>>();
  return async function load(key: string, read: () => Promise<string>, name: string): Promise<ResultSet> {
    let hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    hit = read().then((text) => parseResultJson(text, name));
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return hit;
  };
}
