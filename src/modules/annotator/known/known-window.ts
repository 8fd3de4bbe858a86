/**
 * The known-variant records of one contig around the batch being annotated (the raw lines, in
 * position order), with the position arrays that find candidates (walking on from the previous
 * lookup, or by binary search) and a per-record parse made on first use and kept: each known
 * record is normalized at most once.
 *
 * Most of dbSNP (89 % of the demo's known file, 4 % more with several one-base ALTs) are
 * upper-case SNV records: their normalized form is the record itself. For those `add` keeps the
 * REF base and a bit per ALT base, so a lookup compares integers and parses only a record that
 * matches (an SNV at the same position, REF and ALT); an indel or MNP query passes them over, as
 * no SNV can equal it. Before, every record an input allele came near was parsed into objects
 * (its normalized ALTs, IDs, INFO), and those objects lived as long as the window: on the 1M-
 * variant bench (115k known records) that parse and the collections it caused were ~0.4 s of
 * the ~0.9 s the known-variant lookup added (CPU profiles of 3 runs each way).
 */
import type { GenomeWindow } from "../model.ts";
import type { KnownMatch } from "./known-variants.ts";
import { leftAlign, trimAllele, unsupportedAltReason } from "../vcf/allele.ts";

/** REF lengths up to this are found through the sorted position array; longer ones are few. */
export const SHORT_REF = 64;

/** One ALT of a known record in its normalized form: left-aligned, minimal (start, REF, ALT). */
export interface NormalizedAlt {
  start: number;
  ref: string;
  alt: string;
}

/** A known record parsed on first use; `norm` are its normalized ALTs (null: not a sequence ALT). */
export interface ParsedKnown {
  ids: string[];
  ref: string;
  alts: string[];
  info: string;
  norm: (NormalizedAlt | null)[];
  trimmed: ({ ref: string; alt: string } | null)[];
  /** Output INFO values per ALT, filled on first match. */
  extracted: (Record<string, string> | undefined)[];
  /** Per ALT, the match an allele gets when this ALT is the only one it matches (known-variants.ts). */
  matches: (KnownMatch | undefined)[];
}

interface LongRecord {
  pos: number;
  end: number;
  line: string;
  parsed?: ParsedKnown;
}

export class KnownWindow {
  /** POS of the short-REF records from `head` on, ascending (the file is sorted by position). */
  private pos: number[] = [];
  private lines: string[] = [];
  private parsed: (ParsedKnown | undefined)[] = [];
  /**
   * Per record: POS + REF length, the first position its REF does not reach. Candidates are
   * checked against it before they are parsed: most records that are not SNV-only (short indels)
   * end before the allele, and parsing each of them (a split, case mapping and left-alignment) was
   * half of the known-variant lookup's own samples on the 1M-variant bench.
   */
  private reach: number[] = [];
  /** Per record: `snvKey` of an upper-case SNV-only record (REF and every ALT one base), 0 otherwise. */
  private snv: number[] = [];
  /** Records before this index are dropped (compacted away once they are half the arrays). */
  private head = 0;
  /** Indexes (into the arrays above) of the records that are not SNV-only, ascending: the only ones an indel can match. */
  private general: number[] = [];
  /** Their POS, for the lookups into `general`. */
  private generalPos: number[] = [];
  /** First entry of `general` at or after `head`. */
  private generalHead = 0;
  /** Where the previous lookup into each of `pos` and `generalPos` started (see seekFrom). */
  private readonly cursor = new Cursor();
  private readonly generalCursor = new Cursor();
  /** Records with a long REF, checked by span overlap. */
  private longRecords: LongRecord[] = [];

  /** Adds a record line; `pos` is its 1-based POS, `refLen` the REF length. */
  add(line: string, pos: number, refLen: number): void {
    if (refLen > SHORT_REF) {
      this.longRecords.push({ pos, end: pos + refLen - 1, line });
      return;
    }
    const n = this.pos.length;
    if (n > this.head && this.pos[n - 1]! > pos) throw new Error("known variants: records are not sorted by position");
    const key = refLen === 1 ? snvKeyOf(line) : 0;
    if (key === 0) {
      this.general.push(n);
      this.generalPos.push(pos);
    }
    this.pos.push(pos);
    this.lines.push(line);
    this.parsed.push(undefined);
    this.reach.push(pos + refLen);
    this.snv.push(key);
  }

  get size(): number {
    return this.pos.length - this.head + this.longRecords.length;
  }

  /** Forgets the records that end before `p`. */
  dropBefore(p: number): void {
    const pos = this.pos;
    let h = this.head;
    // The dropped records' lines and parses are let go now, not at the next compaction: kept,
    // they lived long enough to reach the old generation.
    while (h < pos.length && pos[h]! + SHORT_REF < p) {
      this.lines[h] = "";
      this.parsed[h] = undefined;
      h++;
    }
    this.head = h;
    let g = this.generalHead;
    while (g < this.general.length && this.general[g]! < h) g++;
    this.generalHead = g;
    if (h > 1024 && h * 2 > pos.length) {
      this.pos = pos.slice(h);
      this.lines = this.lines.slice(h);
      this.parsed = this.parsed.slice(h);
      this.reach = this.reach.slice(h);
      this.snv = this.snv.slice(h);
      this.general = this.general.slice(g).map((i) => i - h);
      this.generalPos = this.generalPos.slice(g);
      this.head = 0;
      this.generalHead = 0;
    }
    this.cursor.reset();
    this.generalCursor.reset();
    if (this.longRecords.length > 0) this.longRecords = this.longRecords.filter((r) => r.end >= p);
  }

  clear(): void {
    this.pos = [];
    this.lines = [];
    this.parsed = [];
    this.reach = [];
    this.snv = [];
    this.head = 0;
    this.general = [];
    this.generalPos = [];
    this.generalHead = 0;
    this.cursor.reset();
    this.generalCursor.reset();
    this.longRecords = [];
  }

  /**
   * Puts into `out` every record that can be written as an equivalent of an allele whose
   * left-aligned form starts at `leftStart` and right-aligned form at `rightStart`: POS at most
   * `rightStart` and REF reaching at least `leftStart - 1` (the anchor base). `snvQuery` is the
   * query's snvKey when it is an SNV (0 otherwise): SNV-only records are then returned only when
   * they hold that very SNV at `leftStart`, and never for an indel or MNP. Returns `out`, in
   * position order. Lookups walk on from where the previous one started (the input is sorted):
   * with the SNV-only records apart, an SNV looks at ~2 records instead of the ~7 within SHORT_REF
   * before it and a binary search (~0.1 µs per input allele on the 1M-variant bench).
   */
  candidates(
    leftStart: number,
    rightStart: number,
    snvQuery: number,
    genome: GenomeWindow,
    contig: string,
    out: ParsedKnown[],
  ): ParsedKnown[] {
    // Guarded: setting the length of an empty array (most alleles have no candidate) is a slow
    // path in JavaScriptCore, ~100 ns per call.
    if (out.length !== 0) out.length = 0;
    const pos = this.pos;
    const general = this.general;
    // Records that are not SNV-only, from SHORT_REF before the allele: for an SNV those before its
    // position, for an indel or MNP all up to `rightStart` (SNV-only records cannot equal those).
    const until = snvQuery !== 0 ? leftStart - 1 : rightStart;
    for (let k = seekFrom(this.generalPos, this.generalHead, leftStart - SHORT_REF, this.generalCursor); k < general.length; k++) {
      const i = general[k]!;
      if (pos[i]! > until) break;
      this.take(i, leftStart, genome, contig, out);
    }
    if (snvQuery !== 0) {
      // Records at the SNV's position: an SNV-only one when it has the same REF base (bits 8+)
      // and the query's ALT among its ALT bits, any other to be compared by the caller.
      const snv = this.snv;
      for (let i = seekFrom(pos, this.head, leftStart, this.cursor); i < pos.length && pos[i] === leftStart; i++) {
        const key = snv[i]!;
        if (key !== 0 && (key >>> 8 !== snvQuery >>> 8 || (key & snvQuery & 0xff) === 0)) continue;
        this.take(i, leftStart, genome, contig, out);
      }
    }
    const long = this.longRecords;
    for (let k = 0; k < long.length; k++) {
      const r = long[k]!;
      if (r.pos <= rightStart && r.end >= leftStart - 1) {
        r.parsed ??= parseKnownLine(r.line, r.pos, genome, contig);
        out.push(r.parsed);
      }
    }
    return out;
  }

  /** Record `i` (parsed on first use) into `out` when its REF reaches `leftStart - 1`. */
  private take(i: number, leftStart: number, genome: GenomeWindow, contig: string, out: ParsedKnown[]): void {
    if (this.reach[i]! < leftStart) return;
    let p = this.parsed[i];
    if (p === undefined) {
      p = parseKnownLine(this.lines[i]!, this.pos[i]!, genome, contig);
      this.parsed[i] = p;
    }
    out.push(p);
  }
}

/** Where a lookup into a sorted array last started, and for which position (`from` -1: none). */
class Cursor {
  index = 0;
  from = -1;

  reset(): void {
    this.from = -1;
  }
}

/**
 * Index of the first entry of the ascending `values` (from `head`) that is ≥ `at`. The input comes
 * in position order, so when `at` did not go back the search walks on from where the previous one
 * started (`cursor`) instead of a binary search.
 */
function seekFrom(values: readonly number[], head: number, at: number, cursor: Cursor): number {
  let lo: number;
  if (cursor.from >= 0 && at >= cursor.from) {
    lo = cursor.index;
    while (lo < values.length && values[lo]! < at) lo++;
  } else {
    lo = head;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
  }
  cursor.index = lo;
  cursor.from = at;
  return lo;
}

/** Bit of an upper-case base in an snvKey (A C G T N), 0 for anything else. */
function baseBit(c: number): number {
  return c === 65 ? 1 : c === 67 ? 2 : c === 71 ? 4 : c === 84 ? 8 : c === 78 ? 16 : 0;
}

/**
 * The snvKey of an SNV: REF's character code << 8 | its ALT's bit; 0 when either is not an
 * upper-case base or they are equal (not a variant).
 */
export function snvKey(ref: string, alt: string): number {
  const r = ref.charCodeAt(0);
  const a = alt.charCodeAt(0);
  const bit = baseBit(a);
  return r === a || baseBit(r) === 0 || bit === 0 ? 0 : (r << 8) | bit;
}

/**
 * The snvKey of a record line whose REF is one base and every ALT one upper-case base (the ALT
 * bits ORed); 0 for anything else, which is parsed and normalized on first use instead.
 */
function snvKeyOf(line: string): number {
  const t1 = line.indexOf("\t");
  const t2 = line.indexOf("\t", t1 + 1);
  const t3 = line.indexOf("\t", t2 + 1);
  const r = line.charCodeAt(t3 + 1);
  if (baseBit(r) === 0) return 0;
  let bits = 0;
  let i = t3 + 3; // the first ALT character
  for (;;) {
    const bit = baseBit(line.charCodeAt(i));
    const next = line.charCodeAt(i + 1);
    if (bit === 0 || (next !== 44 && next !== 9)) return 0; // not one base, or the line ends
    if (line.charCodeAt(i) !== r) bits |= bit;
    if (next === 9) break;
    i += 2;
  }
  return bits === 0 ? 0 : (r << 8) | bits;
}

/** POS and REF length of a record line (columns 2 and 4), or null for a line too short to be one. */
export function recordSpan(line: string): { pos: number; refLen: number } | null {
  const t1 = line.indexOf("\t");
  const t2 = line.indexOf("\t", t1 + 1);
  const t3 = line.indexOf("\t", t2 + 1);
  const t4 = line.indexOf("\t", t3 + 1);
  if (t1 < 0 || t2 < 0 || t3 < 0 || t4 < 0) return null;
  let pos = 0;
  for (let i = t1 + 1; i < t2; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    pos = pos * 10 + d;
  }
  return { pos, refLen: t4 - t3 - 1 };
}

function parseKnownLine(line: string, pos: number, genome: GenomeWindow, contig: string): ParsedKnown {
  const t1 = line.indexOf("\t");
  const t2 = line.indexOf("\t", t1 + 1);
  const t3 = line.indexOf("\t", t2 + 1);
  const t4 = line.indexOf("\t", t3 + 1);
  const t5 = line.indexOf("\t", t4 + 1);
  const t6 = line.indexOf("\t", t5 + 1);
  const t7 = line.indexOf("\t", t6 + 1);
  const t8 = line.indexOf("\t", t7 + 1);
  const id = line.slice(t2 + 1, t3);
  const info = t7 < 0 ? "" : line.slice(t7 + 1, t8 < 0 ? line.length : t8);
  const ids = id === "." || id === "" ? [] : id.indexOf(";") < 0 ? [id] : id.split(";").filter((x) => x !== "" && x !== ".");
  // An upper-case SNV (most of dbSNP) is its own trimmed and left-aligned form: no split, case
  // mapping or normalization (this function was ~12 % of the known-variant lookup's samples).
  if (t4 === t3 + 2 && t5 === t4 + 2) {
    const r = line.charCodeAt(t3 + 1);
    const a = line.charCodeAt(t4 + 1);
    if (r !== a && baseBit(r) !== 0 && baseBit(a) !== 0) {
      const ref = line[t3 + 1]!;
      const alt = line[t4 + 1]!;
      return {
        ids,
        ref,
        alts: [alt],
        info,
        norm: [{ start: pos, ref, alt }],
        trimmed: [{ ref, alt }],
        extracted: [undefined],
        matches: [undefined],
      };
    }
  }
  const ref = line.slice(t3 + 1, t4).toUpperCase();
  const alts = line.slice(t4 + 1, t5).split(",");
  const norm: (NormalizedAlt | null)[] = [];
  const trimmed: ({ ref: string; alt: string } | null)[] = [];
  let refOk = ref.length > 0;
  for (let i = 0; i < ref.length && refOk; i++) {
    const c = ref.charCodeAt(i);
    refOk = c === 65 || c === 67 || c === 71 || c === 84 || c === 78;
  }
  for (const raw of alts) {
    const alt = raw.toUpperCase();
    if (!refOk || unsupportedAltReason(raw) !== null || alt === ref) {
      norm.push(null);
      trimmed.push(null);
      continue;
    }
    const t = trimAllele(contig, pos, ref, alt, raw);
    trimmed.push({ ref: t.ref, alt: t.alt });
    const left = leftAlign(t, genome);
    norm.push({ start: left.start, ref: left.ref, alt: left.alt });
  }
  return { ids, ref, alts, info, norm, trimmed, extracted: new Array(alts.length), matches: new Array(alts.length) };
}
