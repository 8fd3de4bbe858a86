/**
 * What the results page shows for one request: the query (validated, with the fields that failed
 * named instead of a 500), the summary, the total and matching counts, one page of variants or of
 * effects, and the records the engine skipped. Every figure comes from JobResults, whose queries
 * run off the event loop; the page never holds more than one page of rows.
 */
import type { BrowseRow } from "../annotator/index.ts";
import type { JobSummary } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { JobResults } from "./job-results.ts";
import { ResultsQuery, toFilter, toPageRequest } from "./results-params.ts";
import type { StoreSummary, VariantPage } from "./results-store.ts";
import { isFiltered } from "./views/results-href.ts";
import { type RecordIssue, issuesFromWarnings } from "./views/record-issues.tsx";

/** Raw query parameters as the request carries them (a repeated one as an array). */
export type RawQuery = Record<string, string | string[]>;

export interface EffectPage {
  rows: BrowseRow[];
  next: string | null;
  prev: string | null;
}

export interface ResultsView {
  q: ResultsQuery;
  /** The typed text of fields that failed validation (the form shows it back). */
  raw: Record<string, string>;
  /** Why the filter was not applied, naming the field; null when it was. */
  error: string | null;
  summary: StoreSummary;
  /** Variants in the job, and those the filter matches (null when it could not be applied). */
  total: number;
  matched: number | null;
  variants: VariantPage | null;
  /** The per-transcript view's page. */
  effects: EffectPage | null;
  issues: RecordIssue[];
  issuesTotal: number;
}

/** Records listed on the page at most (the log has every one). */
const MAX_ISSUES = 200;

/** Validates `raw`; fields that fail are dropped (and reported), so the rest of the form survives. */
export function parseResultsQuery(raw: RawQuery): { q: ResultsQuery; error: string | null; bad: Record<string, string> } {
  const first = ResultsQuery.safeParse(raw);
  if (first.success) return { q: first.data, error: null, bad: {} };
  const bad: Record<string, string> = {};
  for (const issue of first.error.issues) {
    const key = String(issue.path[0] ?? "");
    const v = raw[key];
    if (key) bad[key] = Array.isArray(v) ? v.join(",") : (v ?? "");
  }
  const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => !(k in bad)));
  const second = ResultsQuery.safeParse(rest);
  const message = [...new Set(first.error.issues.map((i) => i.message))].join("; ");
  return { q: second.success ? second.data : ResultsQuery.parse({}), error: message, bad };
}

/** Loads everything the page shows. `jobSummary` supplies the skipped records for stores that do not list them. */
export async function loadResultsView(results: JobResults, raw: RawQuery, jobSummary: JobSummary | null): Promise<ResultsView> {
  const parsed = parseResultsQuery(raw);
  const { q } = parsed;
  // Every query is sent at once: the query threads answer them side by side, so the page costs
  // about its slowest query, not their sum.
  const summaryP = results.summary();
  const issuesP = summaryP.then((summary) => loadIssues(results, summary, jobSummary));
  const rowsP = parsed.error ? Promise.resolve(null) : loadRows(results, q, summaryP).catch(refused);
  const [summary, issues, rows] = await Promise.all([summaryP, issuesP, rowsP]);
  return {
    q,
    raw: parsed.bad,
    error: parsed.error ?? (typeof rows === "string" ? rows : null),
    summary,
    total: summary.variants ?? 0,
    matched: null,
    variants: null,
    effects: null,
    ...(rows && typeof rows !== "string" ? rows : {}),
    ...issues,
  };
}

type Rows = Pick<ResultsView, "matched" | "variants" | "effects">;

async function loadRows(results: JobResults, q: ResultsQuery, summaryP: Promise<StoreSummary>): Promise<Rows> {
  const req = toPageRequest(q);
  const matching = isFiltered(q) ? results.count(toFilter(q)) : summaryP.then((s) => s.variants ?? 0);
  if (q.view === "transcripts" && (q.sort ?? "position") === "position") {
    // Pages of `limit` effects in position order, straight from the store.
    const [matched, page] = await Promise.all([matching, results.transcriptPage(req)]);
    return { matched, variants: null, effects: page };
  }
  const [matched, page] = await Promise.all([matching, results.page(req)]);
  if (q.view === "transcripts") return { matched, variants: null, effects: await effectsOf(results, page) };
  return { matched, variants: page, effects: null };
}

/** The store's refusals (an unknown term, a bad region, a cursor of another sort) are the user's input: their message. */
function refused(err: unknown): string {
  if (err instanceof AppError && err.code === "INVALID_INPUT") return err.message;
  throw err;
}

/**
 * The per-transcript view sorted by another column than position (the store's transcriptPage
 * sorts by position only): every effect of a page of variants, in the variants' order, so the
 * variant sorts and cursors apply unchanged.
 */
async function effectsOf(results: JobResults, page: VariantPage): Promise<EffectPage> {
  const lists = await Promise.all(page.rows.map((r) => results.transcripts(r.vid)));
  return { rows: lists.flat(), next: page.next, prev: page.prev };
}

async function loadIssues(
  results: JobResults,
  summary: StoreSummary,
  jobSummary: JobSummary | null,
): Promise<{ issues: RecordIssue[]; issuesTotal: number }> {
  const engine = summary.engine ?? {};
  if (summary.issues) {
    return { issues: await results.issues({ limit: MAX_ISSUES }), issuesTotal: summary.issues.skipped + summary.issues.warnings };
  }
  // A store written before the issues table (format 1): the job summary's first warnings, parsed for their lines.
  const warnings = jobSummary?.warnings ?? (Array.isArray(engine.warnings) ? (engine.warnings as string[]) : []);
  const issues = issuesFromWarnings(warnings).slice(0, MAX_ISSUES);
  return { issues, issuesTotal: Math.max(issues.length, Number(jobSummary?.warningsTotal ?? engine.warningsTotal ?? 0)) };
}
