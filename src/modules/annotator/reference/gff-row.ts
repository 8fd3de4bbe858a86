/**
 * The nine tab-separated columns shared by GFF3 and GTF, validated once so that both parsers give
 * the same "file:line: problem" errors on corrupt input.
 */
import type { Strand } from "../model.ts";

export interface GffRow {
  seqid: string;
  type: string;
  /** 0 when the row's interval is invalid (see `problem`). */
  start: number;
  end: number;
  /** 0 for `.` or `?` (and for an invalid strand). */
  strand: Strand | 0;
  /** -1 for `.` (and for an invalid phase). */
  phase: number;
  attributes: string;
  line: number;
  /**
   * What makes the row's own columns unusable (a bad interval, strand, or a CDS row's phase), or
   * null. Not an error by itself: the caller decides what a bad row costs (issue 15: one shifted
   * `gene -15 38015` row must not reject the whole file).
   */
  problem: string | null;
}

/** Error in a gene-model file; the message starts with `file:line:`. */
export class GeneModelFormatError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    problem: string,
  ) {
    super(line > 0 ? `${path}:${line}: ${problem}` : `${path}: ${problem}`);
    this.name = "GeneModelFormatError";
  }
}

/** A whole number of 1 to 15 digits in line[from, to), or -1. */
function digitsAt(line: string, from: number, to: number): number {
  if (to <= from || to - from >= 16) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** One character column equal to `ch`. */
const isChar = (line: string, from: number, to: number, ch: number) => to === from + 1 && line.charCodeAt(from) === ch;

/**
 * Splits and checks one data line. Throws only when the line is not a GFF row at all (fewer than 9
 * columns); a row with a bad interval, strand or CDS phase comes back with `problem` set.
 *
 * Columns are found with indexOf and only seqid, type and attributes become strings: a split made
 * ten strings and an array per row, the bulk of the gene-model parse's garbage (chr21 Ensembl
 * GFF3, 31k rows: see the commit for time and peak RSS).
 */
export function parseGffRow(line: string, lineNo: number, path: string): GffRow {
  // tabs[i]: index of the tab ending column i (0-based), for the first 8 columns.
  const tabs = [0, 0, 0, 0, 0, 0, 0, 0];
  let at = -1;
  for (let i = 0; i < 8; i++) {
    at = line.indexOf("\t", at + 1);
    if (at < 0) {
      const found = i + 1;
      const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
      throw new GeneModelFormatError(path, lineNo, `expected 9 tab-separated columns (GFF3/GTF), found ${found}: "${shown}"`);
    }
    tabs[i] = at;
  }
  const col = (i: number) => line.slice(i === 0 ? 0 : tabs[i - 1]! + 1, tabs[i]);
  const seqid = col(0);
  const type = col(2);
  let problem: string | null = null;
  let start = 0;
  let end = 0;
  const s = digitsAt(line, tabs[2]! + 1, tabs[3]!);
  const e = digitsAt(line, tabs[3]! + 1, tabs[4]!);
  if (s < 0 || e < 0) problem = `start/end must be positive integers, got "${col(3)}" and "${col(4)}"`;
  else if (s < 1 || e < s) problem = `bad interval ${col(3)}-${col(4)} (1-based, start <= end)`;
  else {
    start = s;
    end = e;
  }
  let strand: Strand | 0 = 0;
  const st = tabs[5]! + 1;
  const stEnd = tabs[6]!;
  if (isChar(line, st, stEnd, 43 /* + */)) strand = 1;
  else if (isChar(line, st, stEnd, 45 /* - */)) strand = -1;
  else if (!isChar(line, st, stEnd, 46 /* . */) && !isChar(line, st, stEnd, 63 /* ? */))
    problem ??= `strand must be +, -, . or ?, got "${col(6)}"`;
  let phase = -1;
  const ph = tabs[6]! + 1;
  const phEnd = tabs[7]!;
  const phaseDigit = phEnd === ph + 1 ? line.charCodeAt(ph) - 48 : -1;
  if (phaseDigit >= 0 && phaseDigit <= 2) phase = phaseDigit;
  // Only a CDS row's phase is used.
  else if (!isChar(line, ph, phEnd, 46 /* . */) && partKind(type) === "cds") problem ??= `phase must be 0, 1, 2 or ., got "${col(7)}"`;
  // Column 9 may itself contain tabs in sloppy files; keep everything after column 8.
  const attributes = line.slice(tabs[7]! + 1);
  return { seqid, type, start, end, strand, phase, attributes, line: lineNo, problem };
}

/** Feature types that are parts of a transcript rather than transcripts or genes. */
export const PART_TYPES = new Set([
  "exon",
  "CDS",
  "cds",
  "five_prime_UTR",
  "three_prime_UTR",
  "UTR",
  "five_prime_utr",
  "three_prime_utr",
  "5UTR",
  "3UTR",
  "start_codon",
  "stop_codon",
  "noncoding_exon",
]);

export type PartKind = "exon" | "cds" | "utr" | "start" | "stop";

/** Which list of a transcript draft a part row belongs to. */
export function partKind(type: string): PartKind | null {
  switch (type) {
    case "exon":
    case "noncoding_exon":
      return "exon";
    case "CDS":
    case "cds":
      return "cds";
    case "start_codon":
      return "start";
    case "stop_codon":
      return "stop";
    default:
      return PART_TYPES.has(type) ? "utr" : null;
  }
}
