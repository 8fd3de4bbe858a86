/**
 * Per-transcript consequence calling: one Allele against one Transcript gives one ANN entry
 * (SO terms most severe first, impact, rank, HGVS c./p., positions, distance, messages), or null
 * when the allele is farther than the up/downstream distance.
 *
 * Rules follow Ensembl VEP: up/downstream by strand within 5 kb; transcript_ablation alone for a
 * deletion covering the transcript; UTR/CDS/intron/splice terms (an insertion at an exon/intron
 * junction is exonic too; frameshift introns of ≤ 13 bp count as exonic, see splice-sites.ts);
 * non_coding_transcript_exon_variant vs intron_variant + non_coding_transcript_variant for
 * transcripts without a CDS; NMD_transcript_variant for the nonsense_mediated_decay biotype;
 * coding_transcript_variant when nothing more specific applies. Consequences use the allele where
 * it is given (an indel written with spare REF: see indel-placement.ts); only the HGVS
 * descriptions are shifted 3′.
 *
 * Field conventions (SnpEff ANN style): Feature_ID is `id.version`; Rank is the exon rank for
 * exonic hits, else the intron rank (`N/TOTAL`, `a-b/TOTAL` when several); cDNA.pos is the 5′-most
 * exonic base (for an insertion, the base 5′ of it); CDS.pos uses c. numbering (c.1 = first
 * annotated CDS base); AA.pos counts codons of the CDS padded by the GFF phase, as Ensembl does,
 * so the partial first codon of a 5′-incomplete CDS is residue 1; Distance is only filled for
 * up/downstream hits (bases between the allele and the transcript end it lies beyond).
 */
import type { Allele, Annotation, GenomeWindow, Transcript, TranscriptSequence } from "../model.ts";
import { describeHgvsC, describeIntronSubstitution } from "../hgvs/hgvs-c.ts";
import { reverseComplement } from "../hgvs/nucleotides.ts";
import { exonIndexAtOrBefore, exonRank, intronRank, layoutOf, type TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { AlleleEffect, MessageFlag, toAnnotation } from "./allele-effect.ts";
import { cdsContextOf, codingBoundaryChange, codingChange } from "./coding-change.ts";
import { placementOn } from "./indel-placement.ts";
import { finishTerms, SO, type TermSet } from "./so-terms.ts";
import { type IntronHit, spliceTerms } from "./splice-sites.ts";

function overlap(s1: number, e1: number, s2: number, e2: number): boolean {
  return e1 >= s2 && s1 <= e2;
}

function cdnaOf(l: TranscriptLayout, i: number, g: number): number {
  return l.strand === 1 ? l.cdna5[i]! + (g - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! - g);
}

function baseMessages(l: TranscriptLayout): number {
  return (l.startIncomplete ? MessageFlag.noStartCodon : 0) | (l.endIncomplete ? MessageFlag.noStopCodon : 0);
}

const UTR5 = 1;
const UTR3 = 2;
const CDS = 4;

/** Which coding parts (UTR5 | UTR3 | CDS bits) the cDNA span [lo, hi] touches. */
function codingParts(l: TranscriptLayout, lo: number, hi: number, insertion: boolean): number {
  let parts = 0;
  if (overlap(lo, hi, 1, l.cdsStart - 1) || (insertion && lo === l.cdsStart)) parts |= UTR5;
  if (overlap(lo, hi, l.cdsEnd + 1, l.cdnaLength) || (insertion && hi === l.cdsEnd)) parts |= UTR3;
  if (overlap(lo, hi, l.cdsStart, l.cdsEnd)) parts |= CDS;
  return parts;
}

/**
 * Annotates `allele` on transcript `t`. `seq` is the transcript's spliced sequence (null for
 * non-coding transcripts or when unavailable: coding effects then degrade to
 * coding_sequence_variant); `genome` supplies intronic/flanking bases for HGVS 3′ shifting.
 * Never throws on odd models (incomplete CDS, CDS outside the exons, N bases).
 */
export function annotateTranscript(
  allele: Allele,
  t: Transcript,
  seq: TranscriptSequence | null,
  genome: GenomeWindow,
  upDownDistance = 5000,
): Annotation | null {
  const e = transcriptEffect(allele, t, seq, genome, upDownDistance);
  return e === null ? null : toAnnotation(e);
}

// Term ranks of the transcript being annotated: one array reused by every call (the calls are
// synchronous and finishTerms copies nothing from it).
const terms: number[] = [];
const intronHit: IntronHit = { first: -1, last: -1, frameshift: false };
const INTERGENIC_PLACEHOLDER = finishTerms([SO.intergenic]);

/**
 * annotateTranscript's result as an AlleleEffect (numbers, not strings): the annotator's hot
 * path. With `into`, that object is filled and returned instead of a new one (EffectPool).
 */
export function transcriptEffect(
  allele: Allele,
  t: Transcript,
  seq: TranscriptSequence | null,
  genome: GenomeWindow,
  upDownDistance = 5000,
  into: AlleleEffect | null = null,
): AlleleEffect | null {
  return transcriptEffectOn(allele, t, layoutOf(t), seq, genome, upDownDistance, into);
}

/**
 * transcriptEffect with the transcript's layout already at hand (layoutOf(t)): the record
 * annotator looks it up once per allele and transcript for the span check and passes it on (each
 * lookup is a WeakMap get, 1.4 % of the 1M-variant bench's samples here).
 */
export function transcriptEffectOn(
  allele: Allele,
  t: Transcript,
  l: TranscriptLayout,
  seq: TranscriptSequence | null,
  genome: GenomeWindow,
  upDownDistance: number,
  into: AlleleEffect | null,
): AlleleEffect | null {
  if (allele.spanLeft !== undefined) allele = placementOn(allele, t);
  // The span is read from the layout, not from `t` (TranscriptLayout.start says why).
  const s = allele.start;
  const e = allele.end; // insertion: e = s - 1
  const tStart = l.start;
  const tEnd = l.end;
  if (e < tStart - upDownDistance || s > tEnd + upDownDistance) return null;
  const plus = l.strand === 1;
  const cdna = seq !== null && seq.cdna.length === l.cdnaLength ? seq.cdna : null;
  terms.length = 0;

  if (e < tStart || s > tEnd) {
    const before = e < tStart;
    if (before && tStart - e > upDownDistance) return null;
    if (!before && s - tEnd > upDownDistance) return null;
    const fx = effectWith(before === plus ? UPSTREAM : DOWNSTREAM, allele, t, l, into);
    describeHgvsC(allele, l, cdna, genome, fx);
    fx.messages = baseMessages(l) | (fx.realigned ? MessageFlag.realigned : 0);
    fx.distance = before ? tStart - e : s - tEnd;
    return fx;
  }

  if (s === e && allele.ref.length === 1 && allele.alt.length === 1) {
    const i = deepIntron(l, s);
    if (i >= 0) return deepIntronEffect(allele, t, l, i, into);
  }

  const insertion = e < s;
  if (!insertion && allele.alt.length < allele.ref.length && s <= tStart && e >= tEnd)
    return ablationEffect(allele, t, l, cdna, genome, into);

  // Exonic part: exon index range and the cDNA span (single exon) of the allele.
  let exFirst = -1;
  let exLast = -1;
  let cs = 0;
  let ce = 0;
  let cdnaFirst = 0;
  let parts = 0;
  if (insertion) {
    // An insertion is exonic when either flank base is, so one at an exon/intron junction is too:
    // Ensembl's Mapper::map_insert maps it onto the exon side, and VEP's variation_effect.t expects
    // splice_region_variant + frameshift_variant "between the last exon base and the first
    // intron base" (and between the last intron base and the first exon base).
    let i = exonIndexAtOrBefore(l, e);
    let flank = e;
    if (i < 0 || e > l.gEnd[i]!) {
      i++;
      flank = s;
      if (i >= l.exonCount || s !== l.gStart[i]!) i = -1;
    }
    if (i >= 0) {
      exFirst = exLast = i;
      // Between cDNA ce and cs: after the flank when it is the 5′ one in transcript orientation.
      cs = cdnaOf(l, i, flank) + (flank === (plus ? e : s) ? 1 : 0);
      ce = cs - 1;
      cdnaFirst = ce;
      if (l.coding) parts |= codingParts(l, cs, ce, true);
    }
  } else {
    for (let i = exonIndexAtOrBefore(l, e); i >= 0 && l.gEnd[i]! >= s; i--) {
      const a = cdnaOf(l, i, Math.max(s, l.gStart[i]!));
      const b = cdnaOf(l, i, Math.min(e, l.gEnd[i]!));
      cs = Math.min(a, b);
      ce = Math.max(a, b);
      if (exLast < 0) exLast = i;
      exFirst = i;
      if (cdnaFirst === 0 || cs < cdnaFirst) cdnaFirst = cs;
      if (l.coding) parts |= codingParts(l, cs, ce, false);
    }
  }
  const exonic = exFirst >= 0;
  const hit = spliceTerms(l, s, e, exonic, terms, intronHit);
  // In a frameshift intron VEP's within_cds / within_cdna hold (VariationEffect.pm): CDS, or the
  // UTR on its side of the CDS, as if exonic; no peptide, so coding_sequence_variant in the CDS.
  if (hit.frameshift && l.coding) parts |= frameshiftIntronParts(t, plus, s, e);
  const fullyExonic = exonic && exFirst === exLast && hit.first < 0 && (insertion || (s >= l.gStart[exFirst]! && e <= l.gEnd[exFirst]!));

  let hgvsPText = "";
  let cdsPos = -1;
  let aaPos = -1;
  if (l.coding) {
    if (parts & UTR5) terms.push(SO.utr5);
    if (parts & UTR3) terms.push(SO.utr3);
    if (parts & CDS) {
      const altTx = plus ? allele.alt : reverseComplement(allele.alt);
      const ctx = seq !== null ? cdsContextOf(seq, l, l.codonTable) : null;
      const inside = fullyExonic && cs >= l.cdsStart && ce <= l.cdsEnd;
      if (inside) {
        cdsPos = (insertion ? ce : cs) - l.cdsStart + 1;
        if (ctx !== null) {
          const x = cs - l.cdsStart + l.framePad;
          const y = ce - l.cdsStart + l.framePad;
          const r = codingChange(ctx, l, x, y, altTx, terms);
          hgvsPText = r.hgvsP;
          if (r.aaIndex >= 0) aaPos = r.aaIndex + 1;
        } else {
          terms.push(SO.codingSequence);
        }
      } else if (fullyExonic) {
        codingBoundaryChange(ctx, l, cdna, cs, ce, altTx, terms);
      } else {
        terms.push(SO.codingSequence);
      }
    }
    if (l.nmd) terms.push(SO.nmd);
    if (terms.length === 0) terms.push(SO.codingTranscript);
  } else {
    terms.push(exonic ? SO.nonCodingExon : SO.nonCoding);
    if (l.nmd) terms.push(SO.nmd);
  }

  const fx = newEffect(allele, t, l, into);
  // Every allele inside the transcript touches an exon or an intron (junction insertions are exonic).
  if (exonic) fx.setRank(exonRank(l, exFirst), exonRank(l, exLast), l.exonCount);
  else if (hit.first >= 0) fx.setRank(intronRank(l, hit.first), intronRank(l, hit.last), l.exonCount - 1);

  describeHgvsC(allele, l, cdna, genome, fx);
  fx.messages = baseMessages(l) | (fx.realigned ? MessageFlag.realigned : 0);
  fx.hgvsP = hgvsPText;
  fx.cdnaPos = exonic ? cdnaFirst : -1;
  fx.cdsPos = cdsPos;
  fx.aaPos = aaPos;
  return fx;
}

/** UTR5 | UTR3 | CDS bits for an allele in a frameshift intron of a coding transcript (genomic test, as VEP's _before_coding / _after_coding). */
function frameshiftIntronParts(t: Transcript, plus: boolean, s: number, e: number): number {
  const c = t.coding!;
  let parts = 0;
  if (overlap(s, e, c.start, c.end)) parts |= CDS;
  if (s < c.start) parts |= plus ? UTR5 : UTR3;
  if (e > c.end) parts |= plus ? UTR3 : UTR5;
  return parts;
}

/**
 * A deletion (ALT shorter than REF) covering the whole transcript: transcript_ablation alone, as
 * VEP's feature_ablation (VariationEffect.pm: complete_overlap_feature and deletion) is a tier-1
 * consequence after which get_all_OverlapConsequences adds no tier-3 term. Rank: every exon; HGVS
 * from flank to flank (`c.-13_*26del`); no cDNA/CDS/protein position (none is inside).
 */
function ablationEffect(
  allele: Allele,
  t: Transcript,
  l: TranscriptLayout,
  cdna: string | null,
  genome: GenomeWindow,
  into: AlleleEffect | null,
): AlleleEffect {
  terms.push(SO.transcriptAblation);
  const fx = newEffect(allele, t, l, into);
  fx.setRank(1, l.exonCount, l.exonCount);
  describeHgvsC(allele, l, cdna, genome, fx);
  fx.messages = baseMessages(l) | (fx.realigned ? MessageFlag.realigned : 0);
  return fx;
}

/**
 * Bases from an exon within which an intronic base may get a splice-related term (the widest
 * reach in spliceTerms: the polypyrimidine tract, intron bases 3–17 from the acceptor).
 */
const SPLICE_REACH = 17;

/**
 * Genomic index i of the intron (after exon i) that holds position g at least SPLICE_REACH bases
 * from both of its exons, or -1. The ~65 % of benchmark entries that are such intronic SNVs get
 * the short path below.
 */
function deepIntron(l: TranscriptLayout, g: number): number {
  const i = exonIndexAtOrBefore(l, g);
  if (i < 0 || i >= l.exonCount - 1) return -1;
  return g - l.gEnd[i]! > SPLICE_REACH && l.gStart[i + 1]! - g > SPLICE_REACH ? i : -1;
}

/**
 * What the general path gives an SNV deep in intron i (splice terms cannot apply and no exon is
 * touched): intron_variant (+ non_coding_transcript_variant, NMD_transcript_variant as for any
 * intronic hit), the intron's rank and its c./n. position, without the general path's searches.
 */
function deepIntronEffect(allele: Allele, t: Transcript, l: TranscriptLayout, i: number, into: AlleleEffect | null): AlleleEffect {
  const fx = effectWith(DEEP_INTRON[(l.coding ? 0 : 1) | (l.nmd ? 2 : 0)]!, allele, t, l, into);
  const rank = intronRank(l, i);
  fx.setRank(rank, rank, l.exonCount - 1);
  describeIntronSubstitution(allele, l, i, fx);
  fx.messages = baseMessages(l);
  return fx;
}

/** An effect on `t` with the terms collected so far: `into` reset, or a new one. */
function newEffect(allele: Allele, t: Transcript, l: TranscriptLayout, into: AlleleEffect | null): AlleleEffect {
  return effectWith(finishTerms(terms), allele, t, l, into);
}

function effectWith(set: TermSet, allele: Allele, t: Transcript, l: TranscriptLayout, into: AlleleEffect | null): AlleleEffect {
  const fx = into ?? new AlleleEffect(allele, INTERGENIC_PLACEHOLDER);
  fx.reset(allele, set, t, l);
  return fx;
}

// The term sets of the commonest entries, looked up once rather than per entry (finishTerms is a
// Map get: ~3 entries per variant, ~90 % of them these).
const UPSTREAM = finishTerms([SO.upstream]);
const DOWNSTREAM = finishTerms([SO.downstream]);
/** Deep-intron SNVs by (coding ? 0 : 1) | (NMD ? 2 : 0), in deepIntronEffect's term order. */
const DEEP_INTRON = [
  finishTerms([SO.intron]),
  finishTerms([SO.intron, SO.nonCoding]),
  finishTerms([SO.intron, SO.nmd]),
  finishTerms([SO.intron, SO.nonCoding, SO.nmd]),
];
