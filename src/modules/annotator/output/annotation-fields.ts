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
}

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
  return (fields.ann && key === "ANN") || (fields.csq && key === "CSQ") || key.startsWith("KNOWN_");
}
