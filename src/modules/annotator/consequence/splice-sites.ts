/**
 * Intron and splice-site terms, as Ensembl VEP defines them (ensembl-variation
 * BaseTranscriptVariationAllele::_intron_effects for the regions, VariationEffect.pm's predicates
 * and Utils/Config.pm's OverlapConsequence `include` rules for which terms combine):
 * - splice_donor_variant / splice_acceptor_variant: the first / last 2 bases of an intron;
 * - intron_variant: intron bases 3..-3 (the essential 2 bp at each end do not count); an insertion
 *   counts from between bases +2/+3 to between -3/-2 (`$r_start == $intron_start+2 ||
 *   $r_end == $intron_end-2`);
 * - splice_region_variant: intron bases 3–8 from either end, or exon bases 1–3 next to an intron;
 *   insertions right at an exon/intron junction or between intron bases 2 and 3 count too
 *   (`_intron_overlap`); not with a donor/acceptor, 5th-base or donor-region term;
 * - splice_donor_5th_base_variant: intron base +5, kept beside a donor/acceptor hit;
 * - splice_donor_region_variant: intron bases +3..+6, unless the 5th base is hit (its predicate's
 *   only exclusion: a donor/acceptor hit keeps it);
 * - splice_polypyrimidine_tract_variant: intron bases -3..-17, kept with splice_region_variant and
 *   with a donor/acceptor; an insertion touching the tract from either side counts (VEP sorts the
 *   insertion's start/end before the overlap); never when the allele overlaps an exon (its
 *   OverlapConsequence requires `exon => 0`).
 * - Frameshift introns (VEP: `abs($intron_end - $intron_start) <= 12`, BaseTranscriptVariation
 *   `_create_intron_trees`, i.e. introns of up to 13 bp, gaps the gene build leaves to keep a
 *   frame): an allele overlapping one gets no intron or splice term from it (`within_frameshift_intron`,
 *   `next`); the caller treats it as part of the exons around it. Exonic bases next to it still
 *   get splice_region_variant, as in VEP (only the intron overlap is skipped).
 *   Not copied: VEP also widens every exon by 12 bp on transcripts with a frameshift intron
 *   (`_overlapped_exons`' stretch), which drops the polypyrimidine term within 12 bp of any exon
 *   there; a side effect rather than a rule.
 * Only real introns count, so the transcript's outer ends never get splice terms.
 */
import type { TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { exonIndexAtOrBefore } from "../hgvs/transcript-coordinates.ts";
import { SO } from "./so-terms.ts";

function overlap(s1: number, e1: number, s2: number, e2: number): boolean {
  return e1 >= s2 && s1 <= e2;
}

export interface IntronHit {
  /** Genomic index of the first and last intron overlapped (intron i lies after exon i), or -1. */
  first: number;
  last: number;
  /** The allele overlaps a frameshift intron (VEP's within_frameshift_intron). */
  frameshift: boolean;
}

/** VEP's frameshift-intron test on an intron's first and last genomic base. */
export function isFrameshiftIntron(is: number, ie: number): boolean {
  return ie - is <= 12;
}

/**
 * Pushes intron/splice term ranks for genomic variant [s, e] (insertion: e = s - 1) and returns
 * the introns it overlaps (in `hit`, reset first: callers on the hot path pass one to reuse).
 * `exonic`: the allele overlaps an exon (an insertion: either flank base is exonic), which rules
 * out the polypyrimidine term. Only the few introns near the variant are looked at.
 */
export function spliceTerms(
  l: TranscriptLayout,
  s: number,
  e: number,
  exonic: boolean,
  terms: number[],
  hit: IntronHit = { first: -1, last: -1, frameshift: false },
): IntronHit {
  const n = l.exonCount;
  hit.first = -1;
  hit.last = -1;
  hit.frameshift = false;
  if (n < 2) return hit;
  const insertion = e < s;
  // VEP's polypyrimidine test sorts start and end: an insertion spans its two flank bases.
  const lo = insertion ? e : s;
  const hi = insertion ? s : e;
  const plus = l.strand === 1;
  let donor = false;
  let acceptor = false;
  let region = false;
  let fifth = false;
  let donorRegion = false;
  let ppt = false;
  let intronic = false;
  // Introns whose ±17 bp neighbourhood can touch the variant.
  let j = Math.max(0, exonIndexAtOrBefore(l, s - 20));
  for (; j < n - 1; j++) {
    const is = l.gEnd[j]! + 1;
    const ie = l.gStart[j + 1]! - 1;
    if (is - 20 > e) break;
    if (is > ie) continue; // abutting or overlapping exons: no intron
    if (overlap(s, e, is, ie)) {
      if (hit.first < 0) hit.first = j;
      hit.last = j;
      if (isFrameshiftIntron(is, ie)) {
        hit.frameshift = true;
        continue;
      }
      // VEP's intron_variant leaves out the two essential bases at each end.
      if (overlap(s, e, is + 2, ie - 2) || (insertion && (s === is + 2 || e === ie - 2))) intronic = true;
    }
    if (ie + 20 < s) continue;
    const startSite = overlap(s, e, is, is + 1);
    const endSite = overlap(s, e, ie - 1, ie);
    if (plus ? startSite : endSite) donor = true;
    if (plus ? endSite : startSite) acceptor = true;
    if (
      overlap(s, e, is + 2, is + 7) ||
      overlap(s, e, ie - 7, ie - 2) ||
      overlap(s, e, is - 3, is - 1) ||
      overlap(s, e, ie + 1, ie + 3) ||
      (insertion && (s === is || e === ie || s === is + 2 || e === ie - 2))
    ) {
      region = true;
    }
    if (plus ? overlap(s, e, is + 4, is + 4) : overlap(s, e, ie - 4, ie - 4)) fifth = true;
    if (plus ? overlap(s, e, is + 2, is + 5) : overlap(s, e, ie - 5, ie - 2)) donorRegion = true;
    if (plus ? overlap(lo, hi, ie - 16, ie - 2) : overlap(lo, hi, is + 2, is + 16)) ppt = true;
  }
  if (intronic) terms.push(SO.intron);
  if (donor) terms.push(SO.spliceDonor);
  if (acceptor) terms.push(SO.spliceAcceptor);
  if (fifth) terms.push(SO.spliceDonor5thBase);
  const donorReg = donorRegion && !fifth;
  if (donorReg) terms.push(SO.spliceDonorRegion);
  if (ppt && !exonic) terms.push(SO.splicePolypyrimidine);
  if (region && !donor && !acceptor && !fifth && !donorReg) terms.push(SO.spliceRegion);
  return hit;
}
