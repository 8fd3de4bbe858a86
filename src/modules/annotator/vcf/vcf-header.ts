/**
 * VCF header: the `##` meta lines and the `#CHROM` column line, read and checked before any record.
 */
import type { TextFeed } from "./text-feed.ts";
import { quoteForMessage } from "./vcf-format-error.ts";

/** The header of a VCF file, as read. */
export interface VcfHeader {
  /** Value of `##fileformat=` (e.g. `VCFv4.2`). */
  fileformat: string;
  /** Every `##` line, verbatim (no line ending), in file order, `##fileformat` included. */
  metaLines: string[];
  /** The `#CHROM ...` line, verbatim. */
  columnLine: string;
  /** Sample names from the column line, in order. */
  samples: string[];
  /** True when the column line has a FORMAT column. */
  hasFormat: boolean;
}

export const FIXED_COLUMNS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"] as const;

/**
 * The header is held whole (it is copied into the output), so it is bounded: a 147 KB gzip of
 * `##` lines raised the annotator's memory by ~1.8 GB (issue 13; 512 MiB of lines: 2.7 GB peak).
 * Real headers are far below both limits: GRCh38 with its ~3,400 alt and decoy contig lines is
 * ~300 KB; gnomAD's ~1,000 lines ~500 KB; a draft assembly's 100,000 contig lines ~5 MB (the
 * hostile corpus has one). The #CHROM line is bounded by the line length limit.
 */
export const MAX_HEADER_BYTES = 32 << 20;
export const MAX_HEADER_LINES = 500_000;

/** Reads header lines from the feed up to and including `#CHROM`; throws VcfFormatError when bad. */
export async function readVcfHeader(feed: TextFeed): Promise<VcfHeader> {
  const metaLines: string[] = [];
  let fileformat = "";
  let headerChars = 0;
  for (;;) {
    const text = feed.text;
    const pos = feed.pos;
    const nl = text.indexOf("\n", pos);
    if (nl < 0) {
      if (await feed.fill()) continue;
      throw feed.error(
        fileformat === ""
          ? "empty file: no VCF header (the ##fileformat line is missing)"
          : "the header has no #CHROM column line (end of file reached)",
      );
    }
    if (feed.nulAt >= 0 && feed.nulAt < nl) throw feed.nulError();
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    if (end - pos > feed.maxLineChars) throw feed.tooLong();
    headerChars += end - pos + 1;
    if (headerChars > MAX_HEADER_BYTES) {
      throw feed.error(`the header is larger than ${MAX_HEADER_BYTES >> 20} MiB (the header size limit); is this really a VCF?`);
    }
    if (metaLines.length >= MAX_HEADER_LINES) {
      throw feed.error(`the header has more than ${MAX_HEADER_LINES} lines (the header line limit); is this really a VCF?`);
    }
    const line = text.slice(pos, end);
    if (line.length > 0) {
      if (fileformat === "") {
        fileformat = checkFileformat(feed, line);
        metaLines.push(line);
      } else if (line.startsWith("##")) {
        metaLines.push(line);
      } else if (line.startsWith("#CHROM")) {
        const header = parseColumnLine(feed, line, fileformat, metaLines);
        feed.pos = nl + 1;
        feed.lineNo++;
        return header;
      } else if (line.startsWith("#")) {
        throw feed.error(`unexpected header line ${quoteForMessage(line)} (expected ##meta lines, then #CHROM)`);
      } else {
        throw feed.error("data line before the #CHROM header line (the header is missing or incomplete)");
      }
    }
    feed.pos = nl + 1;
    feed.lineNo++;
  }
}

function checkFileformat(feed: TextFeed, line: string): string {
  if (!line.startsWith("##fileformat=")) {
    throw feed.error(
      line.startsWith("#CHROM")
        ? "missing ##fileformat line before the #CHROM header"
        : `missing VCF header: the file must start with ##fileformat=VCFv4.x, found ${quoteForMessage(line)}`,
    );
  }
  const value = line.slice("##fileformat=".length).trim();
  if (!/^VCFv4\.\d+$/.test(value)) {
    throw feed.error(`unsupported fileformat ${quoteForMessage(value)} (VCFv4.1 to VCFv4.4 are supported)`);
  }
  return value;
}

function parseColumnLine(feed: TextFeed, line: string, fileformat: string, metaLines: string[]): VcfHeader {
  const cols = line.split("\t");
  for (let i = 0; i < FIXED_COLUMNS.length; i++) {
    if (cols[i] !== FIXED_COLUMNS[i]) {
      throw feed.error(
        `the #CHROM line must start with the tab-separated columns ${FIXED_COLUMNS.join(" ")}; ` +
          `column ${i + 1} is ${quoteForMessage(cols[i] ?? "")}`,
      );
    }
  }
  const hasFormat = cols.length > 8;
  if (hasFormat && cols[8] !== "FORMAT") {
    throw feed.error(`column 9 of the #CHROM line must be FORMAT when samples follow, found ${quoteForMessage(cols[8]!)}`);
  }
  const samples = cols.slice(9);
  const seen = new Set<string>();
  for (const s of samples) {
    if (s === "") throw feed.error("the #CHROM line has an empty sample name");
    if (seen.has(s)) throw feed.error(`the #CHROM line names sample ${quoteForMessage(s)} twice`);
    seen.add(s);
  }
  return { fileformat, metaLines, columnLine: line, samples, hasFormat };
}
