/**
 * FASTA index files: samtools `.fai` (per sequence: name, length, byte offset of the first base,
 * bases per line, bytes per line) and htslib `.gzi` (BGZF block offsets: compressed ↔ uncompressed).
 * Also builds a `.fai` by scanning a FASTA when none is given.
 */

export interface FaiEntry {
  name: string;
  length: number;
  /** Byte offset of the first base in the (uncompressed) file. */
  offset: number;
  lineBases: number;
  lineWidth: number;
}

/** Parses `.fai` text; errors name the file and line. */
export function parseFai(text: string, path: string): FaiEntry[] {
  const entries: FaiEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line === "") continue;
    const f = line.split("\t");
    const nums = f.slice(1, 5).map(Number);
    if (f.length < 5 || nums.some((n) => !Number.isSafeInteger(n) || n < 0)) {
      throw new Error(`${path}:${i + 1}: not a .fai line (expected NAME LENGTH OFFSET LINEBASES LINEWIDTH): ${line.slice(0, 80)}`);
    }
    const [length, offset, lineBases, lineWidth] = nums as [number, number, number, number];
    if (length > 0 && (lineBases < 1 || lineWidth < lineBases)) {
      throw new Error(`${path}:${i + 1}: bad line geometry (LINEBASES ${lineBases}, LINEWIDTH ${lineWidth})`);
    }
    entries.push({ name: f[0]!, length, offset, lineBases, lineWidth });
  }
  if (entries.length === 0) throw new Error(`${path}: empty .fai index`);
  return entries;
}

/** Formats entries as `.fai` text (same columns as `samtools faidx`). */
export function formatFai(entries: FaiEntry[]): string {
  return entries.map((e) => `${e.name}\t${e.length}\t${e.offset}\t${e.lineBases}\t${e.lineWidth}\n`).join("");
}

/**
 * Incremental `.fai` builder: feed it the uncompressed FASTA bytes in order. Mirrors samtools'
 * rules: all lines of a sequence but the last must have the same length, or random access by
 * arithmetic is impossible and the FASTA must be reformatted.
 */
export class FaiBuilder {
  readonly entries: FaiEntry[] = [];
  private lineStart = 0; // absolute byte offset of the current line's first byte
  private lineLen = 0; // bytes of the current line seen so far (without \n)
  private firstByte = -1;
  private lastByte = -1;
  private headerBytes: number[] = [];
  private lineNo = 0;
  private current: (FaiEntry & { shortSeen: boolean; blankSeen: boolean }) | null = null;

  constructor(private readonly path: string) {}

  push(chunk: Uint8Array): void {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      const to = nl < 0 ? chunk.length : nl;
      this.collect(chunk, from, to);
      if (nl < 0) break;
      this.endLine(1);
      from = nl + 1;
    }
  }

  finish(): FaiEntry[] {
    if (this.lineLen > 0) this.endLine(0);
    this.closeRecord();
    if (this.entries.length === 0) throw new Error(`${this.path}: no FASTA records (no line starting with '>')`);
    return this.entries;
  }

  private collect(chunk: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (this.lineLen === 0) this.firstByte = chunk[from]!;
    // Only a header's text is kept; for sequence lines the length is all that matters.
    if (this.firstByte === 62 /* > */) {
      for (let i = from; i < to && this.headerBytes.length < 4096; i++) this.headerBytes.push(chunk[i]!);
    }
    this.lastByte = chunk[to - 1]!;
    this.lineLen += to - from;
  }

  private endLine(newlineBytes: number): void {
    this.lineNo++;
    const width = this.lineLen + newlineBytes;
    this.lineStart += width;
    if (this.lineLen > 0 && this.firstByte === 62) {
      this.closeRecord();
      const name =
        String.fromCharCode(...this.headerBytes.slice(1))
          .trim()
          .split(/\s+/)[0] ?? "";
      if (name === "") throw new Error(`${this.path}:${this.lineNo}: FASTA header without a name`);
      this.current = { name, length: 0, offset: this.lineStart, lineBases: 0, lineWidth: 0, shortSeen: false, blankSeen: false };
    } else {
      const bases = this.lineLen > 0 && this.lastByte === 13 ? this.lineLen - 1 : this.lineLen;
      const cur = this.current;
      if (cur === null) {
        if (bases > 0) throw new Error(`${this.path}:${this.lineNo}: sequence before the first '>' header`);
      } else if (bases === 0) {
        cur.blankSeen = true;
      } else {
        if (cur.blankSeen || cur.shortSeen) {
          throw new Error(
            `${this.path}:${this.lineNo}: irregular line lengths in sequence '${cur.name}'; reformat it (e.g. seqkit seq -w 60) so it can be indexed`,
          );
        }
        if (cur.lineBases === 0) {
          cur.lineBases = bases;
          cur.lineWidth = width;
        } else if (bases > cur.lineBases) {
          throw new Error(
            `${this.path}:${this.lineNo}: line longer than the first line of sequence '${cur.name}'; reformat it so it can be indexed`,
          );
        } else if (bases < cur.lineBases) {
          cur.shortSeen = true;
        }
        cur.length += bases;
      }
    }
    this.lineLen = 0;
    this.firstByte = -1;
    this.lastByte = -1;
    this.headerBytes = [];
  }

  private closeRecord(): void {
    const cur = this.current;
    if (cur === null) return;
    const lineBases = cur.lineBases || 60;
    const lineWidth = cur.lineWidth || 61;
    this.entries.push({ name: cur.name, length: cur.length, offset: cur.offset, lineBases, lineWidth });
    this.current = null;
  }
}
