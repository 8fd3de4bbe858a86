/**
 * Sequence Ontology consequence terms with the impact and severity order Ensembl VEP gives them
 * (https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html, VEP 105+ table,
 * which added the three finer splice terms). The array order IS the severity order: index 0 is the
 * most severe. Terms are handled as their index (a small integer) on the hot path and turned into
 * strings only when an Annotation is built.
 */
import type { Impact } from "../model.ts";

export interface SoTerm {
  readonly term: string;
  readonly accession: string;
  readonly impact: Impact;
}

/** VEP's consequence table, most severe first. */
export const SO_TERMS: readonly SoTerm[] = [
  { term: "transcript_ablation", accession: "SO:0001893", impact: "HIGH" },
  { term: "splice_acceptor_variant", accession: "SO:0001574", impact: "HIGH" },
  { term: "splice_donor_variant", accession: "SO:0001575", impact: "HIGH" },
  { term: "stop_gained", accession: "SO:0001587", impact: "HIGH" },
  { term: "frameshift_variant", accession: "SO:0001589", impact: "HIGH" },
  { term: "stop_lost", accession: "SO:0001578", impact: "HIGH" },
  { term: "start_lost", accession: "SO:0002012", impact: "HIGH" },
  { term: "transcript_amplification", accession: "SO:0001889", impact: "HIGH" },
  { term: "feature_elongation", accession: "SO:0001907", impact: "HIGH" },
  { term: "feature_truncation", accession: "SO:0001906", impact: "HIGH" },
  { term: "inframe_insertion", accession: "SO:0001821", impact: "MODERATE" },
  { term: "inframe_deletion", accession: "SO:0001822", impact: "MODERATE" },
  { term: "missense_variant", accession: "SO:0001583", impact: "MODERATE" },
  { term: "protein_altering_variant", accession: "SO:0001818", impact: "MODERATE" },
  { term: "splice_donor_5th_base_variant", accession: "SO:0001787", impact: "LOW" },
  { term: "splice_region_variant", accession: "SO:0001630", impact: "LOW" },
  { term: "splice_donor_region_variant", accession: "SO:0002170", impact: "LOW" },
  { term: "splice_polypyrimidine_tract_variant", accession: "SO:0002169", impact: "LOW" },
  { term: "incomplete_terminal_codon_variant", accession: "SO:0001626", impact: "LOW" },
  { term: "start_retained_variant", accession: "SO:0002019", impact: "LOW" },
  { term: "stop_retained_variant", accession: "SO:0001567", impact: "LOW" },
  { term: "synonymous_variant", accession: "SO:0001819", impact: "LOW" },
  { term: "coding_sequence_variant", accession: "SO:0001580", impact: "MODIFIER" },
  { term: "mature_miRNA_variant", accession: "SO:0001620", impact: "MODIFIER" },
  { term: "5_prime_UTR_variant", accession: "SO:0001623", impact: "MODIFIER" },
  { term: "3_prime_UTR_variant", accession: "SO:0001624", impact: "MODIFIER" },
  { term: "non_coding_transcript_exon_variant", accession: "SO:0001792", impact: "MODIFIER" },
  { term: "intron_variant", accession: "SO:0001627", impact: "MODIFIER" },
  { term: "NMD_transcript_variant", accession: "SO:0001621", impact: "MODIFIER" },
  { term: "non_coding_transcript_variant", accession: "SO:0001619", impact: "MODIFIER" },
  { term: "coding_transcript_variant", accession: "SO:0001968", impact: "MODIFIER" },
  { term: "upstream_gene_variant", accession: "SO:0001631", impact: "MODIFIER" },
  { term: "downstream_gene_variant", accession: "SO:0001632", impact: "MODIFIER" },
  { term: "TFBS_ablation", accession: "SO:0001895", impact: "MODIFIER" },
  { term: "TFBS_amplification", accession: "SO:0001892", impact: "MODIFIER" },
  { term: "TF_binding_site_variant", accession: "SO:0001782", impact: "MODIFIER" },
  { term: "regulatory_region_ablation", accession: "SO:0001894", impact: "MODIFIER" },
  { term: "regulatory_region_amplification", accession: "SO:0001891", impact: "MODIFIER" },
  { term: "regulatory_region_variant", accession: "SO:0001566", impact: "MODIFIER" },
  { term: "intergenic_variant", accession: "SO:0001628", impact: "MODIFIER" },
  { term: "sequence_variant", accession: "SO:0001060", impact: "MODIFIER" },
];

function indexOf(term: string): number {
  const i = SO_TERMS.findIndex((t) => t.term === term);
  if (i < 0) throw new Error(`unknown SO term ${term}`);
  return i;
}

/** Severity ranks (indices into SO_TERMS) of the terms the transcript code emits. */
export const SO = {
  transcriptAblation: indexOf("transcript_ablation"),
  spliceAcceptor: indexOf("splice_acceptor_variant"),
  spliceDonor: indexOf("splice_donor_variant"),
  stopGained: indexOf("stop_gained"),
  frameshift: indexOf("frameshift_variant"),
  stopLost: indexOf("stop_lost"),
  startLost: indexOf("start_lost"),
  inframeInsertion: indexOf("inframe_insertion"),
  inframeDeletion: indexOf("inframe_deletion"),
  missense: indexOf("missense_variant"),
  proteinAltering: indexOf("protein_altering_variant"),
  spliceDonor5thBase: indexOf("splice_donor_5th_base_variant"),
  spliceRegion: indexOf("splice_region_variant"),
  spliceDonorRegion: indexOf("splice_donor_region_variant"),
  splicePolypyrimidine: indexOf("splice_polypyrimidine_tract_variant"),
  incompleteTerminalCodon: indexOf("incomplete_terminal_codon_variant"),
  startRetained: indexOf("start_retained_variant"),
  stopRetained: indexOf("stop_retained_variant"),
  synonymous: indexOf("synonymous_variant"),
  codingSequence: indexOf("coding_sequence_variant"),
  utr5: indexOf("5_prime_UTR_variant"),
  utr3: indexOf("3_prime_UTR_variant"),
  nonCodingExon: indexOf("non_coding_transcript_exon_variant"),
  intron: indexOf("intron_variant"),
  nmd: indexOf("NMD_transcript_variant"),
  nonCoding: indexOf("non_coding_transcript_variant"),
  codingTranscript: indexOf("coding_transcript_variant"),
  upstream: indexOf("upstream_gene_variant"),
  downstream: indexOf("downstream_gene_variant"),
  intergenic: indexOf("intergenic_variant"),
  // Structural variants only (consequence/structural-variant.ts).
  transcriptAmplification: indexOf("transcript_amplification"),
  featureElongation: indexOf("feature_elongation"),
  featureTruncation: indexOf("feature_truncation"),
  sequenceVariant: indexOf("sequence_variant"),
} as const;

const IMPACT_ORDER: readonly Impact[] = ["HIGH", "MODERATE", "LOW", "MODIFIER"];

/** A distinct set of consequence terms, most severe first, and its highest impact. */
export interface TermSet {
  /** Small integer, unique per set in this process (counters index arrays with it). */
  readonly id: number;
  readonly consequences: string[];
  readonly impact: Impact;
  /**
   * Sort key, most severe lowest: impact first, then VEP's rank of the most severe term (the
   * order of output/severity-order.ts's bySeverity, as one number).
   */
  readonly severity: number;
}

// Transcripts produce only a few hundred distinct term sets, so each set is built once and shared:
// this saves the per-annotation sort, dedupe and array, and lets the ANN writer cache the encoded
// `terms|impact|` text by the array's identity. Shared arrays must not be mutated.
const termSets = new Map<number, TermSet>();
const termSetsById: TermSet[] = [];

/**
 * Turns a bag of term ranks (duplicates allowed, any order) into the shared TermSet: term names
 * sorted most severe first, and the highest impact among them.
 */
export function finishTerms(ranks: readonly number[]): TermSet {
  // Ranks are < 41: a bit set split in two 32-bit halves, combined into one exact number key.
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < ranks.length; i++) {
    const r = ranks[i]!;
    if (r < 32) lo |= 1 << r;
    else hi |= 1 << (r - 32);
  }
  const key = hi * 4294967296 + (lo >>> 0);
  let set = termSets.get(key);
  if (set === undefined) {
    set = buildTermSet(ranks, termSetsById.length);
    termSets.set(key, set);
    termSetsById.push(set);
  }
  return set;
}

/** The TermSet with this id (see TermSet.id). */
export function termSetById(id: number): TermSet {
  return termSetsById[id]!;
}

function buildTermSet(bag: readonly number[], id: number): TermSet {
  const ranks = [...new Set(bag)].sort((a, b) => a - b);
  const consequences = ranks.map((r) => SO_TERMS[r]!.term);
  // Ranks are ordered so that impact never increases down the table except for the regulatory
  // block, which the transcript code never emits; still, take the true maximum.
  let best = 3;
  for (const r of ranks) {
    const i = IMPACT_ORDER.indexOf(SO_TERMS[r]!.impact);
    if (i < best) best = i;
  }
  return { id, consequences, impact: IMPACT_ORDER[best]!, severity: best * 64 + (ranks[0] ?? SO_TERMS.length) };
}
