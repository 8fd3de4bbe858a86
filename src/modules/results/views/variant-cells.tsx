/**
 * The cells the variant and transcript tables share: HGVS and alleles that wrap only at `:` and
 * `.` (never mid-word; long ones truncated with the whole text in a title), links out to Ensembl,
 * NCBI (RefSeq, dbSNP) and ClinVar, the impact badge and its legend. Colour is never the only
 * carrier: the impact is also written.
 */
import type { Child } from "hono/jsx";

/** Longer alleles are cut to this many characters (a 300 bp insertion would fill the screen). */
const MAX_ALLELE = 12;
/** HGVS strings longer than this are cut, with the whole string in the title. */
const MAX_HGVS = 60;

/** Text with a line-break opportunity after each `:` and `.` (and `>`, `_`), nowhere else. */
export function Breakable(p: { text: string }): Child {
  const parts = p.text.split(/(?<=[:._>])/);
  return (
    <>
      {parts.map((part, i) => (
        <>
          {part}
          {i < parts.length - 1 ? <wbr /> : null}
        </>
      ))}
    </>
  );
}

/** A HGVS expression: breakable at its separators, truncated with a title when very long. */
export function Hgvs(p: { text: string }) {
  if (!p.text) return <span class="text-body-secondary">–</span>;
  if (p.text.length <= MAX_HGVS)
    return (
      <span class="hgvs">
        <Breakable text={p.text} />
      </span>
    );
  return (
    <span class="hgvs" title={p.text}>
      <Breakable text={`${p.text.slice(0, MAX_HGVS - 1)}…`} />
    </span>
  );
}

function Allele(p: { text: string }) {
  if (p.text.length <= MAX_ALLELE) return <>{p.text}</>;
  return (
    <abbr title={p.text} class="allele-cut">
      {`${p.text.slice(0, MAX_ALLELE - 1)}…(${p.text.length})`}
    </abbr>
  );
}

/** REF>ALT, each allele whole or cut with its full text in a title. */
export function Change(p: { ref: string; alt: string }) {
  return (
    <span class="font-monospace allele">
      <Allele text={p.ref} />
      {">"}
      <wbr />
      <Allele text={p.alt} />
    </span>
  );
}

/** Ensembl's site for the reference build (GRCh37 has its own archive host). */
export const ensemblHost = (reference: string) =>
  /grch37|hg19/i.test(reference) ? "https://grch37.ensembl.org" : "https://www.ensembl.org";

const ext = { rel: "noopener noreferrer external", target: "_blank" } as const;

/** The gene's name, linked to Ensembl (an ENSG id) or NCBI Gene (anything else). */
export function GeneLink(p: { gene: string; geneId: string; host: string }) {
  if (!p.gene && !p.geneId) return <span class="text-body-secondary">–</span>;
  const href = /^ENS[A-Z]*G\d/.test(p.geneId)
    ? `${p.host}/Homo_sapiens/Gene/Summary?g=${encodeURIComponent(p.geneId)}`
    : `https://www.ncbi.nlm.nih.gov/gene/?term=${encodeURIComponent(p.geneId || p.gene)}`;
  return (
    <a href={href} {...ext} title={p.geneId || undefined}>
      {p.gene || p.geneId}
    </a>
  );
}

/** A transcript (or other feature) id, linked to Ensembl or NCBI Nucleotide when it is one of theirs. */
export function FeatureLink(p: { feature: string; host: string }) {
  const f = p.feature;
  if (!f) return <span class="text-body-secondary">–</span>;
  const href = /^ENS[A-Z]*T\d/.test(f)
    ? `${p.host}/Homo_sapiens/Transcript/Summary?t=${encodeURIComponent(f)}`
    : /^[NX][MR]_\d/.test(f)
      ? `https://www.ncbi.nlm.nih.gov/nuccore/${encodeURIComponent(f)}`
      : null;
  return href ? (
    <a href={href} {...ext} class="font-monospace">
      {f}
    </a>
  ) : (
    <span class="font-monospace">{f}</span>
  );
}

/** The ID column: each rsID links to dbSNP; `.` reads "novel". */
export function VariantIds(p: { id: string }) {
  if (!p.id || p.id === ".") return <span class="text-body-secondary">novel</span>;
  const ids = p.id.split(";");
  return (
    <>
      {ids.map((id, i) => (
        <>
          {i > 0 ? (
            <>
              ;<wbr />
            </>
          ) : null}
          {/^rs\d+$/.test(id) ? (
            <a href={`https://www.ncbi.nlm.nih.gov/snp/${id}`} {...ext}>
              {id}
            </a>
          ) : (
            id
          )}
        </>
      ))}
    </>
  );
}

/** ClinVar significance as the known-variants file words it, linked to ClinVar's records for the rsID. */
export function ClinSig(p: { clinSig: string | undefined; id: string }) {
  if (!p.clinSig) return <span class="text-body-secondary">–</span>;
  const text = p.clinSig.replaceAll("_", " ").replaceAll("|", ", ").replaceAll("&", ", ");
  const rs = p.id.split(";").find((x) => /^rs\d+$/.test(x));
  return rs ? (
    <a href={`https://www.ncbi.nlm.nih.gov/clinvar/?term=${rs}`} {...ext}>
      {text}
    </a>
  ) : (
    <>{text}</>
  );
}

/** An allele frequency: three significant digits, rare ones in scientific notation. */
export function formatAf(af: number | null | undefined): string {
  if (af === null || af === undefined) return "–";
  if (af === 0) return "0";
  return af < 0.001 ? af.toExponential(1) : String(Number(af.toPrecision(3)));
}

/** An identifier-like word (SO term, biotype) that may wrap after its underscores, nowhere else. */
export function Snake(p: { text: string }) {
  const parts = p.text.split(/(?<=_)/);
  return (
    <span class="term">
      {parts.map((part, i) => (
        <>
          {part}
          {i < parts.length - 1 ? <wbr /> : null}
        </>
      ))}
    </span>
  );
}

/** SO term(s) `a&b` as a readable list that wraps between terms, or after a term's underscores. */
export function Terms(p: { terms: string }) {
  const list = p.terms.split("&");
  return (
    <>
      {list.map((t, i) => (
        <>
          {i > 0 ? ", " : null}
          <Snake text={t} />
        </>
      ))}
    </>
  );
}

export const IMPACT_MEANINGS = [
  ["HIGH", "likely disruptive: stop gained, frameshift, splice donor/acceptor, start lost"],
  ["MODERATE", "may change effectiveness: missense, inframe insertion/deletion"],
  ["LOW", "mostly harmless: synonymous, splice region"],
  ["MODIFIER", "non-coding: intron, UTR, upstream/downstream, intergenic"],
] as const;

/** The impact as a coloured badge that also reads the word. */
export function ImpactBadge(p: { impact: string }) {
  return <span class={`badge impact impact-${p.impact.toLowerCase()}`}>{p.impact}</span>;
}

/** What the impact colours mean (VEP's impact classes). */
export function ImpactLegend() {
  return (
    <dl class="impact-legend small" id="impact-legend" aria-label="Impact colours">
      {IMPACT_MEANINGS.map(([impact, meaning]) => (
        <div>
          <dt>
            <ImpactBadge impact={impact} />
          </dt>
          <dd>{meaning}</dd>
        </div>
      ))}
    </dl>
  );
}
