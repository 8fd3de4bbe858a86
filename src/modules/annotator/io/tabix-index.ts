/**
 * A tabix (.tbi) index of a BGZF VCF, built in the same pass that writes it: the BGZF writer
 * hands over each block's uncompressed bytes and compressed size, so every record's virtual
 * offset is known as it goes by, and the index is ready when the last block is written. Reading
 * the finished file again (what `tabix -p vcf` does) would cost a second pass over it.
 *
 * Written by hand: the npm registry has readers only (@gmod/tabix, @gmod/bgzf-filehandle);
 * nothing there writes .tbi or .csi (checked with `npm view` on 2026-12-02).
 *
 * The algorithm is htslib's (hts.c `hts_idx_push`, `hts_idx_finish`, `update_loff`,
 * `compress_binning`; tbx.c `tbx_parse1` with the VCF preset), so the index equals the one
 * `tabix -p vcf` builds from the same file, bin for bin and chunk for chunk (tabix-index.test.ts
 * compares them); only the order of bins, a hash-table order in htslib, differs. Memory: the
 * linear index (8 bytes per 16 kb of each contig: 1.5 MB for a human genome) and the bins' chunks,
 * one per run of records in a bin; never the records.
 *
 * The index is given up, with a reason, rather than written wrong when the records are not
 * sorted (a contig seen twice, positions going back), when a line is not a VCF record, or when a
 * record lies beyond 2^29, the largest position a .tbi can hold (CSI would be needed; real
 * chromosomes longer than 512 Mb exist in plants).
 */

/** htslib's TBI parameters: 16 kb linear windows, 5 levels of bins, positions below 2^29. */
const MIN_SHIFT = 14;
const LEVELS = 5;
export const TBI_MAX_POSITION = 2 ** (MIN_SHIFT + 3 * LEVELS);
const BIN_COUNT = ((1 << (3 * LEVELS + 3)) - 1) / 7; // 37449
/** htslib's pseudo-bin holding each contig's first/last offsets and record counts. */
const META_BIN = BIN_COUNT + 1;
/** A bin whose chunks span less than one BGZF block is merged into its parent (HTS_MIN_MARKER_DIST). */
const MIN_MARKER_DIST = 0x10000;
const NONE = -1;

/** Smallest bin holding [beg, end), 0-based half-open (hts_reg2bin). */
export function regionToBin(beg: number, end: number): number {
  end -= 1;
  let shift = MIN_SHIFT;
  let first = BIN_COUNT - (1 << (3 * LEVELS)); // first bin of the deepest level: 4681
  for (let level = LEVELS; level > 0; level--) {
    if (Math.floor(beg / 2 ** shift) === Math.floor(end / 2 ** shift)) return first + Math.floor(beg / 2 ** shift);
    shift += 3;
    first -= 1 << (3 * (level - 1));
  }
  return 0;
}

const binFirst = (level: number) => ((1 << (3 * level)) - 1) / 7;
const binParent = (bin: number) => (bin - 1) >> 3;
/** Virtual offset: compressed offset of the block × 2^16 + offset inside its uncompressed data. */
const blockOf = (voffset: number) => Math.floor(voffset / 0x10000);

interface ContigIndex {
  name: string;
  /** bin → chunks as [beg, end, beg, end, …] virtual offsets. */
  bins: Map<number, number[]>;
  /** Per 16 kb window, the virtual offset of the first record overlapping it (NONE until seen). */
  linear: number[];
  /** META_BIN: [offBeg, offEnd, mapped, unmapped]. */
  meta: number[];
}

export interface TabixIndexer {
  /** One BGZF block as written: its uncompressed bytes and its size on disk. Blocks in file order. */
  block(data: Uint8Array, compressedBytes: number): void;
  /** Why no index can be built (the first problem met), or null. */
  problem(): string | null;
  /** Ends the index (after the last data block) and returns the .tbi's uncompressed bytes, or null on a problem. */
  finish(): Uint8Array | null;
}

const TAB = 9;
const HASH = 35;

export function createTabixIndexer(): TabixIndexer {
  let failure: string | null = null;
  /** Where the next block starts on disk. */
  let blockStart = 0;
  /** A line cut by a block boundary: its bytes so far (copied) and where it started. */
  let carry: Uint8Array[] = [];
  let lineNo = 0;

  const contigs: ContigIndex[] = [];
  const tids = new Map<string, number>();
  let lastChromBytes: Uint8Array | null = null;
  let current: ContigIndex | null = null;
  // htslib's `z` state of hts_idx_push, named as there.
  let started = false;
  let lastOff = 0;
  let lastCoor = -1;
  let lastBin = NONE;
  let saveBin = NONE;
  let saveOff = 0;
  let saveContig: ContigIndex | null = null;
  let offBeg = 0;
  let nMapped = 0;

  const interval = createIntervalParser();
  const fail = (why: string) => {
    failure ??= why;
    carry = [];
    contigs.length = 0;
  };

  function addChunk(c: ContigIndex, bin: number, beg: number, end: number) {
    const list = c.bins.get(bin);
    if (list) list.push(beg, end);
    else c.bins.set(bin, [beg, end]);
  }

  /** The contig of a record whose CHROM is buf[from, to). */
  function contigFor(buf: Buffer, from: number, to: number): ContigIndex | null {
    if (current && lastChromBytes && lastChromBytes.length === to - from) {
      let same = true;
      for (let i = 0; same && i < lastChromBytes.length; i++) same = lastChromBytes[i] === buf[from + i];
      if (same) return current;
    }
    const name = buf.toString("utf8", from, to);
    if (tids.has(name)) {
      fail(`the VCF is not sorted: contig ${name} appears again at line ${lineNo} after other contigs`);
      return null;
    }
    const c: ContigIndex = { name, bins: new Map(), linear: [], meta: [] };
    tids.set(name, contigs.length);
    contigs.push(c);
    lastChromBytes = Uint8Array.from(buf.subarray(from, to)); // a copy: the block's bytes are reused
    return c;
  }

  /** One record line ending at virtual offset `endOff` (hts_idx_push with tbx_parse1's interval). */
  function record(buf: Buffer, from: number, to: number, endOff: number) {
    const why = interval.parse(buf, from, to);
    if (why !== null) return fail(`line ${lineNo} is not a VCF record (${why}); no index written`);
    const c = contigFor(buf, from, interval.chromEnd);
    if (!c) return;
    const { beg, end } = interval;
    if (beg > TBI_MAX_POSITION || end > TBI_MAX_POSITION) {
      return fail(
        `${c.name}:${beg + 1} (line ${lineNo}) lies beyond ${TBI_MAX_POSITION.toLocaleString("en")}, the largest position a .tbi index can hold; index it with CSI instead (bcftools index -c)`,
      );
    }
    if (c !== current) {
      current = c;
      lastBin = NONE;
    } else if (lastCoor > beg) {
      return fail(`the VCF is not sorted: ${c.name}:${beg + 1} at line ${lineNo} comes after position ${lastCoor + 1}`);
    }
    // insert_to_l: every window the record touches points at the record unless an earlier one does.
    const first = beg >> MIN_SHIFT; // positions are below 2^29 here: bit shifts are exact
    const last = (end - 1) >> MIN_SHIFT;
    while (c.linear.length <= last) c.linear.push(NONE);
    for (let w = first; w <= last; w++) if (c.linear[w] === NONE) c.linear[w] = lastOff;
    const bin = regionToBin(beg, end);
    if (lastBin !== bin) {
      if (saveBin !== NONE) addChunk(saveContig!, saveBin, saveOff, lastOff);
      if (lastBin === NONE && saveBin !== NONE) {
        // A new contig: close the previous one's META_BIN.
        saveContig!.meta = [offBeg, lastOff, nMapped, 0];
        nMapped = 0;
        offBeg = lastOff;
      }
      saveOff = lastOff;
      saveBin = lastBin = bin;
      saveContig = c;
    }
    nMapped++;
    lastOff = endOff;
    lastCoor = beg;
  }

  /** A complete line buf[from, to) (without its newline) that ends at virtual offset `endOff`. */
  function line(buf: Buffer, from: number, to: number, endOff: number) {
    lineNo++;
    if (to > from && buf[from] === HASH) {
      if (!started) lastOff = offBeg = endOff; // header lines: the records start after them
      return;
    }
    if (!started) {
      started = true;
      offBeg = saveOff = lastOff;
    }
    record(buf, from, to, endOff);
  }

  return {
    block(data, compressedBytes) {
      if (failure) return;
      const start = blockStart;
      const next = blockStart + compressedBytes;
      blockStart = next;
      // Where a line ends: htslib's reader moves to the next block when a line ends a block.
      const at = (i: number) => (i >= data.length ? next * 0x10000 : start * 0x10000 + i);
      const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
      let from = 0;
      while (from < data.length && !failure) {
        const nl = Bun.indexOfLine(data, from); // SIMD: half the time of Uint8Array.indexOf
        if (nl < 0) {
          carry.push(data.slice(from));
          return;
        }
        if (carry.length > 0) {
          carry.push(data.subarray(from, nl));
          const whole = Buffer.concat(carry);
          carry = [];
          interval.scan(whole);
          line(whole, 0, whole.length, at(nl + 1));
          interval.scan(buf);
        } else {
          if (from === 0) interval.scan(buf);
          line(buf, from, nl, at(nl + 1));
        }
        from = nl + 1;
      }
    },
    problem: () => failure,
    finish() {
      // A last line without its newline ends at the end of the data (the EOF block's start).
      if (!failure && carry.length > 0) {
        const whole = Buffer.concat(carry);
        interval.scan(whole);
        line(whole, 0, whole.length, blockStart * 0x10000);
      }
      carry = [];
      if (failure) return null;
      const finalOff = blockStart * 0x10000;
      if (saveBin !== NONE && saveContig) {
        addChunk(saveContig, saveBin, saveOff, finalOff);
        saveContig.meta = [offBeg, finalOff, nMapped, 0];
      }
      for (const c of contigs) {
        fillLinear(c);
        compressBins(c);
      }
      return serialize(contigs);
    },
  };
}

/**
 * tbx_parse1 for the VCF preset: `parse` sets the 0-based [beg, end) of the record in
 * buf[from, to) and its CHROM's end, or returns why it is not a record. The short leading columns
 * are walked byte by byte; INFO, the long one (ANN and CSQ), is never walked in JavaScript: its
 * end and any `;END=` are found by Buffer.indexOf, the latter once per block and reused while it
 * lies ahead (`scan` names the buffer). Measured on a 273 MB annotated VCF (300k records): a
 * byte loop over INFO made the index cost 3x the rest of the pass; this keeps it under half.
 */
function createIntervalParser() {
  let buf: Buffer = Buffer.alloc(0);
  /** Position in `buf` of the next ";END=" at or after the last search's start; -1: none left; -2: not searched. */
  let nextEnd = -2;
  const isEnd = (k: number) => buf[k] === 69 && buf[k + 1] === 78 && buf[k + 2] === 68 && buf[k + 3] === 61; // "END="
  const self = {
    chromEnd: 0,
    beg: 0,
    end: 0,
    /** Lines of `b` follow, in order. */
    scan(b: Buffer) {
      buf = b;
      nextEnd = -2;
    },
    parse(b: Buffer, from: number, to: number): string | null {
      let i = from;
      while (i < to && b[i] !== TAB) i++;
      if (i === from || i >= to) return "no CHROM column";
      self.chromEnd = i;
      // POS: strtol as htslib reads it (decimal digits; a record without them is an error).
      let p = i + 1;
      let pos = 0;
      let digits = 0;
      for (let c = b[p]!; p < to && c >= 48 && c <= 57; c = b[++p]!) {
        pos = pos * 10 + (c - 48);
        digits++;
      }
      if (digits === 0) return "POS is not a number";
      const beg = Math.max(0, pos - 1);
      self.beg = beg;
      self.end = Math.max(1, pos);
      // Columns ID (3), REF (4), ALT, QUAL, FILTER, then INFO (8). htslib needs only CHROM and POS.
      while (p < to && b[p] !== TAB) p++;
      let col = 3;
      let start = p + 1;
      for (p = start; p < to && col < 8; p++) {
        if (b[p] !== TAB) continue;
        if (col === 4 && p > start) self.end = beg + (p - start); // REF's length sets the end
        col++;
        start = p + 1;
      }
      if (col === 4 && to > start) self.end = beg + (to - start); // REF is the last column
      if (col < 8) return null;
      // INFO: an END key, first in the field or after a ';', moves the end when it lies past beg.
      let at = -1;
      if (isEnd(start)) at = start + 4;
      else {
        if (nextEnd !== -1 && nextEnd < start) nextEnd = buf.indexOf(";END=", start);
        if (nextEnd >= 0 && nextEnd < to) {
          let infoEnd = b.indexOf(TAB, start);
          if (infoEnd < 0 || infoEnd > to) infoEnd = to;
          if (nextEnd < infoEnd) at = nextEnd + 5;
        }
      }
      if (at >= 0 && at < to && b[at] !== 46) {
        let v = 0;
        let d = 0;
        for (let c = b[at]!; at < to && c >= 48 && c <= 57; c = b[++at]!) {
          v = v * 10 + (c - 48);
          d++;
        }
        if (d > 0 && v > beg) self.end = v; // htslib ignores an END at or before POS
      }
      return null;
    },
  };
  return self;
}

/**
 * update_loff (htslib ≥ 1.10): an empty window takes the offset of the next window that has one
 * (the last window always has one), so a query starting in a gap starts at the first record after it.
 */
function fillLinear(c: ContigIndex) {
  const lin = c.linear;
  for (let w = lin.length - 2; w >= 0; w--) if (lin[w] === NONE) lin[w] = lin[w + 1]!;
}

/** compress_binning: fold small bins into their parents, then merge chunks that share a block. */
function compressBins(c: ContigIndex) {
  const bins = c.bins;
  for (let level = LEVELS; level > 0; level--) {
    const start = binFirst(level);
    for (const [bin, list] of [...bins]) {
      if (bin < start) continue;
      if (level < LEVELS) sortChunks(list);
      if (blockOf(list[list.length - 1]!) - blockOf(list[0]!) < MIN_MARKER_DIST) {
        const parent = bins.get(binParent(bin));
        if (!parent) continue;
        for (const v of list) parent.push(v); // a spread of a long list would overflow the stack
        bins.delete(bin);
      }
    }
  }
  for (const [bin, list] of bins) {
    sortChunks(list);
    const merged: number[] = [list[0]!, list[1]!];
    for (let k = 2; k < list.length; k += 2) {
      const m = merged.length - 2;
      if (blockOf(merged[m + 1]!) >= blockOf(list[k]!)) {
        if (merged[m + 1]! < list[k + 1]!) merged[m + 1] = list[k + 1]!;
      } else merged.push(list[k]!, list[k + 1]!);
    }
    bins.set(bin, merged);
  }
}

/** Sorts [beg, end, …] pairs by beg (htslib sorts by the chunk's start only). */
function sortChunks(list: number[]) {
  const pairs: [number, number][] = [];
  for (let k = 0; k < list.length; k += 2) pairs.push([list[k]!, list[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  for (let k = 0; k < pairs.length; k++) {
    list[2 * k] = pairs[k]![0];
    list[2 * k + 1] = pairs[k]![1];
  }
}

/** The .tbi layout (SAMv1 spec §5.2), uncompressed; the caller writes it as BGZF. */
function serialize(contigs: ContigIndex[]): Uint8Array {
  const names = contigs.map((c) => new TextEncoder().encode(`${c.name}\0`));
  const namesLength = names.reduce((s, b) => s + b.length, 0);
  let size = 4 + 4 + 24 + 4 + namesLength + 8;
  for (const c of contigs) {
    size += 4 + 4 + c.linear.length * 8 + (4 + 4 + 32); // bins count, linear, META_BIN
    for (const list of c.bins.values()) size += 8 + list.length * 8;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  const i32 = (v: number) => {
    view.setInt32(o, v, true);
    o += 4;
  };
  const u64 = (v: number) => {
    view.setUint32(o, v % 2 ** 32, true);
    view.setUint32(o + 4, Math.floor(v / 2 ** 32), true);
    o += 8;
  };
  out.set([0x54, 0x42, 0x49, 0x01], 0); // "TBI\1"
  o = 4;
  i32(contigs.length);
  // tbx_conf_vcf: preset TBX_VCF (2), sequence column 1, begin 2, end 0, meta '#', skip 0.
  for (const v of [2, 1, 2, 0, HASH, 0, namesLength]) i32(v);
  for (const b of names) {
    out.set(b, o);
    o += b.length;
  }
  for (const c of contigs) {
    i32(c.bins.size + 1);
    for (const [bin, list] of c.bins) {
      view.setUint32(o, bin, true);
      o += 4;
      i32(list.length / 2);
      for (const v of list) u64(v);
    }
    view.setUint32(o, META_BIN, true);
    o += 4;
    i32(2);
    for (const v of c.meta) u64(v);
    i32(c.linear.length);
    for (const v of c.linear) u64(v);
  }
  u64(0); // records without a position: none in a VCF
  return out;
}
