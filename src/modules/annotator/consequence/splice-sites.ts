/**
 * Intron and splice-site terms, as Ensembl VEP defines them (BaseTranscriptVariation intron
 * effects, VEP 105+ splice terms):
 * - splice_donor_variant / splice_acceptor_variant: the first / last 2 bases of an intron;
 * - intron_variant: intron bases 3..-3 (the essential 2 bp at each end do not count);
 * - splice_region_variant: intron bases 3–8 from either end, or exon bases 1–3 next to an intron;
 *   insertions right at an exon/intron junction or between intron bases 2 and 3 count too;
 * - splice_donor_5th_base_variant: intron base +5; splice_donor_region_variant: intron bases
 *   +3..+6 (not +5); neither is combined with splice_region_variant;
 * - splice_polypyrimidine_tract_variant: intron bases -3..-17 (kept with splice_region_variant).
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
}

/**
 * Pushes intron/splice term ranks for genomic variant [s, e] (insertion: e = s - 1) and returns
 * the introns it overlaps (in `hit`, reset first: callers on the hot path pass one to reuse).
 * Only the few introns near the variant are looked at.
 */
export function spliceTerms(l: TranscriptLayout, s: number, e: number, terms: number[], hit: IntronHit = { first: -1, last: -1 }): IntronHit {
  const n = l.exonCount;
  hit.first = -1;
  hit.last = -1;
  if (n < 2) return hit;
  const insertion = e < s;
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
      // VEP's intron_variant leaves out the two essential bases at each end.
      if (overlap(s, e, is + 2, ie - 2)) intronic = true;
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
    if (plus ? overlap(s, e, ie - 16, ie - 2) : overlap(s, e, is + 2, is + 16)) ppt = true;
  }
  if (intronic) terms.push(SO.intron);
  if (donor) terms.push(SO.spliceDonor);
  if (acceptor) terms.push(SO.spliceAcceptor);
  const essential = donor || acceptor;
  const fifthBase = fifth && !essential;
  const donorReg = donorRegion && !essential && !fifthBase;
  if (fifthBase) terms.push(SO.spliceDonor5thBase);
  if (donorReg) terms.push(SO.spliceDonorRegion);
  if (ppt && !essential) terms.push(SO.splicePolypyrimidine);
  if (region && !essential && !fifthBase && !donorReg) terms.push(SO.spliceRegion);
  return hit;
}
