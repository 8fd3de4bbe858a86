/**
 * Genome FASTA access: plain FASTA (with or without `.fai`) or BGZF with `.fai` (+ `.gzi`).
 * Compression is told by magic bytes, not by the file name. Missing indexes are built by scanning
 * and written beside the FASTA when the folder is writable.
 */
import { access, readFile, writeFile } from "node:fs/promises";
import type { GenomeWindow } from "../model.ts";
import { detectCompression } from "../io/compression.ts";
import { type GziIndex, formatGzi, parseGzi, scanBgzfBlocks } from "../io/gzi-index.ts";
import { type RandomAccessByteSource, openBgzfSource, openPlainSource } from "../io/random-access-source.ts";
import { openSequentialSource } from "../io/sequential-source.ts";
import { FaiBuilder, formatFai, parseFai, type FaiEntry } from "./fasta-index.ts";

export interface GenomeReader {
  /** Sequences in file order. */
  contigs(): { name: string; length: number }[];
  hasContig(name: string): boolean;
  /** Bases start..end (1-based inclusive), upper case; `N` for positions outside the contig. */
  fetch(contig: string, start: number, end: number): Promise<string>;
  /** Loads start..end; the window's synchronous `slice` serves any sub-range of it. */
  window(contig: string, start: number, end: number): Promise<GenomeWindow>;
  close(): Promise<void>;
}

/** Longest single fetch; protects memory against a caller asking for a whole chromosome by mistake. */
const MAX_FETCH = 256 * 1024 * 1024;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function buildFai(path: string): Promise<FaiEntry[]> {
  const builder = new FaiBuilder(path);
  const source = await openSequentialSource(path, "FASTA");
  try {
    for (let chunk = await source.next(); chunk !== null; chunk = await source.next()) builder.push(chunk);
  } finally {
    await source.close();
  }
  return builder.finish();
}

/** Best effort: an index beside the FASTA speeds up the next open; a read-only folder is fine. */
async function tryWrite(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { flag: "wx" }).catch(() => undefined);
}

/**
 * Opens a genome FASTA for random access. `cachedBlocks`: inflated 64 KB blocks kept (default 256,
 * 16 MB), for a reader that needs fewer.
 * @throws for a plain-gzip (non-BGZF) file, with the `bgzip` command that fixes it; for a missing
 * file; for a FASTA whose lines cannot be indexed.
 */
export async function openGenome(path: string, opts: { cachedBlocks?: number } = {}): Promise<GenomeReader> {
  if (!(await exists(path))) throw new Error(`${path}: FASTA file not found`);
  const compression = await detectCompression(path);
  if (compression === "gzip") {
    throw new Error(
      `${path}: gzip-compressed but not BGZF, so it cannot be read at random positions. ` +
        `Recompress it with: gzip -dc ${path} | bgzip -c > genome.fa.gz && samtools faidx genome.fa.gz`,
    );
  }
  const faiPath = `${path}.fai`;
  let entries: FaiEntry[];
  if (await exists(faiPath)) {
    entries = parseFai(await readFile(faiPath, "utf8"), faiPath);
  } else {
    entries = await buildFai(path);
    await tryWrite(faiPath, formatFai(entries));
  }
  let source: RandomAccessByteSource;
  if (compression === "bgzf") {
    const gziPath = `${path}.gzi`;
    let gzi: GziIndex;
    if (await exists(gziPath)) {
      gzi = parseGzi(new Uint8Array(await readFile(gziPath)), gziPath);
    } else {
      gzi = await scanBgzfBlocks(path);
      await tryWrite(gziPath, formatGzi(gzi));
    }
    source = await openBgzfSource(path, gzi, opts.cachedBlocks);
  } else {
    source = await openPlainSource(path, opts.cachedBlocks);
  }
  return createGenomeReader(path, entries, source);
}

function createGenomeReader(path: string, entries: FaiEntry[], source: RandomAccessByteSource): GenomeReader {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const latin1 = new TextDecoder("latin1");

  const entryOf = (contig: string): FaiEntry => {
    const e = byName.get(contig);
    if (!e)
      throw new Error(
        `${path}: contig '${contig}' is not in the FASTA (has: ${entries
          .slice(0, 5)
          .map((x) => x.name)
          .join(", ")}${entries.length > 5 ? ", ..." : ""})`,
      );
    return e;
  };

  /** Reads bases from..to (0-based inclusive, inside the contig). */
  const readBases = async (e: FaiEntry, from: number, to: number): Promise<string> => {
    const byteOf = (i: number) => e.offset + Math.floor(i / e.lineBases) * e.lineWidth + (i % e.lineBases);
    const first = byteOf(from);
    const bytes = await source.read(first, byteOf(to) - first + 1);
    const want = to - from + 1;
    const out = new Uint8Array(want);
    let n = 0;
    for (let i = 0; i < bytes.length && n < want; i++) {
      const b = bytes[i]!;
      if (b === 10 || b === 13) continue;
      out[n++] = b >= 97 && b <= 122 ? b - 32 : b; // upper case: soft-masking is not meaningful here
    }
    if (n !== want) throw new Error(`${path}: sequence '${e.name}' is shorter than its .fai says (stale index?)`);
    return latin1.decode(out);
  };

  const fetch = async (contig: string, start: number, end: number): Promise<string> => {
    const e = entryOf(contig);
    if (end < start) return "";
    if (end - start + 1 > MAX_FETCH) throw new RangeError(`fetch ${contig}:${start}-${end} is longer than ${MAX_FETCH} bases`);
    const from = Math.max(start, 1);
    const to = Math.min(end, e.length);
    if (to < from) return "N".repeat(end - start + 1);
    const inner = await readBases(e, from - 1, to - 1);
    const before = from - start;
    const after = end - to;
    return before === 0 && after === 0 ? inner : "N".repeat(before) + inner + "N".repeat(after);
  };

  return {
    contigs: () => entries.map((e) => ({ name: e.name, length: e.length })),
    hasContig: (name) => byName.has(name),
    fetch,
    async window(contig, start, end) {
      const e = entryOf(contig);
      const loadStart = Math.max(start, 1);
      const loadEnd = Math.min(end, e.length);
      const seq = loadEnd >= loadStart ? await fetch(contig, loadStart, loadEnd) : "";
      return createWindow(contig, e.length, start, end, loadStart, seq);
    },
    close: () => source.close(),
  };
}

/**
 * A loaded stretch of one contig. Positions outside the contig read as `N` whatever was loaded;
 * positions inside the contig but outside the loaded range are a programming error (RangeError).
 */
export function createWindow(
  contig: string,
  contigLength: number,
  requestedStart: number,
  requestedEnd: number,
  seqStart: number,
  seq: string,
): GenomeWindow {
  return {
    contig,
    slice(start: number, end: number): string {
      if (end < start) return "";
      const from = Math.max(start, 1);
      const to = Math.min(end, contigLength);
      if (to < from) return "N".repeat(end - start + 1);
      if (from < seqStart || to > seqStart + seq.length - 1) {
        throw new RangeError(
          `genome window ${contig}:${requestedStart}-${requestedEnd} does not cover ${contig}:${start}-${end}; load a wider window first`,
        );
      }
      const inner = seq.slice(from - seqStart, to - seqStart + 1);
      const before = from - start;
      const after = end - to;
      return before === 0 && after === 0 ? inner : "N".repeat(before) + inner + "N".repeat(after);
    },
  };
}
