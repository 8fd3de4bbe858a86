/**
 * Codon-level effect of a variant inside a CDS, following the predicates of Ensembl VEP's
 * VariationEffect.pm (start_lost, stop_lost/retained/gained, frameshift, inframe_*, missense,
 * protein_altering, synonymous, incomplete_terminal_codon, coding_sequence_variant).
 *
 * Works in "padded CDS" coordinates: a 5′-incomplete CDS is prefixed with N so that its first
 * partial codon becomes a whole (unknown, `X`) codon, as Ensembl does with the exon phase. The
 * padded CDS and the 3′ UTR after it form one string per transcript sequence, cached.
 */
import type { CodonTableId, TranscriptSequence } from "../model.ts";
import { hgvsP } from "../hgvs/hgvs-p.ts";
import type { TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { codonOf, translate, translateCodon } from "./codon-tables.ts";
import { SO } from "./so-terms.ts";

export interface CdsContext {
  /** Padded CDS followed by the 3′ UTR, transcript orientation. */
  readonly seq: string;
  /** Length of the padded CDS in `seq`. */
  readonly cdsLen: number;
  /** cDNA 5′ of the CDS (5′ UTR). */
  readonly utr5: string;
  /** Translation of the padded CDS (`X` for unknown and partial codons). */
  readonly protein: string;
  readonly table: CodonTableId;
}

const contexts = new WeakMap<TranscriptSequence, CdsContext | null>();

/**
 * The CDS context of a transcript sequence, or null when the sequence does not fit the layout
 * (length differs from the exons, no CDS). Cached per TranscriptSequence object.
 */
export function cdsContextOf(seq: TranscriptSequence, l: TranscriptLayout, table: CodonTableId): CdsContext | null {
  let c = contexts.get(seq);
  if (c === undefined) {
    c = null;
    if (l.coding && seq.cdna.length === l.cdnaLength) {
      const cds = "N".repeat(l.framePad) + seq.cdna.slice(l.cdsStart - 1, l.cdsEnd);
      c = {
        seq: cds + seq.cdna.slice(l.cdsEnd),
        cdsLen: cds.length,
        utr5: seq.cdna.slice(0, l.cdsStart - 1),
        protein: translate(cds, table),
        table,
      };
    }
    contexts.set(seq, c);
  }
  return c;
}

export interface CodingResult {
  /** 0-based index of the affected codon (for AA.pos), -1 when unknown. */
  aaIndex: number;
  hgvsP: string;
}

function overlap(s1: number, e1: number, s2: number, e2: number): boolean {
  return e1 >= s2 && s1 <= e2;
}

/**
 * Effect of replacing padded-CDS bases [x, y] (0-based; an insertion before x has y = x - 1)
 * by `alt` (transcript orientation), the whole change lying inside the CDS. Pushes SO term ranks
 * onto `terms`.
 */
export function codingChange(ctx: CdsContext, l: TranscriptLayout, x: number, y: number, alt: string, terms: number[]): CodingResult {
  const { seq, cdsLen, table } = ctx;
  const refLen = y - x + 1;
  const altLen = alt.length;
  const insertion = refLen === 0;
  const lengthChange = refLen !== altLen;

  // Codon window: whole codons touched; an insertion between codons touches none.
  const a = codonOf(x);
  const b = insertion ? (x % 3 === 0 ? a - 1 : a) : codonOf(y);
  const winStart = a * 3;
  const winEnd = Math.min((b + 1) * 3, cdsLen);
  const refWin = winEnd > winStart ? seq.slice(winStart, winEnd) : "";
  const altWin = seq.slice(winStart, x) + alt + (winEnd > y + 1 ? seq.slice(y + 1, winEnd) : "");
  const refPep = translate(refWin, table);
  const altPep = translate(altWin, table);

  const lastCodonLen = cdsLen % 3;
  const partial = lastCodonLen !== 0 && a === codonOf(cdsLen - 1);
  const frameshift = !partial && Math.abs(altLen - refLen) % 3 !== 0;
  const overlapsStart = !l.startIncomplete && overlap(x, y, 0, 2);
  const overlapsStop = !l.endIncomplete && overlap(x, y, cdsLen - 3, cdsLen - 1);

  let startAltered = false;
  if (overlapsStart && lengthChange) {
    const edited = ctx.utr5 + seq.slice(0, x) + alt + seq.slice(y + 1, cdsLen);
    startAltered = edited.length < cdsLen || edited.slice(edited.length - cdsLen) !== seq.slice(0, cdsLen);
  }
  let stopAltered = false;
  if (overlapsStop && lengthChange) {
    const edited = seq.slice(0, x) + alt + seq.slice(y + 1);
    stopAltered = edited.length < cdsLen || translateCodon(edited, table, cdsLen - 3) !== "*";
  }

  const hasX = refPep.includes("X") || altPep.includes("X");
  const inframeDeletion = !partial && !frameshift && altWin.length < refWin.length && inframeDeleted(refWin, altWin);
  const startRetainedIndel = lengthChange && overlapsStart && !startAltered;
  let altTrimmed = altPep;
  const st = altTrimmed.indexOf("*");
  if (st >= 0) altTrimmed = altTrimmed.slice(0, st + 1);
  let inframeInsertion = !frameshift && altWin.length > refWin.length && (altTrimmed.startsWith(refPep) || altTrimmed.endsWith(refPep));
  if (inframeInsertion && startRetainedIndel && altPep.endsWith(refPep)) inframeInsertion = false;
  const startLost =
    overlapsStart &&
    ((startAltered && !(inframeInsertion || inframeDeletion)) ||
      (refPep !== "" && a === 0 && !altPep.endsWith(refPep) && !altPep.startsWith(refPep)));
  if (startLost) inframeInsertion = false;
  // SNVs/MNVs that keep the start amino acid (e.g. ATA→ATG in the mitochondrial code).
  const startRetained = startRetainedIndel || (!lengthChange && overlapsStart && refPep !== "" && refPep === altPep);

  let stopRetained: boolean;
  if (altPep !== "") {
    stopRetained = altPep[0] === "*" && ((refPep === "" && winStart === cdsLen - 3 && !l.endIncomplete) || refPep[0] === "*");
  } else {
    stopRetained = lengthChange && overlapsStop && !stopAltered;
  }
  const stopGained = !stopRetained && altPep.includes("*") && !refPep.includes("*");
  const stopLost = refPep.includes("*") && !altPep.includes("*");
  const missense =
    !lengthChange && !hasX && refPep !== altPep && refPep.length === altPep.length && !startLost && !stopLost && !stopGained && !partial;
  const proteinAltering =
    refPep.length !== altPep.length &&
    refPep[0] !== "*" &&
    altPep[0] !== "*" &&
    !(altPep.startsWith(refPep) || altPep.endsWith(refPep)) &&
    !inframeDeletion &&
    !startLost &&
    !frameshift;
  const synonymous = refPep !== "" && refPep === altPep && !stopRetained && !hasX && !startRetained;
  const codingUnknown =
    hasX && !(frameshift || inframeDeletion || proteinAltering || startRetained || startLost || stopRetained || stopLost);

  if (frameshift) terms.push(SO.frameshift);
  if (partial) terms.push(SO.incompleteTerminalCodon);
  if (startLost) terms.push(SO.startLost);
  if (startRetained) terms.push(SO.startRetained);
  if (stopRetained) terms.push(SO.stopRetained);
  if (stopGained) terms.push(SO.stopGained);
  if (stopLost) terms.push(SO.stopLost);
  if (inframeInsertion) terms.push(SO.inframeInsertion);
  if (inframeDeletion) terms.push(SO.inframeDeletion);
  if (missense) terms.push(SO.missense);
  if (proteinAltering) terms.push(SO.proteinAltering);
  if (synonymous) terms.push(SO.synonymous);
  if (codingUnknown) terms.push(SO.codingSequence);

  const aaIndex = insertion ? codonOf(Math.max(0, x - 1)) : a;
  let p = "";
  if (!partial && !(hasX && !frameshift) && !(l.startIncomplete && a === 0)) {
    // The variant protein from codon a on: window, then the rest of CDS + 3′ UTR in the new frame.
    let altSeq: string | null = null;
    p = hgvsP({
      refProtein: ctx.protein,
      aaIndex: a,
      refPep,
      altPep,
      frameshift,
      startLost,
      altAa(i) {
        altSeq ??= seq.slice(winStart, x) + alt + seq.slice(y + 1);
        return i * 3 + 3 <= altSeq.length ? translateCodon(altSeq, table, i * 3) : "";
      },
    });
  }
  return { aaIndex, hgvsP: p };
}

/** VEP's inframe_deletion codon test: the alt codons are a prefix, suffix or inner part of the ref codons. */
function inframeDeleted(refCodon: string, altCodon: string): boolean {
  if (refCodon.startsWith(altCodon) || refCodon.endsWith(altCodon)) return true;
  let i = 0;
  while (i < refCodon.length && i < altCodon.length && refCodon[i] === altCodon[i]) i++;
  let j = 0;
  while (j < refCodon.length - i && j < altCodon.length - i && refCodon[refCodon.length - 1 - j] === altCodon[altCodon.length - 1 - j]) j++;
  return altCodon.length - i - j === 0 && (refCodon.length - i - j) % 3 === 0;
}

/**
 * Start/stop effects of a change that touches the CDS but is not wholly inside it (it also covers
 * UTR bases): cDNA edit checks as VEP's _ins_del_start_altered / _ins_del_stop_altered, else
 * coding_sequence_variant. cs..ce are cDNA positions (1-based), `alt` in transcript orientation.
 */
export function codingBoundaryChange(
  ctx: CdsContext | null,
  l: TranscriptLayout,
  cdna: string | null,
  cs: number,
  ce: number,
  alt: string,
  terms: number[],
): void {
  const lengthChange = ce - cs + 1 !== alt.length;
  let decided = false;
  if (ctx !== null && cdna !== null && lengthChange) {
    if (!l.startIncomplete && overlap(cs, ce, l.cdsStart, l.cdsStart + 2)) {
      const translateable = cdna.slice(l.cdsStart - 1, l.cdsEnd);
      const edited = cdna.slice(0, cs - 1) + alt + cdna.slice(ce, l.cdsEnd);
      const altered = edited.length < translateable.length || edited.slice(edited.length - translateable.length) !== translateable;
      terms.push(altered ? SO.startLost : SO.startRetained);
      decided = true;
    }
    if (!l.endIncomplete && overlap(cs, ce, l.cdsEnd - 2, l.cdsEnd) && cs >= l.cdsStart) {
      const x = cs - l.cdsStart + l.framePad;
      const edited = ctx.seq.slice(0, x) + alt + ctx.seq.slice(x + (ce - cs + 1));
      const altered = edited.length < ctx.cdsLen || translateCodon(edited, ctx.table, ctx.cdsLen - 3) !== "*";
      terms.push(altered ? SO.stopLost : SO.stopRetained);
      decided = true;
    }
  }
  if (!decided) terms.push(SO.codingSequence);
}
