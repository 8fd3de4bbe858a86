/**
 * One window of known-variant records (the raw lines whose POS falls in [start, end]), with the
 * position arrays needed to find candidates by binary search and a lazy per-record parse.
 */
import type { Allele, GenomeWindow } from "../model.ts";
import { leftAlign, trimAllele, unsupportedAltReason } from "../vcf/allele.ts";

/** REF lengths up to this are found through the sorted position array; longer ones are few. */
const SHORT_REF = 64;

/** A known record parsed on first use; `keys` are the normalized ALTs (null: not a sequence ALT). */
export interface ParsedKnown {
  ids: string[];
  ref: string;
  alts: string[];
  info: string;
  keys: (string | null)[];
  trimmed: ({ ref: string; alt: string } | null)[];
  /** Output INFO values per ALT, filled on first match. */
  extracted: (Record<string, string> | undefined)[];
}

export class KnownWindow {
  /** POS of the short-REF records, ascending (tabix yields records in position order). */
  private readonly pos: number[] = [];
  private readonly lines: string[] = [];
  private readonly parsed: (ParsedKnown | undefined)[] = [];
  /** Records with a long REF, checked by span overlap. */
  private readonly longRecords: { pos: number; end: number; line: string; parsed?: ParsedKnown }[] = [];
  /** Generation of the last prefetch/annotate that used this window (for eviction). */
  lastUse = 0;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** Adds a record line; `pos` is its 1-based POS, `refLen` the REF length (from tabix). */
  add(line: string, pos: number, refLen: number): void {
    if (refLen > SHORT_REF) {
      this.longRecords.push({ pos, end: pos + refLen - 1, line });
      return;
    }
    const n = this.pos.length;
    if (n > 0 && this.pos[n - 1]! > pos) throw new Error("known variants: records are not sorted by position");
    this.pos.push(pos);
    this.lines.push(line);
    this.parsed.push(undefined);
  }

  get size(): number {
    return this.pos.length + this.longRecords.length;
  }

  /**
   * Calls `visit` for every record that can be written as an equivalent of an allele whose
   * left-aligned form starts at `leftStart` and right-aligned form at `rightStart`: POS at most
   * `rightStart` and REF reaching at least `leftStart - 1` (the anchor base).
   */
  candidates(leftStart: number, rightStart: number, genome: GenomeWindow, contig: string, visit: (p: ParsedKnown) => void): void {
    const pos = this.pos;
    let lo = 0;
    let hi = pos.length;
    const from = leftStart - SHORT_REF;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < pos.length && pos[i]! <= rightStart; i++) {
      let p = this.parsed[i];
      if (p === undefined) {
        p = parseKnownLine(this.lines[i]!, pos[i]!, genome, contig);
        this.parsed[i] = p;
      }
      if (pos[i]! + p.ref.length >= leftStart) visit(p);
    }
    for (const r of this.longRecords) {
      if (r.pos <= rightStart && r.end >= leftStart - 1) {
        r.parsed ??= parseKnownLine(r.line, r.pos, genome, contig);
        visit(r.parsed);
      }
    }
  }
}

/** Normalized-allele key: left-aligned minimal start, REF and ALT. */
export function alleleKey(a: Allele): string {
  return `${a.start}:${a.ref}>${a.alt}`;
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
  const ref = line.slice(t3 + 1, t4).toUpperCase();
  const alts = line.slice(t4 + 1, t5).split(",");
  const info = t7 < 0 ? "" : line.slice(t7 + 1, t8 < 0 ? line.length : t8);
  const keys: (string | null)[] = [];
  const trimmed: ({ ref: string; alt: string } | null)[] = [];
  let refOk = ref.length > 0;
  for (let i = 0; i < ref.length && refOk; i++) {
    const c = ref.charCodeAt(i);
    refOk = c === 65 || c === 67 || c === 71 || c === 84 || c === 78;
  }
  for (const raw of alts) {
    const alt = raw.toUpperCase();
    if (!refOk || unsupportedAltReason(raw) !== null || alt === ref) {
      keys.push(null);
      trimmed.push(null);
      continue;
    }
    const t = trimAllele(contig, pos, ref, alt, raw);
    trimmed.push({ ref: t.ref, alt: t.alt });
    keys.push(alleleKey(leftAlign(t, genome)));
  }
  const ids = id === "." || id === "" ? [] : id.indexOf(";") < 0 ? [id] : id.split(";").filter((x) => x !== "" && x !== ".");
  return { ids, ref, alts, info, keys, trimmed, extracted: new Array(alts.length) };
}
