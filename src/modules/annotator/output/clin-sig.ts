/**
 * ClinVar significance (the known file's CLIN_SIG, copied as KNOWN_CLIN_SIG) in the classes the
 * results browser filters on. ClinVar and Ensembl spell the same class several ways
 * (`Likely pathogenic`, `likely_pathogenic`, `Pathogenic/Likely_pathogenic`,
 * `conflicting_interpretations_of_pathogenicity`), and a variant often has several assertions
 * (`not_provided|pathogenic`): every token counts, so that variant is in "pathogenic" and "other".
 */
export const CLIN_SIG_CLASSES = [
  "pathogenic",
  "likely_pathogenic",
  "uncertain_significance",
  "conflicting",
  "likely_benign",
  "benign",
  "drug_response",
  "risk_factor",
  "other",
] as const;
export type ClinSigClass = (typeof CLIN_SIG_CLASSES)[number];

const INDEX = new Map<string, number>(CLIN_SIG_CLASSES.map((c, i) => [c, i]));
const ALIASES = new Map<string, ClinSigClass>([
  ["vus", "uncertain_significance"],
  ["uncertain", "uncertain_significance"],
  ["conflicting_interpretations_of_pathogenicity", "conflicting"],
  ["conflicting_classifications_of_pathogenicity", "conflicting"],
  ["conflicting_data_from_submitters", "conflicting"],
  ["risk_allele", "risk_factor"],
  ["established_risk_allele", "risk_factor"],
  ["likely_risk_allele", "risk_factor"],
]);
const cache = new Map<string, number>();

/** Bit i set = class CLIN_SIG_CLASSES[i] is asserted; 0 for no significance ("" or "."). */
export function clinSigMask(raw: string): number {
  if (raw === "" || raw === ".") return 0;
  let mask = cache.get(raw);
  if (mask !== undefined) return mask;
  mask = 0;
  for (const token of raw.split(/[|,/;]/)) {
    const t = token
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_");
    if (t === "" || t === ".") continue;
    const cls = INDEX.has(t) ? t : (ALIASES.get(t) ?? "other");
    mask |= 1 << INDEX.get(cls)!;
  }
  // Distinct spellings are few (tens in all of ClinVar); bound the cache anyway.
  if (cache.size < 10_000) cache.set(raw, mask);
  return mask;
}

/** The most significant class of a mask (its lowest bit) as a sort rank; CLIN_SIG_CLASSES.length when none. */
export function clinSigRank(mask: number): number {
  return mask === 0 ? CLIN_SIG_CLASSES.length : 31 - Math.clz32(mask & -mask);
}
