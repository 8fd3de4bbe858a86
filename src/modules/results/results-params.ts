/**
 * The results browser's query parameters, shared by the page (`/annotations/{id}/results`,
 * `/shared/{token}`) and the API (`/annotations/{id}/rows`), so a filtered page's URL and its
 * export's URL carry the same filter. List parameters may repeat (`?impact=HIGH&impact=MODERATE`)
 * or be comma-separated (`?gene=APP,SOD1`); a gene ending in `*` is a prefix (`?gene=KRTAP*`).
 * A value the store does not know (an unknown consequence, a bad region) is a 400 naming it, from
 * ResultsStore (ResultsQueryError); malformed numbers are a 400 here.
 */
import { z } from "zod";
import { queryField } from "../../web/validate.ts";
import {
  CLIN_SIG_CLASSES,
  GENOTYPE_CLASSES,
  type Impact,
  type PageRequest,
  SORT_KEYS,
  type SortKey,
  type VariantFilter,
} from "./results-store.ts";

export const IMPACTS = ["HIGH", "MODERATE", "LOW", "MODIFIER"] as const satisfies readonly Impact[];
/** Rows per page the page offers; the API takes any limit from 1 to 1000. */
export const PAGE_SIZES = [25, 50, 100, 250] as const;
/** `variants`: one row per variant (most severe effect); `transcripts`: one per variant × feature. */
export const VIEWS = ["variants", "transcripts"] as const;
export const EXPORT_FORMATS = ["json", "tsv", "vcf", "xlsx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `a,b` or `?x=a&x=b` → `["a","b"]` (trimmed, empties dropped, at most 200 values of 100 characters). */
const queryList = z.preprocess(
  (v) =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v])
      .flatMap((s) => String(s).split(","))
      .map((s) => s.trim())
      .filter(Boolean),
  z.array(z.string().max(100, "a filter value is longer than 100 characters")).max(200, "a filter has more than 200 values"),
);

const listOf = <T extends string>(values: readonly T[], name: string) =>
  queryList.pipe(z.array(z.enum(values as [T, ...T[]], { error: () => `${name} must be one of ${values.join(", ")}` })));

const number = (name: string, min: number, max: number) =>
  queryField.transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `${name} must be a number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

const text = (max: number) => queryField.transform((v) => v?.trim().slice(0, max) || undefined);
const oneOf = <T extends string>(values: readonly T[]) => queryField.transform((v): T | undefined => values.find((x) => x === v));
/** `1`/`true`/`yes` → true, `0`/`false`/`no` → false, absent → undefined. */
const tristate = queryField.transform((v) => (v === undefined || v === "" ? undefined : ["1", "true", "yes", "pass"].includes(v)));

/** The query string as the browser and the API read it. */
export const ResultsQuery = z.object({
  view: oneOf(VIEWS),
  gene: queryList,
  consequence: queryList,
  impact: listOf(IMPACTS, "impact"),
  biotype: queryList,
  clin_sig: listOf(CLIN_SIG_CLASSES, "clin_sig"),
  region: text(200),
  known: oneOf(["known", "novel"] as const),
  af_min: number("af_min", 0, 1),
  af_max: number("af_max", 0, 1),
  af_field: text(100),
  pass: tristate,
  sample: text(200),
  gt: oneOf(GENOTYPE_CLASSES),
  canonical: tristate,
  picked: tristate,
  q: text(200),
  sort: oneOf(SORT_KEYS),
  dir: oneOf(["asc", "desc"] as const),
  after: text(1000),
  before: text(1000),
  last: tristate,
  limit: number("limit", 1, 1000),
  format: oneOf(EXPORT_FORMATS),
});
export type ResultsQuery = z.infer<typeof ResultsQuery>;

/** The store's filter for a query. */
export function toFilter(q: ResultsQuery): VariantFilter {
  const genes = q.gene.filter((g) => !g.endsWith("*"));
  const prefix = q.gene.find((g) => g.endsWith("*"))?.slice(0, -1);
  const f: VariantFilter = {};
  if (genes.length) f.genes = genes;
  if (prefix) f.genePrefix = prefix;
  if (q.consequence.length) f.consequences = q.consequence;
  if (q.impact.length) f.impacts = q.impact;
  if (q.biotype.length) f.biotypes = q.biotype;
  if (q.clin_sig.length) f.clinSig = q.clin_sig;
  if (q.region) f.region = q.region;
  if (q.known) f.known = q.known === "known";
  if (q.af_min !== undefined) f.afMin = q.af_min;
  if (q.af_max !== undefined) f.afMax = q.af_max;
  if (q.af_field) f.afField = q.af_field;
  if (q.pass !== undefined) f.pass = q.pass;
  if (q.sample) {
    f.sample = q.sample;
    f.genotype = q.gt ?? "non_ref";
  }
  if (q.canonical !== undefined) f.canonical = q.canonical;
  if (q.picked !== undefined) f.picked = q.picked;
  if (q.q) f.text = q.q;
  return f;
}

/** The store's page request for a query; `defaultLimit` when the query names none. */
export function toPageRequest(q: ResultsQuery, defaultLimit = 50): PageRequest {
  const sort: SortKey = q.sort ?? "position";
  return {
    filter: toFilter(q),
    sort,
    descending: q.dir === "desc",
    limit: q.limit ?? defaultLimit,
    ...(q.last ? { last: true } : q.after ? { after: q.after } : q.before ? { before: q.before } : {}),
  };
}
