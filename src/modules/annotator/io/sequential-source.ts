/**
 * Decompressed bytes of a file, chunk by chunk, whatever its compression: plain text, gzip or
 * BGZF, told apart by magic bytes (never by the file name). Memory stays bounded: each `next()`
 * returns at most a few MiB, however large or however compressed the input is.
 */
import { open, type FileHandle } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { BGZF_EOF_BLOCK, bgzfBlockSize, inflateBgzfBlock } from "./bgzf-codec.ts";
import { CompressedDataError } from "./compressed-data-error.ts";
import { type Compression, HEAD_BYTES, compressionOf, foreignFormatOf } from "./compression.ts";

/**
 * A file's decompressed bytes in order, pulled chunk by chunk (the VCF reader, gene models). A
 * returned chunk is only valid until the next call. For reads at any offset see
 * RandomAccessByteSource (random-access-source.ts).
 */
export interface SequentialByteSource {
  readonly compression: Compression;
  /** Size of the file on disk. */
  readonly totalBytes: number;
  /** File bytes consumed so far (compressed bytes for gzip/BGZF), for progress bars. */
  bytesRead(): number;
  /** Next decompressed chunk, or null at the end. Throws CompressedDataError on broken data. */
  next(): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

const READ_CHUNK = 1 << 20;
/** Cap on decompressed bytes returned per `next()`, so a gzip bomb cannot blow up memory. */
const MAX_INFLATED_PER_CALL = 4 << 20;

export interface SequentialSourceLimits {
  /**
   * Most decompressed bytes per `next()` (default and upper bound: 4 MiB). The gene-model parser
   * asks for less: its peak memory grows with the chunk (see io/compressed-lines.ts).
   */
  maxChunkBytes?: number;
  /**
   * Refuse gzip/BGZF data that inflates to more than this many times the compressed bytes read
   * so far, once past RATIO_FLOOR_BYTES (default: no limit; the VCF reader sets one).
   */
  maxCompressionRatio?: number;
}

/**
 * Inflated bytes before the ratio is checked: the first blocks of a small file (a header in one
 * block) can compress far better than the whole.
 */
export const RATIO_FLOOR_BYTES = 16 << 20;

/** Opens `path` and detects its compression from the first bytes; `what` names the expected content in errors ("VCF"). */
export async function openSequentialSource(
  path: string,
  what = "text",
  limits: SequentialSourceLimits = {},
): Promise<SequentialByteSource> {
  const fh = await open(path, "r");
  try {
    const totalBytes = (await fh.stat()).size;
    const head = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    const magic = head.subarray(0, bytesRead);
    const foreign = foreignFormatOf(magic);
    if (foreign) throw new CompressedDataError(`the file is ${foreign}-compressed; only plain, gzip or BGZF ${what} is accepted`);
    const compression = compressionOf(magic);
    const maxChunk = Math.max(1, Math.min(MAX_INFLATED_PER_CALL, limits.maxChunkBytes ?? MAX_INFLATED_PER_CALL));
    if (compression === "bgzf") return withRatioLimit(bgzfSource(fh, totalBytes, maxChunk), limits.maxCompressionRatio);
    if (compression === "gzip") {
      await fh.close();
      return withRatioLimit(gzipSource(path, totalBytes), limits.maxCompressionRatio);
    }
    return plainSource(fh, totalBytes, Math.min(READ_CHUNK, maxChunk));
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

/**
 * Counts inflated bytes against compressed ones. Memory is bounded per call anyway; this stops a
 * bomb's work early with a reason the user can read (gzip reaches ~1000:1 on repeated lines).
 */
function withRatioLimit(source: SequentialByteSource, maxRatio: number | undefined): SequentialByteSource {
  if (!maxRatio) return source;
  let inflated = 0;
  return {
    ...source,
    bytesRead: () => source.bytesRead(),
    async next() {
      const chunk = await source.next();
      if (chunk) {
        inflated += chunk.length;
        if (inflated > RATIO_FLOOR_BYTES && inflated > maxRatio * Math.max(1, source.bytesRead())) {
          throw new CompressedDataError(
            `the data decompresses to more than ${maxRatio} times its compressed size (the compression ratio limit); is this a compression bomb?`,
          );
        }
      }
      return chunk;
    },
    close: () => source.close(),
  };
}

function plainSource(fh: FileHandle, totalBytes: number, chunkBytes: number): SequentialByteSource {
  const buf = new Uint8Array(chunkBytes);
  let offset = 0;
  return {
    compression: "plain",
    totalBytes,
    bytesRead: () => offset,
    async next() {
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return null;
      offset += bytesRead;
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

/**
 * BGZF is parsed block by block (rather than through a gzip stream) so that each block's CRC and
 * size are checked and a file cut at a block boundary is caught by the missing EOF block.
 */
function bgzfSource(fh: FileHandle, totalBytes: number, maxChunk: number): SequentialByteSource {
  let pending = new Uint8Array(0); // compressed bytes read but not yet inflated
  let pendingStart = 0;
  let offset = 0;
  let consumed = 0;
  let lastBlockWasEof = false;
  let eof = false;

  async function readMore(): Promise<boolean> {
    const chunk = new Uint8Array(READ_CHUNK);
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
    if (bytesRead === 0) return false;
    offset += bytesRead;
    const rest = pending.subarray(pendingStart);
    const merged = new Uint8Array(rest.length + bytesRead);
    merged.set(rest);
    merged.set(chunk.subarray(0, bytesRead), rest.length);
    pending = merged;
    pendingStart = 0;
    return true;
  }

  return {
    compression: "bgzf",
    totalBytes,
    bytesRead: () => consumed,
    async next() {
      if (eof) return null;
      const parts: Uint8Array[] = [];
      let total = 0;
      while (total < maxChunk) {
        const size = bgzfBlockSize(pending, pendingStart, pending.length);
        if (size < 0 || pendingStart + size > pending.length) {
          if (parts.length > 0) break; // hand out what we have before the next read
          if (await readMore()) continue;
          if (pendingStart < pending.length) {
            throw new CompressedDataError("BGZF data is truncated (the last block is incomplete)");
          }
          if (!lastBlockWasEof) {
            throw new CompressedDataError("BGZF data is truncated (no end-of-file marker block)");
          }
          eof = true;
          return null;
        }
        const block = pending.subarray(pendingStart, pendingStart + size);
        lastBlockWasEof = size === BGZF_EOF_BLOCK.length && block.every((b, i) => b === BGZF_EOF_BLOCK[i]);
        const out = inflateBgzfBlock(block);
        pendingStart += size;
        consumed += size;
        if (out.length > 0) {
          parts.push(out);
          total += out.length;
        }
      }
      if (parts.length === 1) return parts[0]!;
      const joined = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        at += p.length;
      }
      return joined;
    },
    close: () => fh.close(),
  };
}

/** Plain (non-blocked) gzip, possibly multi-member: node:zlib's streaming inflater checks CRCs. */
function gzipSource(path: string, totalBytes: number): SequentialByteSource {
  const file = createReadStream(path, { highWaterMark: READ_CHUNK });
  const gunzip = createGunzip({ chunkSize: 256 << 10 });
  file.on("error", (err) => gunzip.destroy(err));
  file.pipe(gunzip);
  const it = gunzip[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let done = false;
  return {
    compression: "gzip",
    totalBytes,
    // Compressed bytes the inflater has consumed: the file stream reads ahead (a 1 MB bomb was read
    // whole at once), which made progress and the ratio limit see the whole file from the start.
    bytesRead: () => gunzip.bytesWritten,
    async next() {
      if (done) return null;
      try {
        const r = await it.next();
        if (r.done) {
          done = true;
          return null;
        }
        return r.value;
      } catch (err) {
        done = true;
        const msg = err instanceof Error ? err.message : String(err);
        throw new CompressedDataError(
          /unexpected end/i.test(msg) ? "gzip data is truncated (unexpected end of file)" : `gzip data is corrupt (${msg})`,
        );
      }
    },
    async close() {
      done = true;
      file.destroy();
      gunzip.destroy();
    },
  };
}
