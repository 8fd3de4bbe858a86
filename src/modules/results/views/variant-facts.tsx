/**
 * What the variant row cannot show in one line: FILTER, ClinVar, every population frequency and
 * each sample's genotype for this ALT. Shown on a variant's page and above its effects when the
 * table's expander opens it.
 */
import type { VariantRow } from "../results-store.ts";
import { ClinSig, formatAf } from "./variant-cells.tsx";

const GENOTYPE_TEXT: Record<string, string> = {
  het: "heterozygous",
  hom_alt: "homozygous ALT",
  hom_ref: "homozygous REF",
  non_ref: "ALT",
  missing: "no call",
};

export function VariantFacts(p: { row: VariantRow }) {
  const r = p.row;
  const afs = Object.entries(r.afs ?? {});
  return (
    <dl class="row small variant-facts mb-2">
      <dt class="col-sm-2">FILTER</dt>
      <dd class="col-sm-10">{r.filter || "–"}</dd>
      <dt class="col-sm-2">ClinVar</dt>
      <dd class="col-sm-10">
        <ClinSig clinSig={r.clinSig} id={r.id} />
      </dd>
      <dt class="col-sm-2">Allele frequency</dt>
      <dd class="col-sm-10">
        {`global ${formatAf(r.af)}`}
        {afs.length ? `; ${afs.map(([k, v]) => `${k} ${formatAf(v)}`).join(", ")}` : ""}
      </dd>
      {r.samples?.length ? (
        <>
          <dt class="col-sm-2">Genotypes</dt>
          <dd class="col-sm-10">
            {r.samples.map((s, i) => (
              <>
                {i > 0 ? "; " : ""}
                <span class="text-nowrap">{`${s.name}: ${GENOTYPE_TEXT[s.genotype] ?? s.genotype}`}</span>
              </>
            ))}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
