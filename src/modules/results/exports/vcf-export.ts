/**
 * The filtered set as VCF: the annotated VCF's header, then exactly the records of the filtered
 * variants, each as the engine wrote it (with its ANN). Both sides are in file order — the store's
 * `rec` is the record's 0-based ordinal in the annotated VCF and the filter is read in position
 * (input) order — so one pass over each, merged like two sorted lists, finds them: memory is a
 * chunk and a page of ordinals whatever the file's size. A record with several ALTs is written
 * once if any of its ALTs matches. Lines are found and copied as bytes, never decoded: a 270 MB
 * VCF as strings made ~0.5 GB of garbage for the web role's collector.
 */
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

const NL = 0x0a;
const HASH = 0x23;

/**
 * `vcf`: the annotated VCF as stored (plain, or BGZF/gzip when `gzip`); `recs`: ascending record
 * ordinals, in batches. Yields the output in chunks of the input's size or less.
 */
export async function* filteredVcf(
  vcf: ReadableStream<Uint8Array>,
  gzip: boolean,
  recs: AsyncIterable<readonly number[]>,
): AsyncGenerator<Uint8Array> {
  const wanted = recs[Symbol.asyncIterator]();
  let batch: readonly number[] = [];
  let at = 0;
  /** The next wanted ordinal at or after `rec`, or null when there are no more. */
  const nextWanted = async (rec: number): Promise<number | null> => {
    for (;;) {
      while (at < batch.length && batch[at]! < rec) at++;
      if (at < batch.length) return batch[at]!;
      const n = await wanted.next();
      if (n.done) return null;
      batch = n.value;
      at = 0;
    }
  };
  let want = await nextWanted(0);
  let rec = -1;
  /** A line cut by a chunk boundary, and whether we are at the start of a line. */
  let carry: Uint8Array | null = null;
  // Node's gunzip reads every member of a BGZF file (the web DecompressionStream stops at the first).
  const source = Readable.fromWeb(vcf as never);
  const bytes = gzip ? source.pipe(createGunzip()) : source;
  try {
    for await (const piece of bytes as AsyncIterable<Uint8Array>) {
      const chunk: Uint8Array = carry ? Buffer.concat([carry, piece]) : piece;
      carry = null;
      const out: Uint8Array[] = [];
      let start = 0;
      for (let nl = chunk.indexOf(NL, start); nl >= 0; nl = chunk.indexOf(NL, start)) {
        if (chunk[start] === HASH) out.push(chunk.subarray(start, nl + 1));
        else {
          rec++;
          if (want !== null && want < rec) want = await nextWanted(rec);
          if (want === rec) out.push(chunk.subarray(start, nl + 1));
        }
        start = nl + 1;
      }
      if (start < chunk.length) carry = chunk.slice(start);
      if (out.length) yield out.length === 1 ? out[0]! : Buffer.concat(out);
      // Every wanted record written: the rest of the file is not read.
      if (want === null && rec >= 0) return;
    }
    // A last line without its newline.
    if (carry && carry[0] !== HASH && want === rec + 1) yield Buffer.concat([carry, Uint8Array.of(NL)]);
  } finally {
    source.destroy();
    await wanted.return?.(undefined);
  }
}
