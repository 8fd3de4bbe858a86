/**
 * The columns of a CSQ entry that Ensembl VEP derives from transcript coordinates and codons,
 * worked out as VEP does (ensembl-variation's BaseTranscriptVariation and
 * TranscriptVariationAllele, VEP's OutputFactory):
 * - EXON / INTRON: the exons and introns the allele overlaps, `N/TOTAL` or `N-M/TOTAL`; an
 *   insertion counts for a feature only when both its flanking bases lie in it;
 * - cDNA_position, CDS_position, Protein_position: the allele's ends in transcript order, `a`,
 *   `a-b`, `?-b` or `a-?` where an end falls outside (an insertion: its two flanking bases);
 *   CDS positions count from the first CDS base, protein positions from the partial first codon
 *   of a 5′-incomplete CDS, as Ensembl does;
 * - Amino_acids / Codons: the reference and variant codons spanning the allele (`Agg/Ggg`, changed
 *   bases upper case, `-` for none) and their translation (`R/G`, one letter when unchanged, `X`
 *   for a partial codon);
 * - HGVSp's long frameshift form (`p.Arg97ProfsTer23`) and the extension length of a lost stop
 *   (`p.Ter110GlnextTer17`), counted on the variant protein as VEP counts them.
 * Positions are those of the engine's trimmed allele (VEP keeps the VCF's span for MNVs with
 * shared flanking bases; VEP's --minimal gives the trimmed one).
 */
import { type CdsContext, cdsContextOf } from "../consequence/coding-change.ts";
import { codonOf, translate, translateCodon } from "../consequence/codon-tables.ts";
import { aa3 } from "../hgvs/amino-acids.ts";
import { reverseComplement } from "../hgvs/nucleotides.ts";
import { exonIndexAtOrBefore, exonicCdna, exonRank, intronRank, type TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import type { Allele, TranscriptSequence } from "../model.ts";

/** A range of ranks or positions; 0 marks an end that is absent (both 0: none). */
export interface Range {
  lo: number;
  hi: number;
}

/** VEP's EXON column as ranks: the exons [start, end] overlaps (end = start - 1 for an insertion). */
export function exonRange(l: TranscriptLayout, start: number, end: number, r: Range): Range {
  r.lo = 0;
  r.hi = 0;
  for (let i = exonIndexAtOrBefore(l, end); i >= 0 && l.gEnd[i]! >= start; i--) widen(r, exonRank(l, i));
  return r;
}

/** VEP's INTRON column as ranks: the introns [start, end] overlaps (end = start - 1 for an insertion). */
export function intronRange(l: TranscriptLayout, start: number, end: number, r: Range): Range {
  r.lo = 0;
  r.hi = 0;
  // Intron i lies between exons i and i + 1.
  for (let i = Math.min(exonIndexAtOrBefore(l, end), l.exonCount - 2); i >= 0 && l.gStart[i + 1]! - 1 >= start; i--) {
    const is = l.gEnd[i]! + 1;
    if (is <= l.gStart[i + 1]! - 1 && end >= is) widen(r, intronRank(l, i));
  }
  return r;
}

function widen(r: Range, rank: number): void {
  if (r.lo === 0 || rank < r.lo) r.lo = rank;
  if (rank > r.hi) r.hi = rank;
}

/**
 * Where the allele lies in the transcript, 5′ end first: cDNA, CDS (unpadded, c. numbering) and
 * padded-CDS positions of its two ends; 0 where an end is outside exons / the CDS.
 */
export interface TxSpan {
  cdna5: number;
  cdna3: number;
  cds5: number;
  cds3: number;
}

/** Fills `s` for `allele` on the transcript of layout `l`. */
export function txSpan(l: TranscriptLayout, allele: Allele, s: TxSpan): TxSpan {
  const insertion = allele.end < allele.start;
  // The two genomic bases that bound the change: an insertion's flanks, else its first and last base.
  const gLo = insertion ? allele.end : allele.start;
  const gHi = insertion ? allele.start : allele.end;
  const plus = l.strand === 1;
  s.cdna5 = exonicCdna(l, plus ? gLo : gHi);
  s.cdna3 = exonicCdna(l, plus ? gHi : gLo);
  s.cds5 = cdsOf(l, s.cdna5);
  s.cds3 = cdsOf(l, s.cdna3);
  return s;
}

function cdsOf(l: TranscriptLayout, cdna: number): number {
  return l.coding && cdna >= l.cdsStart && cdna <= l.cdsEnd ? cdna - l.cdsStart + 1 : 0;
}

/** Protein residue of CDS position `cds` (0: none); a 5′-incomplete CDS's partial codon is residue 1. */
export function residueOf(l: TranscriptLayout, cds: number): number {
  return cds === 0 ? 0 : codonOf(cds - 1 + l.framePad) + 1;
}

/** What the codon columns and VEP's HGVSp need: the CDS context and the change in padded-CDS coordinates. */
export interface CodingEdit {
  ctx: CdsContext;
  /** Padded-CDS range replaced, 0-based inclusive; an insertion before x has y = x - 1. */
  x: number;
  y: number;
  /** The ALT in transcript orientation. */
  alt: string;
}

/**
 * The coding edit of an allele wholly inside the CDS, or null (an end outside the CDS, an intron
 * inside the span, or no sequence).
 */
export function codingEdit(l: TranscriptLayout, seq: TranscriptSequence | null, allele: Allele, s: TxSpan): CodingEdit | null {
  if (seq === null || s.cds5 === 0 || s.cds3 === 0) return null;
  const insertion = allele.end < allele.start;
  if (insertion ? s.cds3 !== s.cds5 + 1 : s.cds3 - s.cds5 + 1 !== allele.ref.length) return null;
  const ctx = cdsContextOf(seq, l, l.codonTable);
  if (ctx === null) return null;
  const x = (insertion ? s.cds3 : s.cds5) - 1 + l.framePad;
  return { ctx, x, y: x + allele.ref.length - 1, alt: l.strand === 1 ? allele.alt : reverseComplement(allele.alt) };
}

/** VEP's Amino_acids and Codons of a coding edit. */
export function aminoAcidsAndCodons(edit: CodingEdit): { aminoAcids: string; codons: string } {
  const { ctx, x, y, alt } = edit;
  const refLen = y - x + 1;
  // Whole codons from the one holding the change's first base to the one holding its last (none
  // for an insertion between two codons).
  const first = codonOf(x);
  const last = codonOf(y);
  const start = first * 3;
  const length = (last - first + 1) * 3;
  const refCodon = ctx.seq.slice(start, Math.min(start + length, ctx.cdsLen));
  const head = ctx.seq.slice(start, x);
  const altTotal = length + alt.length - refLen;
  const tailLength = altTotal - head.length - alt.length;
  const altCodon = (head + alt + (tailLength > 0 ? ctx.seq.slice(y + 1, y + 1 + tailLength) : "")).slice(0, Math.max(0, altTotal));
  const refPep = peptide(refCodon, ctx);
  const altPep = /^[ACGT]*$/.test(alt) ? peptide(altCodon, ctx) : "";
  const at = x - start;
  return {
    aminoAcids: altPep === "" ? "" : refPep !== altPep ? `${refPep}/${altPep}` : altPep,
    codons: `${displayCodon(refCodon, at, refLen)}/${displayCodon(altCodon, at, alt.length)}`,
  };
}

/** VEP's peptide of a codon string: whole codons translated, `X` for a trailing partial one, `-` for none. */
function peptide(codon: string, ctx: CdsContext): string {
  if (codon === "") return "-";
  const whole = codon.length - (codon.length % 3);
  let pep = translate(codon.slice(0, whole), ctx.table);
  if (whole < codon.length && pep !== "*") pep += "X";
  return pep || "-";
}

/** Lower case, the allele's own bases upper case; `-` for no codon. */
function displayCodon(codon: string, at: number, length: number): string {
  if (codon === "") return "-";
  const lower = codon.toLowerCase();
  return length === 0 ? lower : lower.slice(0, at) + lower.slice(at, at + length).toUpperCase() + lower.slice(at + length);
}

/**
 * VEP's HGVSp text (without reference name) from the engine's `p.` description: the same text,
 * except a frameshift in VEP's long form (`p.Arg97ProfsTer23`, `…fsTer?` when no stop follows)
 * and a lost stop's extension counted as VEP and HGVS count it (`p.Ter110GlnextTer17`: the new
 * stop is the 17th codon after position 110).
 */
export function vepHgvsP(hgvsP: string, edit: CodingEdit | null): string {
  if (edit === null) return hgvsP;
  const fs = /^p\.([A-Z][a-z]{2})(\d+)fs$/.exec(hgvsP);
  if (fs !== null) {
    const at = Number(fs[2]) - 1;
    const alt = variantSequence(edit);
    const toStop = codonsToStop(alt, edit.ctx, at);
    return `p.${fs[1]}${at + 1}${aa3(translateCodon(alt, edit.ctx.table, at * 3))}fsTer${toStop > 0 ? toStop : "?"}`;
  }
  const ext = /^p\.Ter(\d+)([A-Z][a-z]{2})extTer(?:\d+|\?)$/.exec(hgvsP);
  if (ext !== null) {
    const at = Number(ext[1]) - 1;
    const toStop = codonsToStop(variantSequence(edit), edit.ctx, at) - 1;
    return `p.Ter${at + 1}${ext[2]}extTer${toStop > 0 ? toStop : "?"}`;
  }
  return hgvsP;
}

/** The variant's padded CDS followed by the 3′ UTR, as VEP's alternate CDS. */
function variantSequence(edit: CodingEdit): string {
  return edit.ctx.seq.slice(0, edit.x) + edit.alt + edit.ctx.seq.slice(edit.y + 1);
}

/** Codons from codon `from` (counted as 1) to the first stop, or 0 when none is reached. */
function codonsToStop(seq: string, ctx: CdsContext, from: number): number {
  for (let i = from; i * 3 + 3 <= seq.length; i++) if (translateCodon(seq, ctx.table, i * 3) === "*") return i - from + 1;
  return 0;
}
