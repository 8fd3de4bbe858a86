/**
 * Output files that never look complete before they are: text is written to a hidden temporary
 * file in the target folder and renamed onto the final name only by `commit()`. Plain text or
 * BGZF (readable by bgzip, tabix, bcftools and any gzip reader).
 */
import { closeSync, fsync, fsyncSync, openSync, renameSync, statSync, unlinkSync, write, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BGZF_BLOCK_INPUT, BGZF_EOF_BLOCK, bgzfBlockIsize, deflateBgzf, type BgzfLevel } from "./bgzf-codec.ts";
import { BgzfCompressor, type CompressedChunk } from "./bgzf-compressor.ts";

/** A text sink with all-or-nothing publication. */
export interface AtomicTextWriter {
  /** The final path. */
  readonly path: string;
  /** Buffers `text` (UTF-8). Cheap per call; flushes synchronously in large chunks. */
  write(text: string): void;
  /** Buffers bytes that are already UTF-8 (a worker's encoded batch). */
  writeBytes(bytes: Uint8Array): void;
  /**
   * Writes UTF-8 bytes the caller leaves untouched until `written` is called: plain output writes
   * them in the background without a copy (a parallel worker's result, handed back to the worker
   * afterwards: copying every result cost the pipeline's thread about a third of its time);
   * BGZF output compresses them at once and calls `written` before returning.
   */
  writeOwnedBytes(bytes: Uint8Array, written: () => void): void;
  /**
   * Takes `full[0, length)` (UTF-8) over and returns an empty buffer to go on writing in. Plain
   * output writes `full` itself in the background and hands back a spare buffer: no copy of the
   * ~400 MB the 1M-variant bench writes. BGZF output copies and hands `full` back.
   */
  swapBytes(full: Uint8Array<ArrayBuffer>, length: number): Uint8Array<ArrayBuffer>;
  /**
   * Resolves once fewer than the maximum of background writes are in flight. A producer that
   * awaits it between batches never makes a write fall back to a synchronous one on its own
   * thread (measured on the 1M-variant bench: 7 % of the main thread's CPU went to such writes).
   */
  ready(): Promise<void>;
  /** Flushes, syncs to disk and renames the temporary file onto `path`. */
  commit(): Promise<void>;
  /** Deletes the temporary file. Safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
  /** Bytes written to disk so far (compressed size for BGZF). */
  bytesWritten(): number;
}

export interface AtomicTextWriterOptions {
  /** Default plain (createVcfWriter in vcf/vcf-writer.ts picks bgzf for a .gz or .bgz path). */
  format?: "plain" | "bgzf";
  /** BGZF compression level 1–9 (default 1 with libdeflate: about 330 MB/s, close to zlib 6's ratio). */
  level?: BgzfLevel["level"];
  /**
   * BGZF only: sees every data block as it is written, in file order (its uncompressed bytes and
   * its size on disk), e.g. to build a tabix index in the same pass (tabix-index.ts). The bytes
   * are valid only during the call.
   */
  onBgzfBlock?: (data: Uint8Array, compressedBytes: number) => void;
  /**
   * BGZF only: once BACKGROUND_COMPRESSION_AFTER bytes are written, compress on a thread of its own
   * (bgzf-compressor.ts; same bytes). Default true; false keeps every block on the caller's thread.
   */
  backgroundCompression?: boolean;
}

/** Bytes buffered before a flush: big enough to amortize the syscall, small enough for the cache. */
const FLUSH_BYTES = 1 << 20;
/** Size of the buffers `swapBytes` takes without a copy and hands out. */
export const SWAP_BUFFER_BYTES = FLUSH_BYTES * 2;
/**
 * Bytes written between background fsyncs. The commit's fsync must wait for every dirty page to
 * reach the disk: on the 1M-variant benchmark (400 MB) that was 0.5 s at the end of the run.
 * Syncing in the background (libuv's thread pool) while the annotator computes leaves only the
 * last stretch for the final fsync.
 */
const BACKGROUND_SYNC_BYTES = 32 << 20;
/**
 * Chunks being written by libuv's thread pool at once. Copying 400 MB into the page cache took
 * ~5 % of the single-thread annotator's time on its own thread; written in the background
 * (positional writes, so they may finish in any order) it overlaps with the annotation. Beyond
 * this many chunks in flight a chunk is written synchronously, so memory stays bounded.
 */
const WRITES_IN_FLIGHT = 4;
/**
 * Bytes a BGZF output compresses on the caller's thread before it starts a compressor thread
 * (bgzf-compressor.ts), so small outputs (an index, a short job) never start one.
 */
export const BACKGROUND_COMPRESSION_AFTER = 16 << 20;
/** writeBytes appends at most this much before it checks for a flush. */
const PIECE_BYTES = 256 << 10;
/** A buffer handed out while the compressor thread has the last one: a flush's worth and a piece. */
const CHUNK_BYTES = FLUSH_BYTES + PIECE_BYTES;
/** Chunks at the compressor thread at once before `ready()` waits (each ~1 MiB). */
const COMPRESSIONS_IN_FLIGHT = 4;
/**
 * Input chunks kept for reuse: those in flight and those a batch adds before its ready(). With 8,
 * a 1M-variant run still allocated 121 new 2 MiB chunks (peak RSS 149-151 MB); with 16, 17 (143-145).
 */
const MAX_CHUNK_SPARES = 16;

/**
 * Opens a text output (TSV, JSON, log, ...) written to a temporary name in the same folder and
 * renamed onto `path` by `commit()`, so readers never see a partial file under the real name.
 */
export async function createAtomicTextWriter(path: string, opts: AtomicTextWriterOptions = {}): Promise<AtomicTextWriter> {
  const bgzf = opts.format === "bgzf";
  const level: BgzfLevel = { level: opts.level ?? 1, library: "libdeflate" };
  const onBlock = bgzf ? opts.onBgzfBlock : undefined;
  // The rename at commit would replace what is there: a device (`-o /dev/null` run as root
  // replaced the machine's /dev/null with a 850 MB file), a pipe or a folder is refused instead.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isFile()) {
    throw new Error("it is not a regular file (a device, a pipe or a folder): outputs are written to a new file and renamed into place");
  }
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
  let fd: number | null = openSync(tmp, "wx", 0o644);
  let state: "open" | "committed" | "aborted" = "open";
  let written = 0;
  const encoder = new TextEncoder();
  // Each write is UTF-8-encoded straight into this buffer. Collecting strings and joining them
  // once per flush was measured 1.7x slower: the annotator's lines are ropes of many small
  // pieces, and one encodeInto per line flattens them more cheaply than a big join.
  let buffer = new Uint8Array(FLUSH_BYTES * 2);
  let filled = 0;
  let unsynced = 0;
  let syncing: Promise<void> | null = null;
  /** File offset of the next chunk. */
  let position = 0;
  const pending = new Set<Promise<void>>();
  /** Buffers whose background write is done, for reuse as `buffer`. */
  const spare: Uint8Array<ArrayBuffer>[] = [];
  let writeError: unknown = null;
  const background = bgzf && opts.backgroundCompression !== false;
  /** Bytes compressed on this thread so far; past BACKGROUND_COMPRESSION_AFTER a compressor starts. */
  let compressedHere = 0;
  let compressor: BgzfCompressor | null = null;
  /** Input chunks the compressor has handed back, for reuse as `buffer`. */
  const chunkSpare: Uint8Array<ArrayBuffer>[] = [];

  /**
   * Writes `bytes` at the end of what was written so far. An `owned` chunk is not touched by the
   * caller afterwards, so it may be written in the background; `recycle` returns its buffer to
   * `spare` when done.
   */
  function writeAll(
    bytes: Uint8Array,
    owned = false,
    recycle: Uint8Array<ArrayBuffer> | null = null,
    onWritten: (() => void) | null = null,
  ): void {
    if (writeError !== null) throw writeError;
    const at = position;
    position += bytes.length;
    written += bytes.length;
    unsynced += bytes.length;
    if (owned && pending.size < WRITES_IN_FLIGHT) {
      const done: Promise<void> = writeInBackground(fd!, bytes, at).then(
        () => {
          pending.delete(done);
          if (recycle) spare.push(recycle);
          onWritten?.();
        },
        (err: unknown) => {
          pending.delete(done);
          writeError ??= err;
        },
      );
      pending.add(done);
    } else {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd!, bytes, off, bytes.length - off, at + off);
      if (recycle) spare.push(recycle);
      onWritten?.();
    }
    if (unsynced >= BACKGROUND_SYNC_BYTES && syncing === null) syncInBackground();
  }

  /** Waits for the background writes; throws the first write error. */
  async function drain(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
    if (writeError !== null) throw writeError;
  }

  /** Starts an fsync of what is written so far; its errors are left to the commit's own fsync. */
  function syncInBackground(): void {
    unsynced = 0;
    const f = fd!;
    syncing = new Promise<void>((resolve) => fsync(f, () => resolve())).then(() => {
      syncing = null;
    });
  }

  /** Writes out the buffer; BGZF keeps a partial block back so every block but the last is full. */
  function flush(final: boolean): void {
    if (!bgzf) {
      if (filled > 0) {
        // Hand the whole buffer to a background write and continue in a spare one.
        const full = buffer;
        writeAll(full.subarray(0, filled), true, full.length === FLUSH_BYTES * 2 ? full : null);
        buffer = spare.pop() ?? new Uint8Array(FLUSH_BYTES * 2);
      }
      filled = 0;
      return;
    }
    if (compressor === null && background && compressedHere >= BACKGROUND_COMPRESSION_AFTER) {
      compressor = new BgzfCompressor(level, writeCompressed);
    }
    // Whole blocks (everything, at the end); a partial block waits for the next flush.
    const end = final ? filled : filled - (filled % BGZF_BLOCK_INPUT);
    if (compressor !== null) {
      // Those go to the compressor thread; the rest stays here.
      if (end === 0 && !final) return;
      const chunk = buffer;
      // A spare if one is big enough (a fresh buffer per chunk made the collector run again and again).
      const need = Math.max(CHUNK_BYTES, filled - end);
      const fits = chunkSpare.findIndex((b) => b.length >= need);
      buffer = fits >= 0 ? chunkSpare.splice(fits, 1)[0]! : new Uint8Array(need);
      buffer.set(chunk.subarray(end, filled));
      filled -= end;
      compressor.compress(chunk.subarray(0, end), final);
      return;
    }
    const blocks: Uint8Array[] = [];
    deflateBgzf(buffer.subarray(0, end), level, blocks);
    if (onBlock) {
      // Incompressible data is split over several blocks: hand each its own share of the bytes.
      let at = 0;
      for (const block of blocks) {
        const isize = bgzfBlockIsize(block);
        onBlock(buffer.subarray(at, at + isize), block.length);
        at += isize;
      }
    }
    if (final) blocks.push(BGZF_EOF_BLOCK);
    compressedHere += end;
    buffer.copyWithin(0, end, filled);
    filled -= end;
    // Compressed blocks are new arrays (the EOF block a constant): nobody writes to them again.
    if (blocks.length === 1) {
      writeAll(blocks[0]!, true);
    } else if (blocks.length > 1) {
      writeAll(Buffer.concat(blocks), true);
    }
  }

  /** A chunk back from the compressor thread, in order: its blocks are written as the next bytes. */
  function writeCompressed(chunk: CompressedChunk): void {
    if (onBlock) {
      let at = 0;
      for (let b = 0; b < chunk.sizes.length; b++) {
        onBlock(chunk.data.subarray(at, at + chunk.inputs[b]!), chunk.sizes[b]!);
        at += chunk.inputs[b]!;
      }
    }
    if (chunk.compressed.length > 0) writeAll(chunk.compressed, true);
    // As many spares as chunks can be away between two ready() calls (a batch flushes several).
    if (chunkSpare.length < MAX_CHUNK_SPARES) chunkSpare.push(new Uint8Array(chunk.data.buffer as ArrayBuffer));
  }

  function reserve(bytes: number): void {
    if (buffer.length - filled >= bytes) return;
    flush(false);
    if (buffer.length - filled < bytes) {
      const bigger = new Uint8Array(Math.max(buffer.length * 2, filled + bytes));
      bigger.set(buffer.subarray(0, filled));
      buffer = bigger;
    }
  }

  function append(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    reserve(text.length * 3);
    filled += encoder.encodeInto(text, buffer.subarray(filled)).written;
  }

  function closeFd(): void {
    if (fd === null) return;
    const f = fd;
    fd = null;
    closeSync(f);
  }

  function checkOpen(): void {
    if (state !== "open") throw new Error(`write to ${path} after ${state === "committed" ? "commit" : "abort"}`);
  }

  function writeBytes(bytes: Uint8Array): void {
    checkOpen();
    // In pieces, so the buffer never grows past CHUNK_BYTES: a worker's ~2 MiB result grew it to
    // 4 MiB and more, and every buffer the compressor thread holds with it.
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + PIECE_BYTES));
      reserve(piece.length);
      buffer.set(piece, filled);
      filled += piece.length;
      if (filled >= FLUSH_BYTES) flush(false);
    }
  }

  async function abort(): Promise<void> {
    if (state === "committed") return;
    state = "aborted";
    filled = 0;
    compressor?.close();
    // The descriptor must stay open until the background writes and fsync on it are done.
    await drain().catch(() => {});
    if (syncing) await syncing;
    try {
      closeFd();
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone: abort is idempotent
      }
    }
  }

  return {
    path,
    write(text: string): void {
      checkOpen();
      append(text);
      if (filled >= FLUSH_BYTES) flush(false);
    },
    writeBytes,
    writeOwnedBytes(bytes: Uint8Array, onWritten: () => void): void {
      if (bgzf || bytes.length < FLUSH_BYTES / 4) {
        writeBytes(bytes);
        onWritten();
        return;
      }
      checkOpen();
      flush(false); // what write() buffered goes first
      writeAll(bytes, true, null, onWritten);
    },
    swapBytes(full: Uint8Array<ArrayBuffer>, length: number): Uint8Array<ArrayBuffer> {
      if (bgzf || full.length !== SWAP_BUFFER_BYTES) {
        writeBytes(full.subarray(0, length));
        return full;
      }
      checkOpen();
      flush(false); // what write() buffered goes first
      if (length > 0) writeAll(full.subarray(0, length), true, full);
      return spare.pop() ?? new Uint8Array(SWAP_BUFFER_BYTES);
    },
    async ready(): Promise<void> {
      if (compressor && compressor.pending >= COMPRESSIONS_IN_FLIGHT) await compressor.settled(COMPRESSIONS_IN_FLIGHT - 1);
      while (pending.size >= WRITES_IN_FLIGHT) await Promise.race(pending);
    },
    async commit(): Promise<void> {
      if (state !== "open") throw new Error(`commit of ${path} after ${state === "committed" ? "commit" : "abort"}`);
      try {
        flush(true);
        if (compressor) {
          await compressor.settled();
          compressor.close();
        }
        await drain();
        if (syncing) await syncing;
        fsyncSync(fd!);
        closeFd();
        renameSync(tmp, path);
        state = "committed";
      } catch (err) {
        await abort();
        throw err;
      }
      syncFolder(dirname(path));
    },
    abort,
    bytesWritten: () => written,
  };
}

/** Makes the rename durable; best effort (not every file system lets a folder be fsynced). */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // ignore: the data itself is already synced
  }
}

/** One positional write on libuv's thread pool, continued until every byte is written. */
function writeInBackground(fd: number, bytes: Uint8Array, at: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const step = (off: number) => {
      write(fd, bytes, off, bytes.length - off, at + off, (err, n) => {
        if (err) reject(err);
        else if (off + n < bytes.length) step(off + n);
        else resolve();
      });
    };
    step(0);
  });
}
