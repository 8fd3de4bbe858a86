/**
 * The per-variant table: one row per annotated ALT with its most severe effect. Each row's
 * "N effects" link, under its position (where a disclosure control is looked for, and one column
 * fewer than a column of its own), opens the variant's page: every effect, server-rendered, so it
 * works without JavaScript. results-browser.js turns it into an inline expander that fetches the
 * same page's fragment and inserts it under the row.
 */
import type { ResultsQuery } from "../results-params.ts";
import type { VariantRow } from "../results-store.ts";
import { SortHeader } from "./sort-header.tsx";
import { Change, Snake, ClinSig, FeatureLink, GeneLink, Hgvs, ImpactBadge, Terms, VariantIds, formatAf } from "./variant-cells.tsx";

export const VARIANT_COLUMNS = 12;

export function VariantTable(p: {
  rows: readonly VariantRow[];
  q: ResultsQuery;
  base: string;
  host: string;
  /** The variant page of one row (its transcripts). */
  variantHref: (vid: number) => string;
  caption: string;
}) {
  const { q, base } = p;
  return (
    <div class="table-responsive">
      <table class="table table-sm table-striped results-table" id="results-table" data-view="variants">
        <caption class="visually-hidden">{p.caption}</caption>
        <thead>
          <tr>
            <SortHeader base={base} q={q} k="position">
              Position
            </SortHeader>
            <SortHeader base={base} q={q} k="id">
              ID
            </SortHeader>
            <th scope="col">Change</th>
            <SortHeader base={base} q={q} k="gene">
              Gene
            </SortHeader>
            <SortHeader base={base} q={q} k="consequence">
              Most severe consequence
            </SortHeader>
            <SortHeader base={base} q={q} k="impact">
              Impact
            </SortHeader>
            <SortHeader base={base} q={q} k="biotype">
              Biotype
            </SortHeader>
            <SortHeader base={base} q={q} k="hgvs_c">
              HGVS.c
            </SortHeader>
            <SortHeader base={base} q={q} k="hgvs_p">
              HGVS.p
            </SortHeader>
            <SortHeader base={base} q={q} k="af">
              AF
            </SortHeader>
            <SortHeader base={base} q={q} k="clin_sig">
              ClinVar
            </SortHeader>
            <SortHeader base={base} q={q} k="filter">
              FILTER
            </SortHeader>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr id={`v${r.vid}`} data-vid={String(r.vid)}>
              <th scope="row" class="fw-normal">
                <span class="pos">{`${r.chrom}:${r.pos.toLocaleString("en-US")}`}</span>
                <div class="small">
                  <a
                    href={p.variantHref(r.vid)}
                    class="variant-expand"
                    aria-expanded="false"
                    aria-controls={`tx${r.vid}`}
                    data-colspan={String(VARIANT_COLUMNS)}
                  >
                    {r.transcripts === 1 ? "1 effect" : `${r.transcripts} effects`}
                  </a>
                </div>
              </th>
              <td class="ids">
                <VariantIds id={r.id} />
              </td>
              <td class="change">
                <Change ref={r.ref} alt={r.alt} />
              </td>
              <td>
                <GeneLink gene={r.gene} geneId={r.geneId} host={p.host} />
                {r.feature ? (
                  <div class="small">
                    <FeatureLink feature={r.feature} host={p.host} />
                    {r.canonical ? <span class="badge text-bg-light ms-1">canonical</span> : null}
                  </div>
                ) : null}
              </td>
              <td class="wrap">
                <Terms terms={r.consequences || r.consequence} />
              </td>
              <td>
                <ImpactBadge impact={r.impact} />
              </td>
              <td class="wrap">{r.biotype ? <Snake text={r.biotype} /> : "–"}</td>
              <td class="hgvs-cell">
                <Hgvs text={r.hgvsC} />
              </td>
              <td class="hgvs-cell">
                <Hgvs text={r.hgvsP} />
              </td>
              <td class="num">
                {formatAf(r.af)}
                {q.af_field ? <div class="small text-body-secondary">{`${q.af_field} ${formatAf(r.afs?.[q.af_field])}`}</div> : null}
              </td>
              <td class="wrap">
                <ClinSig clinSig={r.clinSig} id={r.id} />
              </td>
              <td>{r.filter || "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
