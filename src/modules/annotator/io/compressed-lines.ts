/**
 * Whole lines of a text file that may be plain, gzip or BGZF (gene models: a multi-gigabyte
 * GENCODE GTF never has to fit in one string), with 1-based line numbers. The bytes come from the
 * same sequential source as the VCF reader's, so BGZF blocks are CRC-checked and a file cut at a
 * block boundary is caught here too.
 */
import { CompressedDataError } from "./compressed-data-error.ts";
import { openSequentialSource } from "./sequential-source.ts";

/**
 * Calls `onLine` for every line (without the line terminator; `\r\n` is accepted) with its 1-based
 * number. Returns the line count. Broken compressed data is an error naming the file.
 */
export async function readLines(path: string, onLine: (line: string, lineNo: number) => void): Promise<number> {
  const source = await openSequentialSource(path).catch((err) => {
    throw err instanceof CompressedDataError ? new Error(`${path}: ${err.message}`) : err;
  });
  const decoder = new TextDecoder("utf-8");
  let carry = "";
  let lineNo = 0;
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
      const text = carry + decoder.decode(chunk, { stream: true });
      let from = 0;
      for (;;) {
        const nl = text.indexOf("\n", from);
        if (nl < 0) break;
        let line = text.slice(from, nl);
        if (line.endsWith("\r")) line = line.slice(0, -1);
        onLine(line, ++lineNo);
        from = nl + 1;
      }
      carry = text.slice(from);
    }
  } finally {
    await source.close();
  }
  const rest = carry + decoder.decode();
  if (rest.length > 0) onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++lineNo);
  return lineNo;
}
