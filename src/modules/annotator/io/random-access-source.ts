/**
 * Random access to the uncompressed bytes of a FASTA file, plain or BGZF, through a bounded LRU of
 * decompressed chunks.
 *
 * Why not @gmod/indexedfasta (installed): measured here on the demo BGZF FASTA, 2,000 fetches of
 * 200 bp along the chromosome took ~590 ms (~300 µs each), because every call re-reads and
 * re-inflates its BGZF block(s). The annotator asks for many small neighbouring windows along a
 * sorted VCF, so keeping the last few hundred inflated 64 KB blocks makes repeated fetches cost a
 * few microseconds instead. The BGZF layout itself is simple (SAM spec §4.1; htslib .gzi), so this
 * is a small amount of code.
 */
import { open, type FileHandle } from "node:fs/promises";
import { looksLikeBgzf } from "./bgzf-codec.ts";
import type { GziIndex } from "./gzi-index.ts";
import { LruCache } from "./lru-cache.ts";

/**
 * Uncompressed bytes of a file at any offset (the genome FASTA), served from a bounded cache of
 * inflated chunks. For reading a file once in order see SequentialByteSource (sequential-source.ts).
 */
export interface RandomAccessByteSource {
  /** Uncompressed bytes [offset, offset + length), shorter only at end of file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

const PLAIN_CHUNK = 64 * 1024;
/** 256 × 64 KB = 16 MB of decompressed sequence at most, per open genome. */
const DEFAULT_MAX_CHUNKS = 256;

interface Chunk {
  start: number; // uncompressed offset of the chunk's first byte
  bytes: Uint8Array;
}

/** Joins the parts of [offset, offset+length) found in consecutive chunks. */
async function readThroughChunks(offset: number, length: number, chunkAt: (offset: number) => Promise<Chunk | null>): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const chunk = await chunkAt(offset + filled);
    if (chunk === null || chunk.bytes.length === 0) break;
    const from = offset + filled - chunk.start;
    if (from >= chunk.bytes.length) break;
    const take = Math.min(length - filled, chunk.bytes.length - from);
    out.set(chunk.bytes.subarray(from, from + take), filled);
    filled += take;
  }
  return filled === length ? out : out.subarray(0, filled);
}

/** Plain file: fixed 64 KB chunks read with pread. */
export async function openPlainSource(path: string, maxChunks = DEFAULT_MAX_CHUNKS): Promise<RandomAccessByteSource> {
  const fh: FileHandle = await open(path, "r");
  const cache = new LruCache<number, Chunk>(maxChunks);
  const chunkAt = async (offset: number): Promise<Chunk | null> => {
    const index = Math.floor(offset / PLAIN_CHUNK);
    const hit = cache.get(index);
    if (hit) return hit;
    const bytes = new Uint8Array(PLAIN_CHUNK);
    const { bytesRead } = await fh.read(bytes, 0, PLAIN_CHUNK, index * PLAIN_CHUNK);
    const chunk = { start: index * PLAIN_CHUNK, bytes: bytes.subarray(0, bytesRead) };
    cache.set(index, chunk);
    return chunk;
  };
  return {
    read: (offset, length) => readThroughChunks(offset, length, chunkAt),
    close: () => fh.close(),
  };
}

/** BGZF file with its block index: each cached chunk is one inflated block. */
export async function openBgzfSource(path: string, gzi: GziIndex, maxBlocks = DEFAULT_MAX_CHUNKS): Promise<RandomAccessByteSource> {
  const fh: FileHandle = await open(path, "r");
  const cache = new LruCache<number, Chunk>(maxBlocks);
  const n = gzi.uncompressed.length;

  const blockIndexFor = (offset: number): number => {
    // Last block whose uncompressed start is <= offset.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (gzi.uncompressed[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const inflateBlock = async (i: number): Promise<Chunk> => {
    const cOffset = gzi.compressed[i]!;
    const header = new Uint8Array(18);
    const { bytesRead } = await fh.read(header, 0, 18, cOffset);
    if (bytesRead === 0) return { start: gzi.uncompressed[i]!, bytes: new Uint8Array(0) };
    if (bytesRead < 18 || !looksLikeBgzf(header)) {
      throw new Error(`${path}: no BGZF block at byte ${cOffset} (index .gzi out of date?)`);
    }
    const blockSize = (header[16]! | (header[17]! << 8)) + 1;
    const block = new Uint8Array(blockSize);
    await fh.read(block, 0, blockSize, cOffset);
    // Deflate payload sits between the 18-byte header and the 8-byte CRC32/ISIZE trailer.
    // Bun's inflate (libdeflate) rather than node:zlib's: ~25 % less time per 64 KB block, and a
    // whole genome with sparse variants inflates every block of the FASTA (bench:genome).
    const bytes = Bun.inflateSync(block.subarray(18, blockSize - 8));
    return { start: gzi.uncompressed[i]!, bytes };
  };

  // Blocks being inflated: concurrent reads of one block (a transcript's exons, fetched together,
  // and the batch's window) wait for the same inflate. Without this each read inflated the block
  // itself, ~10 times per block on a whole genome with sparse variants (bench:genome profile).
  const pending = new Map<number, Promise<Chunk>>();
  const chunkAt = async (offset: number): Promise<Chunk | null> => {
    const i = blockIndexFor(offset);
    let hit = cache.get(i);
    if (!hit) {
      let inflating = pending.get(i);
      if (inflating === undefined) {
        inflating = inflateBlock(i).finally(() => pending.delete(i));
        pending.set(i, inflating);
      }
      hit = await inflating;
      cache.set(i, hit);
    }
    // Past the end of the last block: end of file.
    return offset < hit.start + hit.bytes.length ? hit : null;
  };

  return {
    read: (offset, length) => readThroughChunks(offset, length, chunkAt),
    close: () => fh.close(),
  };
}
