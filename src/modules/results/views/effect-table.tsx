/**
 * Effects: one row per variant × feature (transcript, or the intergenic region), as the engine's
 * ANN field lists them. The per-transcript view shows the variant columns too; a variant's own
 * page (and the inline expander) leaves them out.
 */
import type { BrowseRow } from "../../annotator/index.ts";
import type { ResultsQuery } from "../results-params.ts";
import { SortHeader } from "./sort-header.tsx";
import { Change, Snake, FeatureLink, GeneLink, Hgvs, ImpactBadge, Terms, VariantIds } from "./variant-cells.tsx";

export function EffectTable(p: {
  rows: readonly BrowseRow[];
  host: string;
  caption: string;
  id?: string;
  /** The per-transcript view: variant columns and sortable headers. */
  sortable?: { base: string; q: ResultsQuery };
}) {
  const s = p.sortable;
  const head = (label: string, k?: Parameters<typeof SortHeader>[0]["k"]) =>
    s && k ? (
      <SortHeader base={s.base} q={s.q} k={k}>
        {label}
      </SortHeader>
    ) : (
      <th scope="col">{label}</th>
    );
  return (
    <div class="table-responsive">
      <table class="table table-sm results-table effect-table" id={p.id} data-view={s ? "transcripts" : undefined}>
        <caption class={s ? "visually-hidden" : "caption-top"}>{p.caption}</caption>
        <thead>
          <tr>
            {s ? (
              <>
                {head("Position", "position")}
                {head("ID", "id")}
                {head("Change")}
              </>
            ) : null}
            {head("Gene", "gene")}
            {head("Feature")}
            {head("Biotype", "biotype")}
            {head("Consequence", "consequence")}
            {head("Impact", "impact")}
            {head("Exon/intron")}
            {head("HGVS.c", "hgvs_c")}
            {head("HGVS.p", "hgvs_p")}
            {head("cDNA / CDS / protein position")}
            {head("Distance")}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              {s ? (
                <>
                  <th scope="row" class="fw-normal">{`${r.chrom}:${r.pos.toLocaleString("en-US")}`}</th>
                  <td class="ids">
                    <VariantIds id={r.id} />
                  </td>
                  <td class="change">
                    <Change ref={r.ref} alt={r.alt} />
                  </td>
                </>
              ) : null}
              <td>
                <GeneLink gene={r.gene} geneId={r.geneId} host={p.host} />
              </td>
              <td>
                <FeatureLink feature={r.feature} host={p.host} />
                {"picked" in r && r.picked ? (
                  <span class="badge text-bg-primary ms-1" title="chosen by the job's transcript choice (VEP's PICK)">
                    PICK
                  </span>
                ) : null}
                {r.featureType && r.featureType !== "transcript" ? <div class="small text-body-secondary">{r.featureType}</div> : null}
              </td>
              <td class="wrap">{r.biotype ? <Snake text={r.biotype} /> : "–"}</td>
              <td class="wrap">
                <Terms terms={r.consequence} />
              </td>
              <td>
                <ImpactBadge impact={r.impact} />
              </td>
              <td>{r.rank || "–"}</td>
              <td class="hgvs-cell">
                <Hgvs text={r.hgvsC} />
              </td>
              <td class="hgvs-cell">
                <Hgvs text={r.hgvsP} />
              </td>
              <td class="small">{[r.cdnaPos, r.cdsPos, r.aaPos].map((x) => x || "–").join(" / ")}</td>
              <td>{r.distance || "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
