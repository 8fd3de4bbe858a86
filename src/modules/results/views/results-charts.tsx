/**
 * The results page's charts, all from the store's summary (counted while the engine streamed):
 * per variant by its most severe effect (each bar filters the table to it), and, apart and
 * labelled as such, per variant × transcript row. Those last bars are not links: every filter
 * selects variants by their most severe effect, so a term counted over all transcripts (an intron
 * beside a missense) would not match the bar's count.
 */
import { BarChart, barsOf, impactBars } from "../../jobs/views/summary-chart.tsx";
import { ResultsQuery } from "../results-params.ts";
import type { StoreSummary } from "../results-store.ts";
import { resultsHref } from "./results-href.ts";

/** AF_BINS labels (`<0.0001`, `0.001-0.01`, `0.5-1`) → the af_min/af_max of the bin. */
export function afRange(label: string): { af_min: number; af_max: number } | null {
  const below = /^<([\d.]+)$/.exec(label);
  if (below) return { af_min: 0, af_max: Number(below[1]) };
  const range = /^([\d.]+)-([\d.]+)$/.exec(label);
  return range ? { af_min: Number(range[1]), af_max: Number(range[2]) } : null;
}

/** No filter: a bar starts a new filter rather than narrowing the current one. */
const EMPTY: ResultsQuery = ResultsQuery.parse({});

export function ResultsCharts(p: { summary: StoreSummary; base: string }) {
  const s = p.summary;
  const to = (change: Partial<ResultsQuery>) => resultsHref(p.base, EMPTY, change);
  const af = s.afHistogram?.bins ?? [];
  return (
    <div class="results-charts">
      <div class="row">
        <div class="col-xl-6">
          <BarChart
            title="Variants by most severe consequence"
            counts="variants"
            id="chart-most-severe"
            bars={barsOf(s.variantsByMostSevere ?? {}, (t) => to({ consequence: [t] }))}
          />
        </div>
        <div class="col-xl-6">
          <BarChart
            title="Variants by highest impact"
            counts="variants"
            id="chart-impact"
            labelWidth={110}
            bars={impactBars(s.variantsByImpact ?? {}, (i) => to({ impact: [i as ResultsQuery["impact"][number]] }))}
          />
          <BarChart
            title="Known and novel variants"
            counts="variants"
            id="chart-known"
            labelWidth={110}
            bars={[
              { label: "known", count: s.known ?? 0, href: s.known ? to({ known: "known" }) : undefined },
              { label: "novel", count: s.novel ?? 0, href: s.novel ? to({ known: "novel" }) : undefined },
            ]}
          />
        </div>
      </div>
      <div class="row">
        <div class="col-xl-6">
          <BarChart
            title="Variants by biotype of the most severe effect"
            counts="variants"
            id="chart-biotype"
            bars={barsOf(s.variantsByBiotype ?? {}, (b) => (b.startsWith("(") ? undefined : to({ biotype: [b] })))}
          />
        </div>
        <div class="col-xl-6">
          <BarChart
            title="Known variants by allele frequency"
            counts="variants"
            id="chart-af"
            labelWidth={110}
            bars={af
              .filter((b) => b.count > 0)
              .map((b) => {
                const r = afRange(b.label);
                return { label: b.label, count: b.count, href: r ? to(r) : undefined };
              })}
          />
        </div>
      </div>
      <details class="mb-3">
        <summary>Counts per variant × transcript row (every term of every effect)</summary>
        <p class="small text-body-secondary">
          A variant overlapping three transcripts counts three times here; filters select variants by their most severe effect, so these
          bars are not links.
        </p>
        <div class="row">
          <div class="col-xl-6">
            <BarChart
              title="Variant × transcript rows by consequence term"
              counts="variant × transcript rows"
              id="chart-rows-consequence"
              bars={barsOf(s.rowsByConsequence ?? {})}
            />
          </div>
          <div class="col-xl-6">
            <BarChart
              title="Variant × transcript rows by impact"
              counts="variant × transcript rows"
              id="chart-rows-impact"
              labelWidth={110}
              bars={impactBars(s.rowsByImpact ?? {})}
            />
          </div>
        </div>
      </details>
    </div>
  );
}
