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

const isDigits = (s: string) => s.length > 0 && s.length < 16 && /^\d+$/.test(s);

/**
 * Splits and checks one data line. Throws only when the line is not a GFF row at all (fewer than 9
 * columns); a row with a bad interval, strand or CDS phase comes back with `problem` set.
 */
export function parseGffRow(line: string, lineNo: number, path: string): GffRow {
  const f = line.split("\t");
  if (f.length < 9) {
    const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
    throw new GeneModelFormatError(path, lineNo, `expected 9 tab-separated columns (GFF3/GTF), found ${f.length}: "${shown}"`);
  }
  const [seqid, , type, s, e, , strandCol, phaseCol] = f as [string, string, string, string, string, string, string, string];
  let problem: string | null = null;
  let start = 0;
  let end = 0;
  if (!isDigits(s) || !isDigits(e)) problem = `start/end must be positive integers, got "${s}" and "${e}"`;
  else if (Number(s) < 1 || Number(e) < Number(s)) problem = `bad interval ${s}-${e} (1-based, start <= end)`;
  else {
    start = Number(s);
    end = Number(e);
  }
  let strand: Strand | 0 = 0;
  if (strandCol === "+") strand = 1;
  else if (strandCol === "-") strand = -1;
  else if (strandCol !== "." && strandCol !== "?") problem ??= `strand must be +, -, . or ?, got "${strandCol}"`;
  let phase = -1;
  if (phaseCol === "0" || phaseCol === "1" || phaseCol === "2") phase = Number(phaseCol);
  // Only a CDS row's phase is used.
  else if (phaseCol !== "." && partKind(type) === "cds") problem ??= `phase must be 0, 1, 2 or ., got "${phaseCol}"`;
  // Column 9 may itself contain tabs in sloppy files; keep everything after column 8.
  const attributes = f.length === 9 ? f[8]! : f.slice(8).join("\t");
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
