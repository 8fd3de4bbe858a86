/**
 * Consequences of a symbolic structural variant (`<DEL>`, `<DUP>`, `<INV>`, `<INS>`, `<CNV>`, …)
 * on one transcript, as VEP's TranscriptStructuralVariationAllele gets them: the predicates of
 * ensembl-variation's VariationEffect.pm for a StructuralVariationFeature, restricted to the
 * OverlapConsequences whose variant_feature_class is BaseVariationFeature (Utils/Config.pm): the
 * splice donor/acceptor/region terms, missense, synonymous, stop_gained… are VariationFeature-only
 * and never apply to an SV.
 * - transcript_ablation (a loss class covering the transcript) or transcript_amplification (a
 *   gain class covering it) alone: tier 1, after which VEP adds nothing (get_all_OverlapConsequences);
 * - feature_truncation: a loss class touching the cDNA (partial or inside, within_cdna);
 *   feature_elongation: a gain or insertion class inside the transcript touching the cDNA;
 * - frameshift_variant / inframe_deletion: a loss class inside one exon and in the CDS, its
 *   length not / a multiple of 3 (inframe: wholly inside the CDS);
 * - start_lost: the SV overlaps the start codon (genomic coding start + 2), both its ends in
 *   exons (_overlaps_start_codon needs cDNA start and end), the CDS 5′-complete; stop_lost: a loss
 *   class overlapping the stop codon (not on a 3′-incomplete CDS, where there is none: our addition);
 * - coding_sequence_variant: touches the CDS, no frameshift / inframe term, not covering the transcript;
 * - 5′/3′ UTR: touches the cDNA and the part of the transcript before / after the CDS (_before_coding);
 * - intron_variant and splice_polypyrimidine_tract_variant as for sequence variants (_intron_effects);
 * - non_coding_transcript_exon_variant, non_coding_transcript_variant, NMD_transcript_variant,
 *   coding_transcript_variant (covering a coding transcript without ablation/amplification: an
 *   inversion, a CNV) as their predicates say; sequence_variant when nothing applies (VEP's
 *   DEFAULT_OVERLAP_CONSEQUENCE, e.g. an SV on the essential splice bases only).
 * Up/downstream within 5 kb as for every variant. Not copied: VEP's `exon_loss_variant` does not
 * exist (it is SnpEff's term); HGVS is empty, as VEP writes none for SVs; cDNA/CDS/protein positions
 * are left empty in ANN (CSQ gives VEP's cDNA ranges from the span).
 */
import type { Allele, Transcript } from "../model.ts";
import { exonIndexAtOrBefore, exonRank, intronRank, layoutOf, type TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { AlleleEffect, MessageFlag } from "./allele-effect.ts";
import { finishTerms, SO } from "./so-terms.ts";
import { type IntronHit, spliceTerms } from "./splice-sites.ts";

function overlap(s1: number, e1: number, s2: number, e2: number): boolean {
  return e1 >= s2 && s1 <= e2;
}

const terms: number[] = [];
const scratch: number[] = [];
const intronHit: IntronHit = { first: -1, last: -1, frameshift: false };
const PLACEHOLDER = finishTerms([SO.sequenceVariant]);

/** Genomic index of the exon holding base g, or -1. */
function exonAt(l: TranscriptLayout, g: number): number {
  const i = exonIndexAtOrBefore(l, g);
  return i >= 0 && g <= l.gEnd[i]! ? i : -1;
}

/** The effect of SV allele `allele` (allele.sv set) on `t`, or null beyond the up/downstream distance. */
export function structuralEffect(
  allele: Allele,
  t: Transcript,
  upDownDistance = 5000,
  into: AlleleEffect | null = null,
): AlleleEffect | null {
  const sv = allele.sv!;
  const s = allele.start;
  const e = allele.end; // insertion: e = s - 1
  if (e < t.start - upDownDistance || s > t.end + upDownDistance) return null;
  const l = layoutOf(t);
  const plus = l.strand === 1;
  terms.length = 0;

  if (e < t.start || s > t.end) {
    const before = e < t.start;
    terms.push(before === plus ? SO.upstream : SO.downstream);
    const fx = newEffect(allele, t, l, into);
    fx.distance = before ? t.start - e : s - t.end;
    return fx;
  }

  const insertion = e < s;
  const complete = !insertion && s <= t.start && e >= t.end;
  if (complete && (sv.loss || sv.gain)) {
    terms.push(sv.loss ? SO.transcriptAblation : SO.transcriptAmplification);
    const fx = newEffect(allele, t, l, into);
    fx.setRank(1, l.exonCount, l.exonCount);
    return fx;
  }

  // Exons touched: for an insertion, an exonic flank (as for sequence insertions).
  let exFirst = -1;
  let exLast = -1;
  if (insertion) {
    const i = exonAt(l, e) >= 0 ? exonAt(l, e) : exonAt(l, s);
    exFirst = exLast = i;
  } else {
    for (let i = exonIndexAtOrBefore(l, e); i >= 0 && l.gEnd[i]! >= s; i--) {
      if (exLast < 0) exLast = i;
      exFirst = i;
    }
  }
  const exonic = exFirst >= 0;
  scratch.length = 0;
  const hit = spliceTerms(l, s, e, exonic, scratch, intronHit);
  if (scratch.includes(SO.intron)) terms.push(SO.intron);
  if (scratch.includes(SO.splicePolypyrimidine)) terms.push(SO.splicePolypyrimidine);
  const withinCdna = exonic || hit.frameshift;
  const inside = s >= t.start && e <= t.end;
  if (withinCdna && sv.loss) terms.push(SO.featureTruncation);
  if (withinCdna && inside && (sv.gain || sv.insertion)) terms.push(SO.featureElongation);

  const c = t.coding;
  if (l.coding && c !== null) {
    // The exonic part touches the CDS (an insertion: a flank in it), or a frameshift intron inside it.
    let withinCds = false;
    if (insertion) withinCds = exonic && overlap(e, s, c.start, c.end);
    else
      for (let i = exFirst; exonic && i <= exLast && !withinCds; i++)
        withinCds = overlap(Math.max(s, l.gStart[i]!), Math.min(e, l.gEnd[i]!), c.start, c.end);
    if (!withinCds && hit.frameshift) withinCds = overlap(s, e, c.start, c.end);
    const oneExon = !insertion && exonic && exFirst === exLast && s >= l.gStart[exFirst]! && e <= l.gEnd[exFirst]!;
    const length = e - s + 1;
    const frameshift = sv.loss && oneExon && withinCds && length % 3 !== 0;
    const inframeDeletion = sv.loss && oneExon && s >= c.start && e <= c.end && length % 3 === 0;
    if (frameshift) terms.push(SO.frameshift);
    if (inframeDeletion) terms.push(SO.inframeDeletion);
    const startCodon = plus ? [c.start, c.start + 2] : [c.end - 2, c.end];
    const endsExonic = exonAt(l, Math.min(s, e)) >= 0 && exonAt(l, Math.max(s, e)) >= 0;
    if (withinCds && !c.startIncomplete && endsExonic && overlap(s, e, startCodon[0]!, startCodon[1]!)) terms.push(SO.startLost);
    const stopCodon = plus ? [c.end - 2, c.end] : [c.start, c.start + 2];
    if (withinCds && sv.loss && !c.endIncomplete && overlap(s, e, stopCodon[0]!, stopCodon[1]!)) terms.push(SO.stopLost);
    if (withinCds && !complete && !frameshift && !inframeDeletion) terms.push(SO.codingSequence);
    if (withinCdna && overlap(s, e, t.start, c.start - 1)) terms.push(plus ? SO.utr5 : SO.utr3);
    if (withinCdna && overlap(s, e, c.end + 1, t.end)) terms.push(plus ? SO.utr3 : SO.utr5);
    // coding_unknown is false on a complete overlap, so coding_transcript_variant then holds.
    if (complete) terms.push(SO.codingTranscript);
  } else {
    if (exonic && !complete) terms.push(SO.nonCodingExon);
    else terms.push(SO.nonCoding);
  }
  if (l.nmd) terms.push(SO.nmd);
  if (terms.length === 0) terms.push(SO.sequenceVariant);

  const fx = newEffect(allele, t, l, into);
  if (exonic) fx.setRank(exonRank(l, exFirst), exonRank(l, exLast), l.exonCount);
  else if (hit.first >= 0) fx.setRank(intronRank(l, hit.first), intronRank(l, hit.last), l.exonCount - 1);
  return fx;
}

function newEffect(allele: Allele, t: Transcript, l: TranscriptLayout, into: AlleleEffect | null): AlleleEffect {
  const fx = into ?? new AlleleEffect(allele, PLACEHOLDER);
  fx.reset(allele, finishTerms(terms), t, l);
  fx.messages = (l.startIncomplete ? MessageFlag.noStartCodon : 0) | (l.endIncomplete ? MessageFlag.noStopCodon : 0);
  return fx;
}
