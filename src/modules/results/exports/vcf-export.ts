/**
 * The filtered set as VCF: the annotated VCF's header, then exactly the records of the filtered
 * variants, each as the engine wrote it (with its ANN). Both sides are in file order — the store's
 * `rec` is the record's 0-based ordinal in the annotated VCF and the filter is read in position
 * (input) order — so one pass over each, merged like two sorted lists, finds them: memory is a line
 * and a page of ordinals whatever the file's size. A record with several ALTs is written once if
 * any of its ALTs matches.
 */
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/**
 * `vcf`: the annotated VCF as stored (plain, or BGZF/gzip when `gzip`); `recs`: ascending record
 * ordinals, in batches. Yields text chunks of about 64 KiB.
 */
export async function* filteredVcf(
  vcf: ReadableStream<Uint8Array>,
  gzip: boolean,
  recs: AsyncIterable<readonly number[]>,
): AsyncGenerator<string> {
  const wanted = recs[Symbol.asyncIterator]();
  let batch: readonly number[] = [];
  let at = 0;
  /** The next wanted ordinal, or null when there are no more. */
  const nextWanted = async (): Promise<number | null> => {
    while (at >= batch.length) {
      const n = await wanted.next();
      if (n.done) return null;
      batch = n.value;
      at = 0;
    }
    return batch[at]!;
  };
  let want = await nextWanted();
  let rec = -1;
  let out = "";
  // Node's gunzip reads every member of a BGZF file (the web DecompressionStream stops at the first).
  const source = Readable.fromWeb(vcf as never);
  const bytes = gzip ? source.pipe(createGunzip()) : source;
  const decoder = new TextDecoder();
  let carry = "";
  try {
    for await (const chunk of bytes as AsyncIterable<Uint8Array>) {
      const text = carry + decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
        const line = text.slice(start, nl + 1);
        start = nl + 1;
        if (line.startsWith("#")) {
          out += line;
          continue;
        }
        rec++;
        while (want !== null && want < rec) {
          at++;
          want = await nextWanted();
        }
        if (want === rec) out += line;
      }
      carry = text.slice(start);
      if (out.length >= 65536) {
        yield out;
        out = "";
      }
      // Every wanted record written: the rest of the file is not read.
      if (want === null && rec >= 0) break;
    }
    if (carry && !carry.startsWith("#") && want === rec + 1) out += `${carry}\n`;
    if (out) yield out;
  } finally {
    source.destroy();
    await wanted.return?.(undefined);
  }
}
