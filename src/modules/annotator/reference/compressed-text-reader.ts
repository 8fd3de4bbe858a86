/**
 * Reads text files that may be plain, gzip or BGZF, telling them apart by their magic bytes rather
 * than by the file name, and hands back whole lines with 1-based line numbers. Streaming, so a
 * multi-gigabyte GENCODE GTF never has to fit in one string.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";

export type Compression = "plain" | "gzip" | "bgzf";

/**
 * Looks at the first bytes of a file: gzip magic `1f 8b`, and BGZF when the gzip header carries the
 * `BC` extra subfield (SAM/BAM spec §4.1). An empty file counts as plain.
 */
export async function detectCompression(path: string): Promise<Compression> {
  const fh = await open(path, "r");
  try {
    const head = new Uint8Array(18);
    const { bytesRead } = await fh.read(head, 0, 18, 0);
    return compressionOf(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Classifies a file's first (up to 18) bytes; see {@link detectCompression}. */
export function compressionOf(head: Uint8Array): Compression {
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return "plain";
  const flags = head[3] ?? 0;
  const hasExtra = (flags & 0x04) !== 0;
  if (hasExtra && head.length >= 16 && head[12] === 0x42 && head[13] === 0x43) return "bgzf";
  return "gzip";
}

/**
 * Calls `onLine` for every line (without the line terminator; `\r\n` is accepted) with its 1-based
 * number. gzip and BGZF (multi-member gzip) are decompressed on the fly. Returns the line count.
 */
export async function readLines(
  path: string,
  onLine: (line: string, lineNo: number) => void,
): Promise<number> {
  const compression = await detectCompression(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  // node:zlib's gunzip stream reads concatenated members, which is exactly what BGZF is
  // (Bun.gunzipSync stops after the first member).
  const stream = compression === "plain" ? raw : raw.pipe(createGunzip());
  if (compression !== "plain") raw.on("error", (err) => stream.destroy(err));
  const decoder = new TextDecoder("utf-8");
  let carry = "";
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
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
  } catch (err) {
    // zlib errors carry a Z_* code (Z_DATA_ERROR, Z_BUF_ERROR); parser errors from onLine pass through.
    const code = (err as { code?: unknown }).code;
    if (err instanceof Error && typeof code === "string" && code.startsWith("Z_")) {
      throw new Error(`${path}: cannot decompress (${err.message}); the file is truncated or not gzip`);
    }
    throw err;
  }
  const rest = carry + decoder.decode();
  if (rest.length > 0) onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++lineNo);
  return lineNo;
}
