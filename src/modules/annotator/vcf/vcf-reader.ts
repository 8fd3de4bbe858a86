/**
 * Streaming VCF reader: plain, gzip or BGZF input, records handed out in batches, memory bounded
 * by the chunk size whatever the file size. Every problem with the input surfaces as a
 * VcfFormatError naming file, line and field.
 */
import { basename } from "node:path";
import type { Compression } from "../io/compression.ts";
import { type SequentialByteSource, openSequentialSource } from "../io/sequential-source.ts";
import { TextFeed } from "./text-feed.ts";
import { CompressedDataError } from "../io/compressed-data-error.ts";
import { VcfFormatError, quoteForMessage } from "./vcf-format-error.ts";
import { readVcfHeader, type VcfHeader } from "./vcf-header.ts";

export type { VcfHeader } from "./vcf-header.ts";
export { VcfFormatError } from "./vcf-format-error.ts";

/**
 * One data line. Fields are strings exactly as written except where noted. A class, not a plain
 * object, so that the ALT list can be built on demand: the hot paths read `altText`, and an array
 * per record was a fifth of the reader's garbage (measured on the 1M-variant bench).
 */
export class VcfRecord {
  constructor(
    /** 1-based line number in the (decompressed) file. */
    readonly line: number,
    readonly chrom: string,
    readonly pos: number,
    readonly id: string,
    /** Upper-cased; validated as [ACGTN]+. */
    readonly ref: string,
    /** The ALT column as written: alleles joined by commas (symbolic alleles included). */
    readonly altText: string,
    readonly qual: string,
    readonly filter: string,
    readonly info: string,
    /** FORMAT and sample columns joined by tabs, or "" for a sites-only file. */
    readonly rest: string,
  ) {}

  /** ALT split on commas, as written. A new array on each call. */
  get alts(): string[] {
    return this.altText.indexOf(",") < 0 ? [this.altText] : this.altText.split(",");
  }

  /** Number of ALT alleles. */
  get altCount(): number {
    let n = 1;
    for (let i = this.altText.indexOf(","); i >= 0; i = this.altText.indexOf(",", i + 1)) n++;
    return n;
  }
}

/** An open VCF: the header is read; records come from `batches()`. */
export interface VcfInput {
  header: VcfHeader;
  compression: Compression;
  /**
   * Records in file order, in arrays of up to `batchSize`. Iterate once (this or `blocks`). A
   * yielded array is the caller's: the reader never uses it again (annotate-file.ts empties it).
   */
  batches(): AsyncIterable<VcfRecord[]>;
  /**
   * The data lines unparsed, in blocks of whole lines, for a parallel pipeline whose workers
   * parse them with `parseRecordBlock` (handing parsed records to a thread costs more than
   * parsing them there). `blockChars` is asked the size of each next block (default 64 KiB of
   * text). Iterate once (this or `batches`).
   */
  blocks(blockChars?: () => number): AsyncIterable<RawBlock>;
  /** What `parseRecordBlock` needs to check each line as `batches` would. */
  readonly layout: RecordLayout;
  /** File bytes consumed so far (compressed bytes for gzip/BGZF), for progress. */
  bytesRead(): number;
  /**
   * Decompressed bytes taken from the file so far (header included; at most one source chunk,
   * 4 MiB, ahead of the records handed out): what a limit on the input's real size counts.
   */
  inflatedBytes(): number;
  /** Size of the file on disk. */
  totalBytes: number;
  close(): Promise<void>;
}

/** Whole data lines of the input, starting at line `firstLine` of the file. */
export interface RawBlock {
  text: string;
  firstLine: number;
}

export interface RecordLayout {
  file: string;
  /** Sample columns after FORMAT, or -1 when the header has no FORMAT column. */
  sampleTabs: number;
  maxLineChars: number;
}

export interface OpenVcfOptions {
  /**
   * Longest accepted line, in characters (default 4 MiB: room for ~400k genotype columns, small
   * enough that a stray binary or 10 MB line fails fast instead of exhausting memory).
   */
  maxLineBytes?: number;
  /** Records per batch (default 4096). */
  batchSize?: number;
  /** Name used in error messages (default: the file's base name). */
  displayName?: string;
}

export const DEFAULT_MAX_LINE_BYTES = 4 << 20;
/**
 * Inflated / compressed bytes above which a VCF is refused (after the first 16 MiB). Real VCFs are
 * far below: sites-only ~5-10:1, 1000 Genomes phase 3 genotypes (chr22: 205 MB -> ~11 GB) ~54:1;
 * a gzip of repeated lines reaches ~1000:1.
 */
export const MAX_COMPRESSION_RATIO = 250;
/** Default size of a block handed to a parallel worker (characters of whole lines). */
export const BLOCK_CHARS = 64 << 10;

/**
 * Opens a VCF file (compression detected from its bytes) and reads its header.
 * Throws VcfFormatError for a bad header or unreadable data; file-system errors pass through.
 */
export async function openVcf(path: string, opts: OpenVcfOptions = {}): Promise<VcfInput> {
  const file = opts.displayName ?? basename(path);
  const batchSize = Math.max(1, opts.batchSize ?? 4096);
  let opened: SequentialByteSource;
  try {
    opened = await openSequentialSource(path, "VCF", { maxCompressionRatio: MAX_COMPRESSION_RATIO });
  } catch (err) {
    if (err instanceof CompressedDataError) throw new VcfFormatError(file, 1, err.message);
    throw err;
  }
  const source = countingInflated(opened);
  const feed = new TextFeed(source, file, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let header: VcfHeader;
  try {
    header = await readVcfHeader(feed);
  } catch (err) {
    await source.close().catch(() => {});
    throw err;
  }
  // Columns expected on every record: 8 fixed, plus FORMAT and samples when the header has them.
  const sampleTabs = header.hasFormat ? header.samples.length : -1;
  let started = false;
  const layout: RecordLayout = { file, sampleTabs, maxLineChars: feed.maxLineChars };
  return {
    header,
    layout,
    compression: source.compression,
    totalBytes: source.totalBytes,
    bytesRead: () => source.bytesRead(),
    inflatedBytes: () => source.inflated,
    close: () => source.close(),
    async *batches() {
      if (started) throw new Error("VcfInput.batches() can only be iterated once");
      started = true;
      // One batch is parsed at a time, as it is asked for: a 1 MiB chunk holds ~40k short
      // records, and parsing them all at once kept them alive long enough to reach the old
      // generation, which only a full collection frees (measured: peak RSS grew with the input).
      let batch: VcfRecord[] = [];
      for (;;) {
        batch = parseLines(feed, sampleTabs, batch, batchSize);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        } else if (!(await feed.fill())) {
          break;
        }
      }
      if (batch.length > 0) yield batch;
    },
    async *blocks(blockChars = () => BLOCK_CHARS) {
      if (started) throw new Error("VcfInput.blocks() can only be iterated once");
      started = true;
      for (;;) {
        const s = feed.text;
        const last = s.lastIndexOf("\n");
        // Cut the feed's text at line ends into blocks of about BLOCK_CHARS, so that work spreads
        // over the workers and memory in flight stays small whatever the source's chunk size.
        while (last >= feed.pos) {
          const want = Math.max(1, Math.floor(blockChars()));
          const cut = feed.pos + want >= last ? last : s.indexOf("\n", feed.pos + want);
          const end = cut < 0 || cut > last ? last : cut;
          const text = s.slice(feed.pos, end + 1);
          const firstLine = feed.lineNo + 1;
          let lines = 0;
          for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
          feed.pos = end + 1;
          feed.lineNo += lines;
          yield { text, firstLine };
        }
        if (!(await feed.fill())) break;
      }
    },
  };
}

type CountingSource = SequentialByteSource & { inflated: number };

/** `source`, counting the decompressed bytes it hands out (for per-job input limits). */
function countingInflated(source: SequentialByteSource): CountingSource {
  const counting: CountingSource = {
    compression: source.compression,
    totalBytes: source.totalBytes,
    inflated: 0,
    bytesRead: () => source.bytesRead(),
    async next() {
      const chunk = await source.next();
      if (chunk) counting.inflated += chunk.length;
      return chunk;
    },
    close: () => source.close(),
  };
  return counting;
}

/**
 * The lines-to-records step of `batches`, for a block handed out by `blocks`: its records in
 * arrays of up to `batchSize`, each parsed when asked for (see `batches`).
 */
export function* parseRecordBlock(block: RawBlock, layout: RecordLayout, batchSize: number): Generator<VcfRecord[]> {
  const nulAt = block.text.indexOf("\0");
  const source: LineSource = {
    text: block.text,
    pos: 0,
    lineNo: block.firstLine - 1,
    nulAt,
    maxLineChars: layout.maxLineChars,
    file: layout.file,
    tooLong: (line) =>
      new VcfFormatError(
        layout.file,
        line,
        `line is longer than ${layout.maxLineChars} characters (the line length limit); is this really a VCF?`,
      ),
    nulError: (line) => new VcfFormatError(layout.file, line, "contains a NUL byte (binary data?): not a text VCF"),
  };
  for (;;) {
    const batch = parseLines(source, layout.sampleTabs, [], batchSize);
    if (batch.length === 0) return;
    yield batch;
  }
}

type LineSource = Pick<TextFeed, "text" | "pos" | "lineNo" | "nulAt" | "maxLineChars" | "file"> & {
  tooLong(line: number): VcfFormatError;
  nulError(line: number): VcfFormatError;
};

/**
 * Parses complete lines from the feed into `batch` until it holds `batchSize` records or no
 * complete line is left; returns the batch. Kept synchronous and regex-free: this loop is the
 * reader's hot path.
 */
function parseLines(feed: LineSource, sampleTabs: number, batch: VcfRecord[], batchSize: number): VcfRecord[] {
  const s = feed.text;
  const maxLine = feed.maxLineChars;
  const nulAt = feed.nulAt;
  let a = feed.pos;
  let lineNo = feed.lineNo;
  for (;;) {
    const nl = s.indexOf("\n", a);
    if (nl < 0) break;
    lineNo++;
    if (nulAt >= a && nulAt < nl) throw feed.nulError(lineNo);
    let e = nl;
    if (e > a && s.charCodeAt(e - 1) === 13) e--;
    if (e - a > maxLine) throw feed.tooLong(lineNo);
    if (e > a) {
      batch.push(parseRecord(feed.file, s, a, e, lineNo, sampleTabs));
      if (batch.length >= batchSize) {
        a = nl + 1;
        break;
      }
    }
    a = nl + 1;
  }
  feed.lineNo = lineNo;
  feed.pos = a;
  return batch;
}

function columnError(file: string, line: number, s: string, a: number, e: number, sampleTabs: number): VcfFormatError {
  let found = 1;
  for (let i = s.indexOf("\t", a); i >= 0 && i < e; i = s.indexOf("\t", i + 1)) found++;
  const expected =
    sampleTabs < 0
      ? "8 tab-separated columns"
      : `${sampleTabs + 9} tab-separated columns (8 fixed + FORMAT + ${sampleTabs} sample${sampleTabs === 1 ? "" : "s"})`;
  const hint = found === 1 && s.slice(a, e).includes(" ") ? " (columns must be separated by tabs, not spaces)" : "";
  return new VcfFormatError(file, line, `expected ${expected}, found ${found}${hint}`);
}

const TABS = new Int32Array(7);

function parseRecord(file: string, s: string, a: number, e: number, line: number, sampleTabs: number): VcfRecord {
  if (s.charCodeAt(a) === 35 /* # */) {
    throw new VcfFormatError(file, line, `header line ${quoteForMessage(s.slice(a, e))} after the #CHROM line`);
  }
  // The first seven tabs delimit short fields: one charCodeAt scan finds them for less than
  // seven indexOf calls (native calls, ~20 ns each); INFO and the samples may be long, so the
  // eighth tab is left to indexOf.
  const tabs = TABS;
  let found = 0;
  for (let i = a; i < e; i++) {
    if (s.charCodeAt(i) === 9) {
      tabs[found++] = i;
      if (found === 7) break;
    }
  }
  if (found < 7) throw columnError(file, line, s, a, e, sampleTabs);
  const t1 = tabs[0]!;
  const t2 = tabs[1]!;
  const t3 = tabs[2]!;
  const t4 = tabs[3]!;
  const t5 = tabs[4]!;
  const t6 = tabs[5]!;
  const t7 = tabs[6]!;
  let t8 = s.indexOf("\t", t7 + 1);
  if (t8 >= e) t8 = -1;
  let rest = "";
  if (sampleTabs < 0) {
    if (t8 >= 0) throw columnError(file, line, s, a, e, sampleTabs);
  } else {
    if (t8 < 0) throw columnError(file, line, s, a, e, sampleTabs);
    let tabs = 0;
    for (let i = s.indexOf("\t", t8 + 1); i >= 0 && i < e; i = s.indexOf("\t", i + 1)) tabs++;
    if (tabs !== sampleTabs) throw columnError(file, line, s, a, e, sampleTabs);
    rest = s.slice(t8 + 1, e);
  }
  if (t1 === a) throw new VcfFormatError(file, line, "CHROM is empty", "CHROM");

  let pos = 0;
  const posLen = t2 - t1 - 1;
  let posOk = posLen > 0 && posLen <= 15;
  for (let i = t1 + 1; posOk && i < t2; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) posOk = false;
    else pos = pos * 10 + d;
  }
  if (!posOk || pos < 1) {
    throw new VcfFormatError(file, line, `POS ${quoteForMessage(s.slice(t1 + 1, t2))} is not a positive integer`, "POS");
  }

  let ref = s.slice(t3 + 1, t4);
  let lower = false;
  for (let i = t3 + 1; i < t4; i++) {
    const c = s.charCodeAt(i);
    if (c === 65 || c === 67 || c === 71 || c === 84 || c === 78) continue;
    if (c === 97 || c === 99 || c === 103 || c === 116 || c === 110) {
      lower = true;
      continue;
    }
    throw new VcfFormatError(file, line, `REF ${quoteForMessage(ref)} is not a DNA sequence (A, C, G, T, N)`, "REF");
  }
  if (t4 === t3 + 1) throw new VcfFormatError(file, line, "REF is empty", "REF");
  if (lower) ref = ref.toUpperCase();

  if (t5 === t4 + 1) throw new VcfFormatError(file, line, "ALT is empty (use . for no alternate allele)", "ALT");
  const altText = s.slice(t4 + 1, t5);
  if (altText.indexOf(",") >= 0) {
    for (const alt of altText.split(",")) {
      if (alt === "") throw new VcfFormatError(file, line, `ALT ${quoteForMessage(altText)} has an empty allele`, "ALT");
    }
  }

  return new VcfRecord(
    line,
    chromAt(s, a, t1),
    pos,
    s.slice(t2 + 1, t3),
    ref,
    altText,
    s.slice(t5 + 1, t6),
    s.slice(t6 + 1, t7),
    t8 < 0 ? s.slice(t7 + 1, e) : s.slice(t7 + 1, t8),
    rest,
  );
}

/** The previous record's CHROM, handed out again while records stay on it (no string per record). */
let lastChrom = "";

function chromAt(s: string, a: number, t1: number): string {
  const last = lastChrom;
  if (t1 - a === last.length) {
    let i = 0;
    while (i < last.length && s.charCodeAt(a + i) === last.charCodeAt(i)) i++;
    if (i === last.length) return last;
  }
  return (lastChrom = s.slice(a, t1));
}
