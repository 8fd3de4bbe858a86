/**
 * The results browser for whole genomes: summary charts, a GET form of filters, the count of what
 * matches, exports of exactly that, and one page of variants (or of effects) with keyset paging.
 * Every state is a plain URL, so it all works without JavaScript; results-browser.js fetches
 * #results-browser alone (the `x-gas-fragment` request header) to filter and page without a
 * reload. The page holds one page of rows; everything else comes from the store's summary.
 */
import type { Job } from "../../../ports/job-store.ts";
import { Alert, Layout } from "../../../web/layout.tsx";
import type { PageCtx } from "../../../web/page-context.ts";
import type { ResultsView } from "../../results/results-view.ts";
import type { VariantRow } from "../../results/results-store.ts";
import type { BrowseRow } from "../../annotator/index.ts";
import { EffectTable } from "../../results/views/effect-table.tsx";
import { VariantFacts } from "../../results/views/variant-facts.tsx";
import { RecordIssues } from "../../results/views/record-issues.tsx";
import { ResultsCharts } from "../../results/views/results-charts.tsx";
import { type FilterChoices, ResultsFilters } from "../../results/views/results-filters.tsx";
import { exportHref, isFiltered, resultsHref } from "../../results/views/results-href.ts";
import { ResultsPager } from "../../results/views/results-pager.tsx";
import { ImpactLegend, ensemblHost } from "../../results/views/variant-cells.tsx";
import { VariantTable } from "../../results/views/variant-table.tsx";

/** The request header results-browser.js sends to get #results-browser alone. */
export const FRAGMENT_HEADER = "x-gas-fragment";

/** Where the page's links go: the page itself, the rows API (exports), a variant's page, downloads. */
export interface ResultsLinks {
  base: string;
  rows: string;
  variant: (vid: number) => string;
  result: string;
  log: string;
  back: string | null;
}

function choicesOf(view: ResultsView): FilterChoices {
  const s = view.summary;
  const sorted = (r: Record<string, number> | undefined) =>
    Object.entries(r ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) as [string, number][];
  return {
    consequences: sorted(s.variantsByMostSevere),
    // "(none)" counts intergenic variants (no feature): not a biotype a filter can name.
    biotypes: sorted(s.variantsByBiotype).filter(([b]) => !b.startsWith("(")),
    // Stores written before these facts existed lack them: the form then leaves those filters out.
    populations: s.populations ?? [],
    samples: s.samples ?? [],
    canonical: s.canonicalTagged === true,
    pick: s.pick ?? "none",
    clinSig: s.clinSig ?? {},
  };
}

const n = (x: number) => x.toLocaleString("en-US");

function Exports(p: { view: ResultsView; rows: string }) {
  const q = p.view.q;
  const what = p.view.matched === null ? "" : ` ${isFiltered(q) ? "these" : "all"} ${n(p.view.matched)} variants`;
  return (
    <p class="results-exports" id="results-exports">
      {`Download${what}${q.view === "transcripts" ? " (one row per transcript)" : ""}: `}
      <a href={exportHref(p.rows, q, "tsv")} download>
        TSV
      </a>
      {" · "}
      <a href={exportHref(p.rows, q, "vcf")} download>
        VCF
      </a>
      {" · "}
      <a href={exportHref(p.rows, q, "xlsx")} download>
        Excel
      </a>
      {" · "}
      <a href={exportHref(p.rows, q, "json")}>JSON</a>
    </p>
  );
}

function CountLine(p: { view: ResultsView }) {
  const { matched, total, q } = p.view;
  const text =
    matched === null
      ? `${n(total)} variants; the filter was not applied.`
      : isFiltered(q)
        ? `${n(matched)} of ${n(total)} variants match`
        : `${n(total)} variants`;
  const shown = p.view.variants?.rows.length ?? null;
  const effects = p.view.effects?.rows.length ?? null;
  return (
    <p role="status" id="result-count" class="mb-2">
      <strong>{text}</strong>
      {shown !== null ? ` · ${n(shown)} on this page, one row per variant (its most severe effect)` : ""}
      {effects !== null ? ` · ${n(effects)} transcript rows on this page, every effect of each variant` : ""}
    </p>
  );
}

/** The part of the page that changes with the query (what the script swaps). */
export function ResultsBrowser(p: { view: ResultsView; links: ResultsLinks; reference: string }) {
  const { view, links } = p;
  const host = ensemblHost(p.reference);
  const q = view.q;
  const caption = `Annotated variants${isFiltered(q) ? " matching the filter" : ""}, sorted by ${q.sort ?? "position"}${q.dir === "desc" ? " (descending)" : ""}`;
  const page = view.variants ?? view.effects;
  // A variant's page links back to this very state (filter, sort, page), which it carries along.
  const here = resultsHref(links.base, q, { after: q.after, before: q.before, last: q.last }).slice(links.base.length);
  const variantHref = (vid: number) => `${links.variant(vid)}${here}`;
  return (
    <div id="results-browser" aria-busy="false">
      {view.error ? (
        <div id="results-error">
          <Alert kind="danger">{`The filter was not applied: ${view.error}`}</Alert>
        </div>
      ) : null}
      <ResultsFilters base={links.base} q={q} choices={choicesOf(view)} raw={view.raw} />
      <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2">
        <CountLine view={view} />
        {view.error ? null : <Exports view={view} rows={links.rows} />}
      </div>
      <ImpactLegend />
      {view.variants ? (
        view.variants.rows.length ? (
          <VariantTable rows={view.variants.rows} q={q} base={links.base} host={host} variantHref={variantHref} caption={caption} />
        ) : (
          <p id="no-rows">No variant matches these filters.</p>
        )
      ) : null}
      {view.effects ? (
        view.effects.rows.length ? (
          <EffectTable rows={view.effects.rows} host={host} caption={caption} id="results-table" sortable={{ base: links.base, q }} />
        ) : (
          <p id="no-rows">No variant matches these filters.</p>
        )
      ) : null}
      {page ? <ResultsPager base={links.base} q={q} next={page.next} prev={page.prev} /> : null}
    </div>
  );
}

/** The whole page. */
export function ResultsPage(p: { ctx: PageCtx; job: Job; view: ResultsView; links: ResultsLinks; shared: boolean }) {
  const { view, links } = p;
  const reference = String(view.summary.engine?.reference ?? "");
  const skipped = view.summary.issues?.skipped ?? Number(view.summary.engine?.skipped ?? p.job.summary?.skipped ?? 0);
  const title = p.shared ? "Shared annotation results" : "Annotation results";
  return (
    <Layout ctx={p.ctx} title={title} scripts={["results-browser.js"]}>
      <h1 class="h2">{title}</h1>
      <p>
        <span class="filename">{p.job.inputFileName}</span> · reference {reference || "unknown"} · job{" "}
        <span class="font-monospace">{p.job.id}</span>
      </p>
      <p>
        {/* Served only while the results are available (the routes check the lifecycle first). */}
        Annotated VCF:{" "}
        <a href={links.result} download>
          download
        </a>{" "}
        · <a href={links.log}>view the log</a>
        {links.back ? (
          <>
            {" "}
            · <a href={links.back}>← back to annotation details</a>
          </>
        ) : null}
      </p>
      <details class="mb-3" open>
        <summary class="h5">Summary</summary>
        <p class="small text-body-secondary">
          Counted while annotating: {n(view.total)} variants (ALT alleles), {n(view.summary.transcriptRows ?? 0)} variant × transcript rows.
          Choose a bar to show its variants.
        </p>
        <ResultsCharts summary={view.summary} base={links.base} />
      </details>
      <div id="results-live" class="visually-hidden" aria-live="polite"></div>
      <ResultsBrowser view={view} links={links} reference={reference} />
      <RecordIssues issues={view.issues} total={view.issuesTotal} skipped={skipped} logHref={links.log} />
    </Layout>
  );
}

/** One variant and every effect it has (what the table's expander shows inline). */
export function VariantDetailPage(p: { ctx: PageCtx; job: Job; row: VariantRow; effects: BrowseRow[]; reference: string; back: string }) {
  const r = p.row;
  const title = `${r.chrom}:${n(r.pos)} ${r.ref}>${r.alt}`;
  return (
    <Layout ctx={p.ctx} title={`Variant ${title}`}>
      <h1 class="h3 text-break">{`Variant ${r.chrom}:${n(r.pos)} ${r.ref.length > 20 ? `${r.ref.slice(0, 19)}…` : r.ref}>${r.alt.length > 20 ? `${r.alt.slice(0, 19)}…` : r.alt}`}</h1>
      <p>
        {r.id && r.id !== "." ? `ID ${r.id} · ` : "novel · "}input line {n(r.line)} · most severe: {r.consequence} ({r.impact})
      </p>
      <VariantEffects row={r} effects={p.effects} reference={p.reference} />
      <p class="mt-3">
        <a href={p.back}>← back to the results</a>
      </p>
    </Layout>
  );
}

/** The effects table of one variant (the expander's fragment). */
export function VariantEffects(p: { row: VariantRow; effects: BrowseRow[]; reference: string }) {
  return (
    <div class="variant-detail">
      <VariantFacts row={p.row} />
      <EffectTable
        rows={p.effects}
        host={ensemblHost(p.reference)}
        id={`tx${p.row.vid}-table`}
        caption={`Every effect of ${p.row.chrom}:${n(p.row.pos)} ${p.row.ref.length > 12 ? "" : p.row.ref}>${p.row.alt.length > 12 ? "" : p.row.alt} (${p.effects.length})`}
      />
    </div>
  );
}
