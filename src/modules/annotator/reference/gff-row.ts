/**
 * The nine tab-separated columns shared by GFF3 and GTF, validated once so that both parsers give
 * the same "file:line: problem" errors on corrupt input.
 */
import type { Strand } from "../model.ts";

export interface GffRow {
  seqid: string;
  type: string;
  start: number;
  end: number;
  /** 0 for `.` or `?`. */
  strand: Strand | 0;
  /** -1 for `.`. */
  phase: number;
  attributes: string;
  line: number;
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

/** Splits and checks one data line. */
export function parseGffRow(line: string, lineNo: number, path: string): GffRow {
  const f = line.split("\t");
  if (f.length < 9) {
    const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
    throw new GeneModelFormatError(path, lineNo, `expected 9 tab-separated columns (GFF3/GTF), found ${f.length}: "${shown}"`);
  }
  const [seqid, , type, s, e, , strandCol, phaseCol] = f as [string, string, string, string, string, string, string, string];
  if (!isDigits(s) || !isDigits(e)) throw new GeneModelFormatError(path, lineNo, `start/end must be positive integers, got "${s}" and "${e}"`);
  const start = Number(s);
  const end = Number(e);
  if (start < 1 || end < start) throw new GeneModelFormatError(path, lineNo, `bad interval ${start}-${end} (1-based, start <= end)`);
  let strand: Strand | 0;
  if (strandCol === "+") strand = 1;
  else if (strandCol === "-") strand = -1;
  else if (strandCol === "." || strandCol === "?") strand = 0;
  else throw new GeneModelFormatError(path, lineNo, `strand must be +, -, . or ?, got "${strandCol}"`);
  let phase = -1;
  if (phaseCol === "0" || phaseCol === "1" || phaseCol === "2") phase = Number(phaseCol);
  else if (phaseCol !== ".") throw new GeneModelFormatError(path, lineNo, `phase must be 0, 1, 2 or ., got "${phaseCol}"`);
  // Column 9 may itself contain tabs in sloppy files; keep everything after column 8.
  const attributes = f.length === 9 ? f[8]! : f.slice(8).join("\t");
  return { seqid, type, start, end, strand, phase, attributes, line: lineNo };
}

/** Feature types that are parts of a transcript rather than transcripts or genes. */
export const PART_TYPES = new Set([
  "exon", "CDS", "cds", "five_prime_UTR", "three_prime_UTR", "UTR", "five_prime_utr", "three_prime_utr",
  "5UTR", "3UTR", "start_codon", "stop_codon", "noncoding_exon",
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
