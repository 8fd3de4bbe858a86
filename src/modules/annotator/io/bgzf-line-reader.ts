/**
 * The lines of a BGZF file read in order from any virtual offset (a tabix chunk's start): what a
 * merge join over a bgzipped, position-sorted file needs. Seeking costs one read; after that the
 * file is read sequentially in large chunks, block by block (each block's CRC and size checked by
 * inflateBgzfBlock), and never twice.
 */
import { bgzfBlockSize, inflateBgzfBlock } from "./bgzf-codec.ts";

/** Compressed bytes read per file read: a few BGZF blocks, a few hundred records of dbSNP. */
const READ_BYTES = 256 << 10;
/** Largest BGZF block (the format's limit). */
const MAX_BLOCK = 1 << 16;

export class BgzfLineReader {
  private buf = new Uint8Array(READ_BYTES + MAX_BLOCK);
  /** File offset of buf[0]. */
  private bufStart = 0;
  /** Bytes of buf holding file data, and how many of them are consumed (whole blocks). */
  private have = 0;
  private used = 0;
  /** Uncompressed bytes to skip in the first block after a seek (the virtual offset's low part). */
  private skip = 0;
  /** A line cut at a chunk boundary. */
  private carry = "";
  private atEnd = false;
  private readonly decoder = new TextDecoder();

  // Reads go through Bun.file slices, which hold no file descriptor between reads: a reader
  // that is dropped without close() (an engine aborted mid-batch) leaks nothing.
  private constructor(private readonly file: ReturnType<typeof Bun.file>) {}

  static async open(path: string): Promise<BgzfLineReader> {
    const file = Bun.file(path);
    if (!(await file.exists())) throw new Error(`${path}: file not found`);
    return new BgzfLineReader(file);
  }

  /** Positions the reader at a virtual offset: the block's file offset and an offset in its data. */
  seek(blockPosition: number, dataPosition: number): void {
    this.bufStart = blockPosition;
    this.have = 0;
    this.used = 0;
    this.skip = dataPosition;
    this.carry = "";
    this.atEnd = false;
  }

  /** File offset of the next block to inflate: how far the reader has come. */
  get position(): number {
    return this.bufStart + this.used;
  }

  /**
   * The next complete lines (at least one), or null at the end of the file. A last line without
   * a newline is returned at the end.
   */
  async next(): Promise<string[] | null> {
    for (;;) {
      let text = "";
      // One block's lines at a time (at most 64 KiB of text, ~1,000 dbSNP records), not every
      // block of the 256 KiB read: the caller keeps lines until the input reaches them, and all
      // of a read's ~20,000 lines (substrings of one text) then lived long enough to be promoted
      // to the old generation (heapStats on the 1M bench with known variants: +22,800 strings,
      // 9 MB more heap before each full collection than without).
      while (this.used < this.have && text === "") {
        const size = bgzfBlockSize(this.buf, this.used, this.have);
        if (size < 0 || this.used + size > this.have) break;
        let data = inflateBgzfBlock(this.buf.subarray(this.used, this.used + size));
        this.used += size;
        if (this.skip > 0) {
          data = data.subarray(Math.min(this.skip, data.length));
          this.skip = 0;
        }
        if (data.length > 0) text = this.decoder.decode(data, { stream: true });
      }
      if (text !== "") {
        const lines = (this.carry + text).split("\n");
        this.carry = lines.pop()!;
        if (lines.length > 0) return lines;
        continue;
      }
      if (this.atEnd) {
        if (this.used < this.have) throw new Error("BGZF data is corrupt (the file ends inside a block)");
        if (this.carry === "") return null;
        const last = this.carry;
        this.carry = "";
        return [last];
      }
      await this.fill();
    }
  }

  /** Moves the unconsumed bytes to the front and reads more after them. */
  private async fill(): Promise<void> {
    if (this.used > 0) {
      this.buf.copyWithin(0, this.used, this.have);
      this.bufStart += this.used;
      this.have -= this.used;
      this.used = 0;
    }
    const from = this.bufStart + this.have;
    const chunk = new Uint8Array(await this.file.slice(from, from + this.buf.length - this.have).arrayBuffer());
    if (chunk.length === 0) this.atEnd = true;
    this.buf.set(chunk, this.have);
    this.have += chunk.length;
  }

  /** Nothing to release (see the constructor); kept so callers need not know. */
  async close(): Promise<void> {}
}
