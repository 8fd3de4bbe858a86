/**
 * The ANN field is SnpEff's format, and SnpEff's own readers (SnpSift extractFields / filter,
 * GATK-era tools built on SnpEff's VcfEffect) parse every Annotation term into SnpEff's EffectType
 * enum: one unknown term aborts them (`Cannot parse EffectType 'splice_polypyrimidine_tract_variant'`).
 * So ANN carries SnpEff's vocabulary, while CSQ (csq-field.ts), the TSV/JSON rows and the count
 * log keep VEP's.
 *
 * The terms SnpEff 5.1 parses are EffectType.toSequenceOntology's values plus its "old terms"
 * (inframe_insertion, inframe_deletion, non_coding_exon_variant, transcript, ...), listed in
 * snpeff-terms.test.ts from SnpEff's EffectType.java at tag v5.1. Each VEP term outside them becomes the term SnpEff itself writes for the same
 * situation, or is dropped when SnpEff writes nothing for it:
 * - intergenic_variant → intergenic_region (SnpEff's INTERGENIC);
 * - splice_donor_5th_base_variant, splice_donor_region_variant → splice_region_variant: intron
 *   bases +3..+6, inside SnpEff's splice region (intron bases 3–8), and the engine gives these
 *   two instead of splice_region_variant (consequence/splice-sites.ts);
 * - splice_polypyrimidine_tract_variant → dropped: acceptor-side bases -3..-8 already carry
 *   splice_region_variant, bases -9..-17 are intron_variant for SnpEff;
 * - NMD_transcript_variant → dropped: the Transcript_BioType column says nonsense_mediated_decay;
 * - protein_altering_variant, incomplete_terminal_codon_variant → coding_sequence_variant (their
 *   Sequence Ontology parent; SnpEff's CODON_CHANGE);
 * - coding_transcript_variant → non_coding_transcript_variant: SnpEff's TRANSCRIPT effect ("hits
 *   the transcript, nothing more specific"), which SnpEff 5.1 writes under that name for coding
 *   transcripts too; also what an entry gets when every term was dropped;
 * - mature_miRNA_variant → non_coding_transcript_exon_variant (what SnpEff writes for an exon of
 *   a miRNA transcript);
 * - transcript_amplification → duplication (SnpEff's TRANSCRIPT_DUPLICATION);
 * - feature_truncation → exon_loss_variant: only structural deletions get it, and only when they
 *   touch an exon (consequence/structural-variant.ts), which is when SnpEff writes its
 *   EXON_DELETED / EXON_DELETED_PARTIAL (exon_loss_variant);
 * - sequence_variant → dropped (SnpEff has no equivalent);
 * - TFBS_amplification → TF_binding_site_variant; regulatory_region_ablation / _amplification →
 *   regulatory_region_variant.
 * The order (most severe first) and the impact column are kept: the impact is VEP's impact of the
 * most severe VEP term.
 */

/** What SnpEff 5.1 writes when no term is left: its TRANSCRIPT effect. */
const NOTHING_LEFT = "non_coding_transcript_variant";

/** VEP term → SnpEff 5.1 term; null drops the term. Terms not listed are SnpEff terms already. */
export const VEP_TO_SNPEFF: Readonly<Record<string, string | null>> = {
  intergenic_variant: "intergenic_region",
  splice_donor_5th_base_variant: "splice_region_variant",
  splice_donor_region_variant: "splice_region_variant",
  splice_polypyrimidine_tract_variant: null,
  NMD_transcript_variant: null,
  protein_altering_variant: "coding_sequence_variant",
  incomplete_terminal_codon_variant: "coding_sequence_variant",
  coding_transcript_variant: NOTHING_LEFT,
  mature_miRNA_variant: "non_coding_transcript_exon_variant",
  transcript_amplification: "duplication",
  feature_truncation: "exon_loss_variant",
  sequence_variant: null,
  TFBS_amplification: "TF_binding_site_variant",
  regulatory_region_ablation: "regulatory_region_variant",
  regulatory_region_amplification: "regulatory_region_variant",
};

/** VEP terms (most severe first) in SnpEff's vocabulary, same order, without duplicates. */
export function toSnpEffTerms(vepTerms: readonly string[]): string[] {
  const out: string[] = [];
  for (const term of vepTerms) {
    const mapped = term in VEP_TO_SNPEFF ? VEP_TO_SNPEFF[term]! : term;
    if (mapped !== null && !out.includes(mapped)) out.push(mapped);
  }
  if (out.length === 0) out.push(NOTHING_LEFT);
  return out;
}
