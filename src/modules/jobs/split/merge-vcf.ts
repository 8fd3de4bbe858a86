/**
 * The annotated VCFs of a split job's chunks joined into one BGZF VCF with its tabix index, in
 * input order, without recompressing: every chunk's BGZF blocks are copied as they are (a BGZF
 * file is a series of independent gzip members), except that the header each chunk repeats is
 * dropped from all but the first. Only the one block where a chunk's header ends is inflated and
 * its tail deflated again. Recompressing the whole VCF would have cost more than annotating it.
 *
 * The index is built as the engine builds it (io/tabix-index.ts): from each block's plain bytes
 * and its size on disk, so every block is inflated once (no deflate). The decompressed merged VCF
 * is byte for byte the unsplit run's (split-identity.test.ts).
 */
import { BGZF_EOF_BLOCK, bgzfBlockSize, deflateBgzf, inflateBgzfBlock } from "../../annotator/io/bgzf-codec.ts";
import { createTabixIndexer } from "../../annotator/io/tabix-index.ts";

const TAIL_LEVEL = { level: 6, library: "libdeflate" } as const;
const NL = 10;

/** End of the header (just past the `#CHROM` line's newline) in `plain`, or -1 when not in it yet. */
function headerEnd(plain: Uint8Array): number {
  let line = 0;
  while (line < plain.length) {
    const nl = plain.indexOf(NL, line);
    if (nl < 0) return -1;
    // `#CHROM`: the column line closes the header.
    if (plain[line] === 35 && plain[line + 1] === 67 && plain[line + 2] === 72) return nl + 1;
    if (plain[line] !== 35) throw new Error("chunk VCF: a data line before the #CHROM line");
    line = nl + 1;
  }
  return -1;
}

export interface MergedVcf {
  /** Bytes written to the merged VCF, and its size decompressed (what bgzf-plain-size.ts would read back). */
  bytes: number;
  plainBytes: number;
  /** Where the index was written; null when none could be built (unsorted records: `problem` says why). */
  indexPath: string | null;
  problem: string | null;
}

/** Join `parts` (BGZF VCFs, in input order) into `out` and `out`.tbi. */
export async function mergeBgzfVcfs(parts: readonly string[], out: string): Promise<MergedVcf> {
  const indexer = createTabixIndexer();
  const sink = Bun.file(out).writer({ highWaterMark: 1 << 20 });
  let bytes = 0;
  let plainBytes = 0;
  const emit = (block: Uint8Array, plain: Uint8Array) => {
    indexer.block(plain, block.length);
    sink.write(block);
    bytes += block.length;
    plainBytes += plain.length;
  };
  for (const [k, part] of parts.entries()) {
    const data = await Bun.file(part).bytes();
    let inHeader = k > 0;
    // The first chunk's header, or a later chunk's header bytes gathered until its end shows.
    let header: Uint8Array = new Uint8Array(0);
    for (let off = 0; off < data.length; ) {
      const size = bgzfBlockSize(data, off, data.length);
      if (size < 0 || off + size > data.length) throw new Error(`${part}: BGZF file cut short`);
      const block = data.subarray(off, off + size);
      off += size;
      const plain = inflateBgzfBlock(block);
      if (plain.length === 0) continue; // the EOF marker (one is written at the end)
      if (!inHeader) {
        emit(block, plain);
        continue;
      }
      const seen = new Uint8Array(header.length + plain.length);
      seen.set(header);
      seen.set(plain, header.length);
      const end = headerEnd(seen);
      if (end < 0) {
        header = seen;
        continue;
      }
      inHeader = false;
      const tail = seen.subarray(end);
      const blocks: Uint8Array[] = [];
      deflateBgzf(tail, TAIL_LEVEL, blocks);
      for (const b of blocks) emit(b, inflateBgzfBlock(b));
    }
    if (inHeader) throw new Error(`${part}: no #CHROM line`);
    await sink.flush();
  }
  sink.write(BGZF_EOF_BLOCK);
  bytes += BGZF_EOF_BLOCK.length;
  await sink.end();
  const index = indexer.finish();
  if (!index) return { bytes, plainBytes, indexPath: null, problem: indexer.problem() };
  // A .tbi is itself BGZF.
  const blocks: Uint8Array[] = [];
  deflateBgzf(index, TAIL_LEVEL, blocks);
  blocks.push(BGZF_EOF_BLOCK);
  const indexPath = `${out}.tbi`;
  await Bun.write(indexPath, new Blob(blocks as BlobPart[]));
  return { bytes, plainBytes, indexPath, problem: null };
}
