/**
 * HGVS 3′ rule: an insertion or deletion in a repeat is described at its most 3′ position in
 * transcript orientation. Shifting happens in an "oriented" coordinate space where 3′ is always
 * +1: cDNA positions for exonic variants (the cDNA string is at hand), or strand × genomic
 * position for intronic and flanking ones (bases from the GenomeWindow, complemented on the
 * minus strand). The caller bounds the shift to the region holding the variant (exon, intron,
 * flank) so a description never silently crosses an exon/intron boundary.
 */
import type { GenomeWindow } from "../model.ts";
import { complementCode, reverseComplement } from "./nucleotides.ts";

/** Longest shift attempted: past this a repeat is left where it is (bounded work per variant). */
export const MAX_SHIFT = 2000;

/** Base char codes by oriented position; -1 when unknown or outside what can be read. */
export interface OrientedBases {
  code(pos: number): number;
}

export interface Shifted {
  /** Oriented start/end after shifting (for an insertion: end = start - 1, inserted before start). */
  start: number;
  end: number;
  /** The deleted/inserted sequence after rotation, in transcript orientation. */
  seq: string;
  /** Bases moved (0 = already 3′-most). */
  moved: number;
}

/** `seq` rotated left by `by` (a block of bases after a 3′ shift of `by`). */
export function rotate(seq: string, by: number): string {
  const k = by % seq.length;
  return k === 0 ? seq : seq.slice(k) + seq.slice(0, k);
}

/**
 * Shifts a deletion of oriented [start, end] (bases `seq`), or an insertion of `seq` before
 * `start` (end = start - 1), 3′ while the next base equals the rotating first base, staying
 * within oriented position `hi`.
 */
export function shift3Prime(start: number, end: number, seq: string, hi: number, bases: OrientedBases): Shifted {
  const len = seq.length;
  if (len === 0) return { start, end, seq, moved: 0 };
  const deletion = end >= start;
  let moved = 0;
  // Deletion: the base after the deleted block must equal the block's current first base.
  // Insertion: the base after the insertion point must equal the inserted block's first base.
  let next = deletion ? end + 1 : start;
  while (moved < MAX_SHIFT && next <= hi && bases.code(next) === seq.charCodeAt(moved % len)) {
    moved++;
    next++;
  }
  return moved === 0 ? { start, end, seq, moved } : { start: start + moved, end: end + moved, seq: rotate(seq, moved), moved };
}

/** Oriented bases read from a cDNA string (oriented position = 1-based cDNA position). */
export function cdnaBases(cdna: string): OrientedBases {
  return { code: (pos) => (pos >= 1 && pos <= cdna.length ? cdna.charCodeAt(pos - 1) : -1) };
}

/**
 * Oriented bases read lazily from the genome: oriented position o = strand × genomic position,
 * complemented on the minus strand. Reads start at `from` and grow in chunks, so a variant that
 * does not move costs one small slice. Any read error (window not loaded there) ends the shift.
 */
export function genomicBases(genome: GenomeWindow, strand: 1 | -1, from: number): OrientedBases {
  // Holds the forward-strand bases of oriented [from, from + buf.length - 1]; on the minus strand
  // they are complemented one at a time in code(), not reverse-complemented as a string up front
  // (that string building was 3 % of the 1M-variant benchmark, most indels never move).
  let buf = "";
  let failed = false;
  const load = (upTo: number) => {
    const want = Math.max(upTo - from + 1, buf.length * 2, 64);
    const oEnd = from + want - 1;
    try {
      buf = strand === 1 ? genome.slice(from, oEnd) : genome.slice(-oEnd, -from);
    } catch {
      failed = true;
    }
  };
  return {
    code(pos) {
      if (pos < from || failed) return -1;
      const k = pos - from;
      if (k >= buf.length) {
        load(pos);
        if (failed || k >= buf.length) return -1;
      }
      return strand === 1 ? buf.charCodeAt(k) : complementCode(buf.charCodeAt(buf.length - 1 - k));
    },
  };
}

/** Reads oriented bases [from, to] (inclusive) as a transcript-orientation string; "" on failure. */
export function readOriented(genome: GenomeWindow, strand: 1 | -1, from: number, to: number): string {
  if (to < from) return "";
  try {
    return strand === 1 ? genome.slice(from, to) : reverseComplement(genome.slice(-to, -from));
  } catch {
    return "";
  }
}
