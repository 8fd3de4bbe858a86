import type { Annotation } from "../model.ts";

/**
 * The community "VCF annotation format" (ANN), as written by SnpEff and read by most downstream
 * tools: one comma-separated entry per allele × feature, 16 pipe-separated fields.
 */
export const ANN_FIELDS = [
  "Allele",
  "Annotation",
  "Annotation_Impact",
  "Gene_Name",
  "Gene_ID",
  "Feature_Type",
  "Feature_ID",
  "Transcript_BioType",
  "Rank",
  "HGVS.c",
  "HGVS.p",
  "cDNA.pos / cDNA.length",
  "CDS.pos / CDS.length",
  "AA.pos / AA.length",
  "Distance",
  "ERRORS / WARNINGS / INFO",
] as const;

/** The ##INFO line that declares ANN, in the wording parsers (SnpSift, bcftools +split-vep) expect. */
export const ANN_HEADER_LINE =
  `##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: '${ANN_FIELDS.join(" | ")}' ">`;

// Characters that would break the INFO field or the ANN structure are percent-encoded, as VCF 4.3
// specifies for INFO values (VEP writes `p.Leu5%3D` the same way); `p.=`-style HGVS survives.
const RESERVED = /[,;=|%\s]/g;
const encodeReserved = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;

function clean(value: string): string {
  // Fast path: almost every value is a plain identifier.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 59 || c === 61 || c === 124 || c === 37 || c <= 32) return value.replace(RESERVED, encodeReserved);
  }
  return value;
}

// Gene, feature and biotype repeat for every variant that hits a transcript: their cleaned
// middle section is built once per feature (the profiler showed ANN formatting as the hot spot).
const middleCache = new Map<string, string>();
const MIDDLE_CACHE_LIMIT = 200_000;

function middleFields(a: Annotation): string {
  const key = a.featureType === "transcript" ? a.featureId : "";
  if (key) {
    const hit = middleCache.get(key);
    if (hit !== undefined) return hit;
  }
  const middle = `${clean(a.geneName)}|${clean(a.geneId)}|${a.featureType}|${clean(a.featureId)}|${clean(a.biotype)}`;
  if (key) {
    if (middleCache.size >= MIDDLE_CACHE_LIMIT) middleCache.clear();
    middleCache.set(key, middle);
  }
  return middle;
}

function joinTerms(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0]! : terms.join("&");
}

/** One ANN entry (without the `ANN=` key). */
export function formatAnnEntry(a: Annotation): string {
  const messages = a.messages.length === 0 ? "" : a.messages.map(clean).join("&");
  // HGVS.c never holds a reserved character; HGVS.p only the `=` of a synonymous change.
  const hgvsP = a.hgvsP.endsWith("=") ? `${a.hgvsP.slice(0, -1)}%3D` : a.hgvsP;
  return (
    `${a.allele}|${joinTerms(a.consequences)}|${a.impact}|${middleFields(a)}|${a.rank}|${a.hgvsC}|` +
    `${hgvsP}|${a.cdnaPos}|${a.cdsPos}|${a.aaPos}|${a.distance}|${messages}`
  );
}

/** The whole ANN value for a record: entries in allele order, most severe first within an allele. */
export function formatAnnValue(annotations: readonly Annotation[]): string {
  let out = "";
  for (let i = 0; i < annotations.length; i++) {
    if (i > 0) out += ",";
    out += formatAnnEntry(annotations[i]!);
  }
  return out;
}
