/**
 * Compressed copies of test inputs: gzip (one member, node:zlib) and BGZF (bgzip when installed,
 * otherwise written here from node:zlib so the test does not depend on htslib being present).
 */
import { deflateRawSync, gzipSync } from "node:zlib";

/** BGZF blocks hold at most 64 KiB; bgzip uses 0xff00 input bytes per block. */
const BGZF_BLOCK_INPUT = 0xff00;

export function gzipBytes(data: Uint8Array): Uint8Array {
  return gzipSync(data);
}

/** BGZF of `data`: bgzip's output when bgzip is on PATH, else an equivalent written with node:zlib. */
export async function bgzfBytes(data: Uint8Array): Promise<Uint8Array> {
  const bgzip = Bun.which("bgzip");
  if (bgzip) {
    const proc = Bun.spawn([bgzip, "-c"], { stdin: new Blob([new Uint8Array(data)]), stdout: "pipe", stderr: "pipe" });
    const out = new Uint8Array(await new Response(proc.stdout).arrayBuffer());
    if ((await proc.exited) !== 0) throw new Error(`bgzip failed: ${await new Response(proc.stderr).text()}`);
    return out;
  }
  const blocks: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += BGZF_BLOCK_INPUT) blocks.push(bgzfBlock(data.subarray(off, off + BGZF_BLOCK_INPUT)));
  blocks.push(bgzfBlock(new Uint8Array(0))); // the EOF marker block
  return Buffer.concat(blocks);
}

/** True when `bytes` start like a BGZF block (gzip with the `BC` extra subfield). */
export function looksLikeBgzf(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8 && (bytes[3]! & 4) !== 0 && bytes[12] === 0x42 && bytes[13] === 0x43;
}

/** The 28-byte empty block that ends every BGZF file. */
export const BGZF_EOF = Uint8Array.from([
  0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

function bgzfBlock(chunk: Uint8Array): Uint8Array {
  const cdata = deflateRawSync(chunk, { level: 6 });
  const blockSize = 18 + cdata.length + 8;
  const header = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, (blockSize - 1) & 0xff, (blockSize - 1) >> 8]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(Bun.hash.crc32(chunk) >>> 0, 0);
  trailer.writeUInt32LE(chunk.length, 4);
  return Buffer.concat([header, cdata, trailer]);
}
