/**
 * What a file's first bytes say about its compression: the one place that tells plain text, gzip
 * and BGZF apart (never by the file name), and names the formats users upload by mistake.
 */
import { open } from "node:fs/promises";
import { looksLikeBgzf } from "./bgzf-codec.ts";

export type Compression = "plain" | "gzip" | "bgzf";

/** Bytes read from the start of a file to classify it: a whole BGZF block header. */
export const HEAD_BYTES = 18;

/** Other formats users upload by mistake: named so the error says what the file is. */
const FOREIGN_MAGIC: [number[], string][] = [
  [[0x42, 0x5a, 0x68], "bzip2"],
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz"],
  [[0x50, 0x4b, 0x03, 0x04], "zip"],
  [[0x42, 0x43, 0x46, 0x02], "BCF (binary VCF)"],
];

/**
 * Classifies a file's first (up to 18) bytes: gzip magic `1f 8b`, BGZF when the gzip header carries
 * the `BC` extra subfield first (SAM/BAM spec §4.1, as htslib checks). An empty file is plain.
 */
export function compressionOf(head: Uint8Array): Compression {
  if (looksLikeBgzf(head)) return "bgzf";
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b ? "gzip" : "plain";
}

/** The name of a compression we do not read (bzip2, zstd, xz, zip, BCF), or null. */
export function foreignFormatOf(head: Uint8Array): string | null {
  for (const [bytes, name] of FOREIGN_MAGIC) if (bytes.every((b, i) => head[i] === b)) return name;
  return null;
}

/** Reads the first bytes of `path` and classifies them; see {@link compressionOf}. */
export async function detectCompression(path: string): Promise<Compression> {
  const fh = await open(path, "r");
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    return compressionOf(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
