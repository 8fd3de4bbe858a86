/**
 * Turns a SequentialByteSource into text with line bookkeeping. The reader's loops scan `text` from `pos`
 * with `indexOf("\n")` and parse fields in place, so there is one decode and one string per chunk,
 * not per line (per-line async or per-line decoding would cap throughput far below 1M lines/s).
 */
import type { SequentialByteSource } from "../io/sequential-source.ts";
import { CompressedDataError } from "../io/compressed-data-error.ts";
import { VcfFormatError } from "./vcf-format-error.ts";

export class TextFeed {
  /** Undigested text; complete lines start at `pos`. */
  text = "";
  pos = 0;
  /** Lines fully consumed so far (so the line at `pos` is `lineNo + 1`). */
  lineNo = 0;
  /** Index in `text` of the first NUL character, or -1. */
  nulAt = -1;
  /** True once the source is exhausted (a final newline has been supplied if the file lacked one). */
  ended = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(
    private readonly source: SequentialByteSource,
    readonly file: string,
    readonly maxLineChars: number,
  ) {}

  /** An error at the line being read now. */
  error(problem: string, field?: string, lineOffset = 1): VcfFormatError {
    return new VcfFormatError(this.file, this.lineNo + lineOffset, problem, field);
  }

  /**
   * Appends the next chunk to the undigested rest. Returns false at the end of input. Callers only
   * call it when no complete line is left, so the rest holds no newline.
   */
  async fill(): Promise<boolean> {
    if (this.ended) return false;
    const rest = this.pos < this.text.length ? this.text.slice(this.pos) : "";
    if (rest.length > this.maxLineChars) throw this.tooLong();
    let bytes: Uint8Array | null;
    try {
      bytes = await this.source.next();
    } catch (err) {
      if (err instanceof CompressedDataError) throw this.error(err.message);
      throw err;
    }
    let decoded: string;
    try {
      decoded = bytes === null ? this.decoder.decode() : this.decoder.decode(bytes, { stream: true });
    } catch {
      const bad = bytes === null ? 0 : firstInvalidUtf8(bytes);
      const lines = bytes === null ? 0 : countNewlines(bytes, bad);
      throw this.error("invalid UTF-8 text (binary data?): not a text VCF", undefined, lines + 1);
    }
    if (this.nulAt >= this.pos) {
      this.nulAt -= this.pos; // the NUL sits in the carried-over partial line
    } else {
      const nul = decoded.indexOf("\0");
      this.nulAt = nul < 0 ? -1 : rest.length + nul;
    }
    if (bytes === null) {
      this.ended = true;
      // A missing final newline is tolerated: supply it so the last line is parsed like the others.
      this.text = rest.length > 0 || decoded.length > 0 ? `${rest}${decoded}\n` : "";
    } else {
      this.text = rest + decoded;
    }
    this.pos = 0;
    return true;
  }

  /** Over-long line error at `line` (default: the line being read). */
  tooLong(line = this.lineNo + 1): VcfFormatError {
    return new VcfFormatError(
      this.file,
      line,
      `line is longer than ${this.maxLineChars} characters (the line length limit); is this really a VCF?`,
    );
  }

  nulError(line = this.lineNo + 1): VcfFormatError {
    return new VcfFormatError(this.file, line, "contains a NUL byte (binary data?): not a text VCF");
  }
}

/** Position of the first byte that breaks UTF-8 (only used to place an error; speed is irrelevant). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return i;
      if ((b[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return b.length;
}

function countNewlines(b: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) n++;
  return n;
}
