/**
 * Genetic codes used by the engine: NCBI table 1 (standard) and table 2 (vertebrate
 * mitochondrial). Written by hand because it is two 64-letter strings and a lookup; a dependency
 * would cost more than it saves, and the hot path wants char-code arithmetic, not a Map.
 *
 * Amino acids are one-letter codes, `*` for a stop and `X` for a codon with a base other than
 * A/C/G/T (N in the reference, IUPAC codes in an ALT) or fewer than three bases.
 */
import type { CodonTableId } from "../model.ts";

// Codon index = 16*b1 + 4*b2 + b3 with T=0, C=1, A=2, G=3 (NCBI's TCAG ordering).
const AMINO: Record<CodonTableId, string> = {
  1: "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
  2: "FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG",
};
const STARTS: Record<CodonTableId, string> = {
  1: "---M------**--*----M---------------M----------------------------",
  2: "--------------------------------MMMM---------------M------------",
};

const BASE_CODE = new Int8Array(128).fill(-1);
BASE_CODE[84] = 0; // T
BASE_CODE[67] = 1; // C
BASE_CODE[65] = 2; // A
BASE_CODE[71] = 3; // G
BASE_CODE[85] = 0; // U
BASE_CODE[116] = 0; // lower case too, in case a caller passes soft-masked bases
BASE_CODE[99] = 1;
BASE_CODE[97] = 2;
BASE_CODE[103] = 3;

/**
 * Math.floor(x / 3) in int32 arithmetic for the non-negative positions it nearly always gets:
 * Math.floor of a division is double arithmetic in JavaScriptCore's optimizing tiers, and the
 * doubles it boxes made the int-speculating callers exit their optimized code (BadType exits in
 * putRange / putSlash on the 1M-variant bench, BUN_JSC_printEachOSRExit).
 */
export function codonOf(x: number): number {
  return x >= 0 ? (x / 3) | 0 : Math.floor(x / 3);
}

function codonIndex(seq: string, at: number): number {
  if (at + 3 > seq.length) return -1;
  const a = BASE_CODE[seq.charCodeAt(at) & 127]!;
  const b = BASE_CODE[seq.charCodeAt(at + 1) & 127]!;
  const c = BASE_CODE[seq.charCodeAt(at + 2) & 127]!;
  if (a < 0 || b < 0 || c < 0) return -1;
  return (a << 4) | (b << 2) | c;
}

/** Amino acid of the codon starting at `at` in `seq` (default 0); `X` when undeterminable. */
export function translateCodon(seq: string, table: CodonTableId, at = 0): string {
  const i = codonIndex(seq, at);
  return i < 0 ? "X" : AMINO[table][i]!;
}

/**
 * Translates whole codons of `seq` from `from` (default 0). A trailing partial codon (1–2 bases)
 * adds `X`, as VEP does, so callers can tell an incomplete codon from a missing one.
 */
export function translate(seq: string, table: CodonTableId, from = 0, stopAtStop = false): string {
  let out = "";
  let i = from;
  for (; i + 3 <= seq.length; i += 3) {
    const aa = translateCodon(seq, table, i);
    out += aa;
    if (stopAtStop && aa === "*") return out;
  }
  if (i < seq.length) out += "X";
  return out;
}

/** True when the three bases form a stop codon in this table. */
export function isStop(codon: string, table: CodonTableId): boolean {
  return codon.length === 3 && translateCodon(codon, table) === "*";
}

/** True when the codon is an initiation codon of this table (NCBI start list, e.g. ATA in table 2). */
export function isStart(codon: string, table: CodonTableId): boolean {
  if (codon.length !== 3) return false;
  const i = codonIndex(codon, 0);
  return i >= 0 && STARTS[table][i] === "M";
}
