/**
 * The BGZF block table htslib keeps in a `.gzi` file (compressed and uncompressed offset of every
 * block), which turns an uncompressed offset into the one block to inflate: read, written, or
 * rebuilt by walking the blocks when a BGZF file comes without one.
 */
import { open } from "node:fs/promises";
import { looksLikeBgzf } from "./bgzf-codec.ts";

/** BGZF block table: parallel arrays, sorted, starting with block 0 at (0, 0). */
export interface GziIndex {
  compressed: Float64Array;
  uncompressed: Float64Array;
}

/** Parses a `.gzi` file: uint64 count, then count pairs of uint64 (compressed, uncompressed). */
export function parseGzi(bytes: Uint8Array, path: string): GziIndex {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) throw new Error(`${path}: truncated .gzi (shorter than 8 bytes)`);
  const count = Number(view.getBigUint64(0, true));
  if (bytes.byteLength !== 8 + count * 16) {
    throw new Error(`${path}: corrupt .gzi (${count} entries announced, ${bytes.byteLength} bytes)`);
  }
  // The first block (0, 0) is implicit in the file.
  const compressed = new Float64Array(count + 1);
  const uncompressed = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) {
    compressed[i + 1] = Number(view.getBigUint64(8 + i * 16, true));
    uncompressed[i + 1] = Number(view.getBigUint64(16 + i * 16, true));
  }
  return { compressed, uncompressed };
}

/** Serialises a table as a `.gzi` file (block 0 implicit, as htslib writes it). */
export function formatGzi(gzi: GziIndex): Uint8Array {
  const count = gzi.compressed.length - 1; // block 0 is implicit
  const out = new Uint8Array(8 + count * 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(count), true);
  for (let i = 0; i < count; i++) {
    view.setBigUint64(8 + i * 16, BigInt(gzi.compressed[i + 1]!), true);
    view.setBigUint64(16 + i * 16, BigInt(gzi.uncompressed[i + 1]!), true);
  }
  return out;
}

/**
 * Builds the BGZF block table by walking the block headers and trailers (BSIZE and ISIZE), without
 * inflating anything: used when a BGZF FASTA comes without its `.gzi`.
 */
export async function scanBgzfBlocks(path: string): Promise<GziIndex> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const compressed: number[] = [];
    const uncompressed: number[] = [];
    const header = new Uint8Array(18);
    const trailer = new Uint8Array(4);
    let c = 0;
    let u = 0;
    while (c < size) {
      const { bytesRead } = await fh.read(header, 0, 18, c);
      if (bytesRead < 18 || !looksLikeBgzf(header)) {
        throw new Error(`${path}: not a BGZF block at byte ${c}; recompress the file with bgzip`);
      }
      const blockSize = (header[16]! | (header[17]! << 8)) + 1;
      await fh.read(trailer, 0, 4, c + blockSize - 4);
      const isize = new DataView(trailer.buffer).getUint32(0, true);
      compressed.push(c);
      uncompressed.push(u);
      c += blockSize;
      u += isize;
    }
    return { compressed: Float64Array.from(compressed), uncompressed: Float64Array.from(uncompressed) };
  } finally {
    await fh.close();
  }
}
