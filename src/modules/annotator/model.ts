/**
 * The annotation engine's shared data model. Every part of the engine (VCF I/O, reference data,
 * consequence calling, HGVS, output) speaks these types, so they are kept small and plain.
 *
 * Coordinates are 1-based and inclusive, as in VCF and GFF, throughout the engine.
 */

export type Strand = 1 | -1;

/** One exon, genomic coordinates, 1-based inclusive. */
export interface Exon {
  start: number;
  end: number;
}

/** The coding part of a transcript. */
export interface CodingRegion {
  /** Genomic span of the CDS, 1-based inclusive, stop codon included when the models give it. */
  start: number;
  end: number;
  /** `cds_start_NF`: the 5' end of the CDS is incomplete (no start codon in the model). */
  startIncomplete: boolean;
  /** `cds_end_NF`: the 3' end of the CDS is incomplete (no stop codon in the model). */
  endIncomplete: boolean;
  /**
   * GFF phase of the first CDS segment in transcript orientation (0, 1 or 2): how many bases to
   * skip before the first complete codon. Non-zero only for 5'-incomplete CDS.
   */
  startPhase: number;
}

/** Genetic code used to translate a transcript. */
export type CodonTableId = 1 | 2; // 1 = standard, 2 = vertebrate mitochondrial

/** A transcript model, as compiled from GFF3/GTF by the reference module. */
export interface Transcript {
  /** Stable ID without GFF prefixes such as `transcript:` (e.g. `ENST00000307301`). */
  id: string;
  /** Version from the models when given (`version=` / `transcript_version`), else null. */
  version: number | null;
  geneId: string;
  /** Gene symbol, or the gene ID when the models give none. */
  geneName: string;
  /** Transcript biotype (`protein_coding`, `nonsense_mediated_decay`, `lincRNA`, ...). */
  biotype: string;
  /** Contig name as the FASTA names it (aliases resolved at load). */
  contig: string;
  strand: Strand;
  /** Transcript span, 1-based inclusive. */
  start: number;
  end: number;
  /** Exons sorted by ascending genomic start, non-overlapping. */
  exons: Exon[];
  /** Null for non-coding transcripts. */
  coding: CodingRegion | null;
  codonTable: CodonTableId;
  /** Tags from the models (`basic`, `CCDS`, `Ensembl_canonical`, `MANE_Select`, `mRNA_start_NF`, ...). */
  tags: string[];
  // The identity and choice fields below are absent when the models do not give them (Ensembl 84
  // has no MANE, canonical or APPRIS tags): VEP's CSQ columns and --pick read them
  // (reference/transcript-xrefs.ts says which attribute of which dialect gives each).
  /** Protein stable ID from the CDS rows (`protein_id`); a RefSeq `NP_059142.2` keeps its version in the ID. */
  proteinId?: string;
  /** `protein_version` (GTF) or the `.N` of a GENCODE-style `ENSP….N`, when given. */
  proteinVersion?: number;
  /** The gene's HGNC ID (`HGNC:14027`), when the models give one. */
  hgncId?: string;
  /** Where the gene symbol comes from (VEP's SYMBOL_SOURCE: `HGNC`, `EntrezGene`, `RFAM`, …). */
  symbolSource?: string;
  /** MANE Select transcript: the matched ID of the other set when the models give it, else its own versioned ID. */
  maneSelect?: string;
  /** MANE Plus Clinical transcript, worded as maneSelect. */
  manePlusClinical?: string;
  /** Transcript support level 1–5 (`transcript_support_level`); absent for NA. */
  tsl?: number;
  /** APPRIS as VEP writes it: `P1`…`P5` (principal), `A1`, `A2` (alternative). */
  appris?: string;
  /** CCDS ID (`CCDS13573.1`), or `CCDS` when only the tag says the transcript is in CCDS. */
  ccds?: string;
}

/** Sequence of a transcript, built once per transcript from the genome (see reference module). */
export interface TranscriptSequence {
  /** Spliced exon sequence in transcript orientation (5'→3'), upper case. */
  cdna: string;
  /** 0-based offset in `cdna` of the first CDS base (after startPhase is NOT applied), or -1. */
  cdsStart: number;
  /** 0-based offset in `cdna` one past the last CDS base, or -1. */
  cdsEnd: number;
}

/**
 * Synchronous access to reference bases around the variants being annotated. The pipeline loads
 * the window it needs (asynchronously) before it calls the synchronous consequence code.
 */
export interface GenomeWindow {
  readonly contig: string;
  /** Bases start..end (1-based inclusive, forward strand, upper case); `N` outside the contig. */
  slice(start: number, end: number): string;
}

/**
 * One ALT allele of a VCF record, trimmed to its minimal representation: the common prefix is
 * removed first (VEP's anchor base), then the common suffix. An insertion has `ref === ""` and
 * `end === start - 1` (it lies between end and start); a deletion has `alt === ""`.
 */
export interface Allele {
  contig: string;
  start: number;
  end: number;
  ref: string;
  alt: string;
  /** The ALT exactly as written in the VCF: the ANN `Allele` field. */
  vcfAlt: string;
  /**
   * For an insertion or deletion written with more REF than it needs (a repeat unit spelled out,
   * a multi-allelic record), its leftmost equivalent placement inside the written REF span (VEP's
   * anchor base first, then the common suffix, then the prefix), when that differs from this one.
   * VEP keeps the whole REF span: a transcript this placement overlaps while the minimal one does
   * not is annotated at it (consequence/indel-placement.ts). Absent otherwise.
   */
  spanLeft?: Allele;
  /**
   * Set for a symbolic structural-variant ALT (`<DEL>`, `<DUP>`, `<INS:ME:ALU>`, …): then `start`..
   * `end` is VEP's span (POS + 1 .. END; an insertion has end = start - 1), `ref` and `alt` are
   * empty, and consequences come from consequence/structural-variant.ts. Absent for sequence ALTs.
   */
  sv?: StructuralVariant;
}

/** What VEP's StructuralVariationFeature knows of a symbolic ALT (vcf/structural-allele.ts). */
export interface StructuralVariant {
  /** VEP's class_SO_term: deletion, duplication, tandem_duplication, insertion, Alu_insertion, inversion, copy_number_variation, … */
  soClass: string;
  /** VEP's deletion() / copy_number_loss(): the class removes sequence (ablation, truncation, frameshift). */
  loss: boolean;
  /** VEP's copy_number_gain(): duplication, tandem duplication or a gain (amplification, elongation). */
  gain: boolean;
  /** VEP's insertion(): an insertion class (elongation). */
  insertion: boolean;
}

export type Impact = "HIGH" | "MODERATE" | "LOW" | "MODIFIER";

/** One ANN entry: an allele's effect on one feature (transcript or intergenic region). */
export interface Annotation {
  /** ALT exactly as in the VCF. */
  allele: string;
  /** Sequence Ontology terms, most severe first. */
  consequences: string[];
  impact: Impact;
  geneName: string;
  geneId: string;
  featureType: "transcript" | "intergenic_region";
  featureId: string;
  biotype: string;
  /** Exon or intron rank as `N/TOTAL`, or "". */
  rank: string;
  hgvsC: string;
  hgvsP: string;
  /** `pos/len` strings, "" when not applicable. */
  cdnaPos: string;
  cdsPos: string;
  aaPos: string;
  /** Distance to the feature for up/downstream and intergenic, "" otherwise. */
  distance: string;
  /** Warnings such as `WARNING_REF_DOES_NOT_MATCH_GENOME`, `INFO_REALIGN_3_PRIME`. */
  messages: string[];
}
