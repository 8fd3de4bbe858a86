/**
 * Whole lines of a text file that may be plain, gzip or BGZF (gene models: a multi-gigabyte
 * GENCODE GTF never has to fit in one string), with 1-based line numbers. The bytes come from the
 * same sequential source as the VCF reader's, so BGZF blocks are CRC-checked and a file cut at a
 * block boundary is caught here too.
 */
import { CompressedDataError } from "./compressed-data-error.ts";
import { openSequentialSource } from "./sequential-source.ts";

/**
 * Decompressed bytes asked of the source at a time, and text decoded at a time (whole lines, cut
 * after a newline). The source's default 4 MiB chunks, decoded whole (plus the carried partial
 * line, concatenated and flattened again), kept several copies of them alive, and every line's
 * substring keeps its whole piece alive. Measured on the chr21 Ensembl GFF3 (5 MB, 31k rows),
 * peak RSS of reading its lines: +24 MB over the modules' own, +16 MB with these sizes.
 */
const CHUNK_BYTES = 256 << 10;
const PIECE_BYTES = 128 << 10;

/**
 * Calls `onLine` for every line (without the line terminator; `\r\n` is accepted) with its 1-based
 * number. Returns the line count. Broken compressed data is an error naming the file.
 */
export async function readLines(path: string, onLine: (line: string, lineNo: number) => void): Promise<number> {
  const source = await openSequentialSource(path, "text", { maxChunkBytes: CHUNK_BYTES }).catch((err) => {
    throw err instanceof CompressedDataError ? new Error(`${path}: ${err.message}`) : err;
  });
  // Pieces end just after a "\n", which is never part of a multi-byte UTF-8 sequence: the
  // streaming decoder never holds bytes back between them (it is streaming for the BOM only).
  const decoder = new TextDecoder("utf-8");
  let carry: Uint8Array = new Uint8Array(0); // the bytes of an unfinished last line
  let lineNo = 0;
  const emit = (text: string) => {
    let from = 0;
    for (;;) {
      const nl = text.indexOf("\n", from);
      if (nl < 0) break;
      const end = nl > from && text.charCodeAt(nl - 1) === 13 /* \r */ ? nl - 1 : nl;
      onLine(text.slice(from, end), ++lineNo);
      from = nl + 1;
    }
  };
  try {
    for (;;) {
      let chunk: Uint8Array | null;
      try {
        chunk = await source.next();
      } catch (err) {
        if (err instanceof CompressedDataError)
          throw new Error(`${path}: cannot decompress (${err.message}); the file is truncated or not gzip`);
        throw err;
      }
      if (chunk === null) break;
      let bytes = chunk;
      if (carry.length > 0) {
        bytes = new Uint8Array(carry.length + chunk.length);
        bytes.set(carry);
        bytes.set(chunk, carry.length);
      }
      let from = 0;
      while (from < bytes.length) {
        let nl = bytes.lastIndexOf(10, Math.min(bytes.length, from + PIECE_BYTES) - 1);
        if (nl < from) nl = bytes.indexOf(10, from + PIECE_BYTES); // a line longer than a piece
        if (nl < 0) break;
        emit(decoder.decode(bytes.subarray(from, nl + 1), { stream: true }));
        from = nl + 1;
      }
      // A copy: the source reuses its chunk on the next call.
      carry = bytes.slice(from);
    }
  } finally {
    await source.close();
  }
  if (carry.length > 0) {
    const rest = decoder.decode(carry);
    onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++lineNo);
  }
  return lineNo;
}
