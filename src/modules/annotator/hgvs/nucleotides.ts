/**
 * Base complement helpers for transcript orientation. Kept here (not imported from the reference
 * module) so the consequence/HGVS code stays a set of pure functions over the model types.
 */

const COMP = new Uint8Array(128);
for (let i = 0; i < 128; i++) COMP[i] = 78; // N
for (const [a, b] of [
  ["A", "T"],
  ["C", "G"],
  ["G", "C"],
  ["T", "A"],
  ["N", "N"],
  ["R", "Y"],
  ["Y", "R"],
  ["K", "M"],
  ["M", "K"],
  ["S", "S"],
  ["W", "W"],
  ["B", "V"],
  ["V", "B"],
  ["D", "H"],
  ["H", "D"],
] as const) {
  COMP[a.charCodeAt(0)] = b.charCodeAt(0);
}

/** Complement of one upper-case base given as a char code (IUPAC aware; anything unknown becomes N). */
export function complementCode(code: number): number {
  return COMP[code & 127]!;
}

/** Complement of one upper-case base (IUPAC aware; anything unknown becomes N). */
export function complementBase(base: string): string {
  return String.fromCharCode(COMP[base.charCodeAt(0) & 127]!);
}

/**
 * Reverse complement of an upper-case DNA string. The last answer is kept: an allele's bases are
 * reverse-complemented for each minus-strand transcript near it, by the consequence, HGVS and CSQ
 * code alike (this function was ~1.6 % of the 1M-variant bench's samples).
 */
export function reverseComplement(seq: string): string {
  if (seq === lastSeq) return lastReversed;
  let out: string;
  if (seq.length === 1) out = complementBase(seq);
  else {
    out = "";
    for (let i = seq.length - 1; i >= 0; i--) out += String.fromCharCode(COMP[seq.charCodeAt(i) & 127]!);
  }
  lastSeq = seq;
  lastReversed = out;
  return out;
}

let lastSeq = "";
let lastReversed = "";
