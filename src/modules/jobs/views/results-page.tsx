/**
 * The results browser: a GET form of filters (gene, consequence, impact, known/novel, text),
 * the summary charts, a sortable and paged variant table. Everything is computed on the server,
 * so every state is a plain URL (shareable, bookmarkable, and usable without JavaScript).
 */
import type { Job } from "../../../ports/job-store.ts";
import { Layout } from "../../../web/layout.tsx";
import type { PageCtx } from "../../../web/page-context.ts";
import { IMPACTS, PAGE_SIZES, type ResultFilter, type ResultPage, type ResultSet, type SortKey } from "../results-query.ts";
import { ResultDownload } from "./job-detail-page.tsx";
import { SummaryCharts } from "./summary-chart.tsx";

/** The URL of the same view with some filter fields changed (defaults are left out). */
export function resultsHref(base: string, f: ResultFilter, change: Partial<ResultFilter>): string {
  const next = { ...f, ...change };
  const q = new URLSearchParams();
  if (next.gene) q.set("gene", next.gene);
  if (next.consequence) q.set("consequence", next.consequence);
  if (next.impact) q.set("impact", next.impact);
  if (next.known !== "all") q.set("known", next.known);
  if (next.q) q.set("q", next.q);
  if (next.sort !== "pos") q.set("sort", next.sort);
  if (next.dir !== "asc") q.set("dir", next.dir);
  if (next.size !== 50) q.set("size", String(next.size));
  if (next.page > 1) q.set("page", String(next.page));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

function SortHeader(p: { base: string; f: ResultFilter; k: SortKey; children: string }) {
  const active = p.f.sort === p.k;
  const dir = active && p.f.dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={active ? (p.f.dir === "asc" ? "ascending" : "descending") : undefined}>
      <a href={resultsHref(p.base, p.f, { sort: p.k, dir, page: 1 })}>
        {p.children}
        {active ? (p.f.dir === "asc" ? " ▲" : " ▼") : ""}
        <span class="visually-hidden">
          {active ? `, sorted ${p.f.dir === "asc" ? "ascending" : "descending"}; activate to reverse` : ", activate to sort"}
        </span>
      </a>
    </th>
  );
}

function Filters(p: { base: string; f: ResultFilter; set: ResultSet }) {
  const terms = [...p.set.consequences.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  return (
    // biome-ignore lint/a11y/useSemanticElements: a <search> wrapper would add a landmark the older browsers labs run do not know; role=search on the form is the ARIA way to the same
    <form method="get" action={p.base} class="row g-2 align-items-end mb-3" role="search" aria-label="Filter variants">
      <div class="col-sm-6 col-lg-2">
        <label class="form-label" for="f-gene">
          Gene
        </label>
        <input class="form-control" id="f-gene" name="gene" value={p.f.gene} placeholder="e.g. MT-ND1" />
      </div>
      <div class="col-sm-6 col-lg-3">
        <label class="form-label" for="f-consequence">
          Consequence
        </label>
        <select class="form-select" id="f-consequence" name="consequence">
          <option value="">any</option>
          {terms.map(([t, n]) => (
            <option value={t} selected={p.f.consequence === t}>
              {`${t} (${n})`}
            </option>
          ))}
        </select>
      </div>
      <div class="col-sm-4 col-lg-2">
        <label class="form-label" for="f-impact">
          Impact
        </label>
        <select class="form-select" id="f-impact" name="impact">
          <option value="">any</option>
          {IMPACTS.map((i) => (
            <option value={i} selected={p.f.impact === i}>
              {i}
            </option>
          ))}
        </select>
      </div>
      <div class="col-sm-4 col-lg-1">
        <label class="form-label" for="f-known">
          Known
        </label>
        <select class="form-select" id="f-known" name="known">
          <option value="all" selected={p.f.known === "all"}>
            all
          </option>
          <option value="known" selected={p.f.known === "known"}>
            known
          </option>
          <option value="novel" selected={p.f.known === "novel"}>
            novel
          </option>
        </select>
      </div>
      <div class="col-sm-4 col-lg-2">
        <label class="form-label" for="f-q">
          Search
        </label>
        <input class="form-control" type="search" id="f-q" name="q" value={p.f.q} placeholder="rsID, HGVS, position…" />
      </div>
      <div class="col-sm-4 col-lg-1">
        <label class="form-label" for="f-size">
          Rows
        </label>
        <select class="form-select" id="f-size" name="size">
          {PAGE_SIZES.map((n) => (
            <option value={String(n)} selected={p.f.size === n}>
              {String(n)}
            </option>
          ))}
        </select>
      </div>
      {p.f.sort !== "pos" ? <input type="hidden" name="sort" value={p.f.sort} /> : null}
      {p.f.dir !== "asc" ? <input type="hidden" name="dir" value={p.f.dir} /> : null}
      <div class="col-auto">
        <button type="submit" class="btn btn-primary">
          Filter
        </button>{" "}
        <a href={p.base} class="btn btn-outline-secondary">
          Reset
        </a>
      </div>
    </form>
  );
}

function Pager(p: { base: string; r: ResultPage }) {
  if (p.r.pages <= 1) return null;
  const { page, pages } = p.r;
  const link = (n: number, label: string, rel?: string) => (
    <li class={`page-item${n < 1 || n > pages ? " disabled" : ""}`}>
      {n < 1 || n > pages ? (
        <span class="page-link">{label}</span>
      ) : (
        <a class="page-link" href={resultsHref(p.base, p.r.filter, { page: n })} rel={rel}>
          {label}
        </a>
      )}
    </li>
  );
  return (
    <nav aria-label="Result pages">
      <ul class="pagination flex-wrap">
        {link(1, "First")}
        {link(page - 1, "Previous", "prev")}
        <li class="page-item active" aria-current="page">
          <span class="page-link">
            Page {page} of {pages}
          </span>
        </li>
        {link(page + 1, "Next", "next")}
        {link(pages, "Last")}
      </ul>
    </nav>
  );
}

/** The whole page. `base` is /annotations/{id}/results or /shared/{token}. */
export function ResultsPage(p: {
  ctx: PageCtx;
  job: Job;
  set: ResultSet;
  r: ResultPage;
  base: string;
  links: { result: string; log: string; back: string | null };
  shared: boolean;
}) {
  const { r, base } = p;
  const f = r.filter;
  const summary = p.job.summary;
  return (
    <Layout ctx={p.ctx} title={p.shared ? "Shared annotation results" : "Annotation results"}>
      <h1 class="h2">{p.shared ? "Shared annotation results" : "Annotation results"}</h1>
      <p>
        <span class="filename">{p.job.inputFileName}</span> · reference {p.set.reference || "unknown"} · job{" "}
        <span class="font-monospace">{p.job.id}</span>
      </p>
      <p>
        Annotated VCF: <ResultDownload job={p.job} href={p.links.result} premium={p.ctx.user?.tier === "premium"} /> ·{" "}
        <a href={p.links.log}>view the log</a>
        {p.links.back ? (
          <>
            {" "}
            · <a href={p.links.back}>← back to annotation details</a>
          </>
        ) : null}
      </p>
      {summary ? (
        <details class="mb-3" open>
          <summary class="h5">Summary</summary>
          <SummaryCharts byConsequence={summary.byConsequence} byImpact={summary.byImpact} />
        </details>
      ) : null}
      <Filters base={base} f={f} set={p.set} />
      <p role="status" id="result-count">
        {r.matched === r.total
          ? `${r.total.toLocaleString("en-US")} rows`
          : `${r.matched.toLocaleString("en-US")} of ${r.total.toLocaleString("en-US")} rows match`}
        {" (one row per variant and transcript)"}
      </p>
      {r.rows.length === 0 ? (
        <p>No variant matches these filters.</p>
      ) : (
        <div class="table-responsive">
          <table class="table table-sm table-striped results-table" id="results-table">
            <caption class="visually-hidden">
              Annotated variants, page {r.page} of {r.pages}
            </caption>
            <thead>
              <tr>
                <SortHeader base={base} f={f} k="pos">
                  Position
                </SortHeader>
                <SortHeader base={base} f={f} k="id">
                  ID
                </SortHeader>
                <th scope="col">Change</th>
                <SortHeader base={base} f={f} k="gene">
                  Gene
                </SortHeader>
                <SortHeader base={base} f={f} k="consequence">
                  Consequence
                </SortHeader>
                <SortHeader base={base} f={f} k="impact">
                  Impact
                </SortHeader>
                <th scope="col">Transcript</th>
                <th scope="col">HGVS.c</th>
                <th scope="col">HGVS.p</th>
                <SortHeader base={base} f={f} k="af">
                  AF
                </SortHeader>
              </tr>
            </thead>
            <tbody>
              {r.rows.map((row) => (
                <tr>
                  <td>{`${row.chrom}:${row.pos}`}</td>
                  <td>{row.id === "." ? <span class="text-body-secondary">novel</span> : row.id}</td>
                  <td class="wrap font-monospace">{`${row.ref}>${row.alt}`}</td>
                  <td>{row.gene}</td>
                  <td class="wrap">{row.consequence.replaceAll("&", ", ")}</td>
                  <td>{row.impact}</td>
                  <td>{row.feature}</td>
                  <td class="wrap">{row.hgvsC}</td>
                  <td class="wrap">{row.hgvsP}</td>
                  <td>{row.af}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base={base} r={r} />
    </Layout>
  );
}
