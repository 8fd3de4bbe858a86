/**
 * Which annotation INFO fields the engine writes: `ANN` (SnpEff's format and vocabulary, for
 * SnpSift and GATK-era tools) and `CSQ` (VEP's, for bcftools +split-vep and filter_vep).
 * Both by default; `gas annotate --fields ann|csq|ann,csq` chooses.
 */
import type { PickCriterion, PickMode } from "../consequence/pick.ts";

export interface AnnotationFields {
  ann: boolean;
  csq: boolean;
  /**
   * VEP's transcript choice (consequence/pick.ts): which effects the fields hold (`pick`,
   * `pick-allele`, `per-gene`) or mark (`flag-pick`: CSQ's PICK column). Absent = every effect.
   * Carried here because these options travel wherever the fields do (workers, the engine thread).
   */
  pick?: PickMode;
  /** VEP's --pick_order for `pick` (default: VEP_PICK_ORDER). */
  pickOrder?: PickCriterion[];
  /** `--phased`: also write HCSQ, the compound consequences of each phased haplotype (consequence/haplotypes.ts). */
  phased?: boolean;
}

/** The VCF header lines `--phased` adds (bcftools csq's BCSQ layout, under our own names). */
export const PHASED_HEADER_LINES: readonly string[] = [
  '##INFO=<ID=HCSQ,Number=.,Type=String,Description="Haplotype-aware consequences of variants combined on one phased haplotype (gas annotate --phased). Format: Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change; @POS: see the record at POS">',
  '##INFO=<ID=HCSQ_UNPHASED,Number=.,Type=Integer,Description="1-based indexes of samples whose unphased heterozygous call here may combine with a nearby variant: no haplotype-aware call made for them">',
  '##FORMAT=<ID=HCSQ,Number=1,Type=Integer,Description="Bitmask of INFO/HCSQ entries on each haplotype: bit 2i = first haplotype, bit 2i+1 = second haplotype carries entry i">',
];

export const DEFAULT_ANNOTATION_FIELDS: Readonly<AnnotationFields> = { ann: true, csq: true };

/** Parses `ann`, `csq` or `ann,csq` (any order, case-insensitive); throws a message for anything else. */
export function parseAnnotationFields(text: string): AnnotationFields {
  const names = text.split(",").map((s) => s.trim().toLowerCase());
  const fields = { ann: false, csq: false };
  for (const name of names) {
    if (name !== "ann" && name !== "csq") throw new Error(`--fields takes ann, csq or ann,csq, not "${text}"`);
    fields[name] = true;
  }
  return fields;
}

/** INFO keys the engine owns with these fields: an input's own are replaced, not duplicated. */
export function ownsInfoKey(fields: AnnotationFields, key: string): boolean {
  return (
    (fields.ann && key === "ANN") ||
    (fields.csq && key === "CSQ") ||
    key.startsWith("KNOWN_") ||
    (fields.phased === true && (key === "HCSQ" || key === "HCSQ_UNPHASED"))
  );
}
