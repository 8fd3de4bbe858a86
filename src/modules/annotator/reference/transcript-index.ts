/**
 * In-memory interval index over transcripts, built for the hot path of the annotator (one lookup
 * per allele, about a million per second): per contig, fixed-size bins each holding the
 * transcripts that overlap the bin, sorted by start. A lookup scans one bin (rarely two) and
 * stops at the first transcript starting after the query.
 *
 * A contig's part is built when a lookup first reaches the contig, from a GeneModelSource: from a
 * prepared index that decodes the contig's transcripts only then, and the parts of contigs the
 * input has left are dropped (DECODED_BUDGET), so memory follows the largest contig, not the
 * genome (GENCODE-sized bench:genome: 262k transcripts, ~400 MB of objects when all decoded).
 */
import type { Transcript } from "../model.ts";

/** Gene models by contig: all in memory (modelsFromArray) or decoded on demand (prepared index). */
export interface GeneModelSource {
  /** Transcripts in all. */
  readonly size: number;
  /** Contigs that have transcripts, in stored order. */
  readonly contigs: readonly string[];
  /** Every distinct transcript tag. */
  readonly tags: ReadonlySet<string>;
  /** True when load() decodes anew on each call (dropping a contig's part then frees memory). */
  readonly lazy: boolean;
  /** The contig's transcripts in stored order; [] for a contig without any. */
  load(contig: string): Transcript[];
}

/** A source over transcripts already in memory (parsed gene models, or a worker's copy). */
export function modelsFromArray(transcripts: readonly Transcript[]): GeneModelSource {
  const groups = new Map<string, Transcript[]>();
  const tags = new Set<string>();
  for (const t of transcripts) {
    let g = groups.get(t.contig);
    if (!g) groups.set(t.contig, (g = []));
    g.push(t);
    for (const tag of t.tags) tags.add(tag);
  }
  return { size: transcripts.length, contigs: [...groups.keys()], tags, lazy: false, load: (contig) => groups.get(contig) ?? [] };
}

export interface TranscriptIndex {
  /**
   * Transcripts whose span widened by `flank` on both sides ([start-flank, end+flank]) overlaps
   * [start, end]; sorted by start. `flank` is the up/downstream distance (e.g. 5000). The result
   * may be a shared frozen empty array: do not mutate it.
   */
  overlapping(contig: string, start: number, end: number, flank: number): Transcript[];
  /**
   * Nearest transcripts not overlapping `pos`, in genome order (not strand-aware): `upstream` ends
   * before pos (largest end), `downstream` starts after pos (smallest start). For intergenic terms.
   */
  nearestGenes(contig: string, pos: number): { upstream?: Transcript; downstream?: Transcript };
  /**
   * Every transcript, by contig then start. From a prepared index this decodes the whole genome
   * (and the objects may differ from those lookups return): for tests and small references.
   */
  all(): Transcript[];
  /** Whether any transcript carries one of these tags (answered without decoding). */
  someTagged(tags: readonly string[]): boolean;
  readonly size: number;
}

/**
 * Decoded transcripts kept across contigs from a lazy source: the contig being annotated is always
 * kept; others stay while the total is under this, so input that alternates between a few small
 * contigs (or returns to the previous one) does not decode again and again. A sorted whole-genome
 * input never returns to a contig, and what the annotation hangs on each transcript it meets
 * (sequences, HGVS layouts, CSQ pieces) lives as long as the transcript: with 40,000 (chr3 and chr4
 * of bench:genome kept together, 26k transcripts) the peak RSS at 5M variants over 25 contigs was
 * 580 MB; with 8,000 (a large contig alone, two small ones together) 464 MB, output identical
 * (`gas annotate … --threads 1 --known none`, GNU time, load 7-12; 5,000: 448 MB, 12,000: 473 MB).
 */
const DECODED_BUDGET = 8_000;

/** 2^16 bases: a 5 kb-flanked SNV query touches one bin ~85 % of the time, two otherwise. */
const BIN_SHIFT = 16;
const EMPTY: Transcript[] = [];
Object.freeze(EMPTY);

interface ContigIndex {
  /** The contig's name, for the lookup memo. */
  name: string;
  bins: Transcript[][];
  /** Every transcript sorted by start, and sorted by end, for nearestGenes. */
  byStart: Transcript[];
  byEnd: Transcript[];
  /** By flank: sorted positions where the set of transcripts covering a point changes (see segmentOf). */
  breakpoints: Map<number, Float64Array>;
}

/**
 * The last lookup's answer and the stretch of positions [lo, hi] where every point has that same
 * answer. Sorted input asks about neighbouring positions again and again: on the 1M-variant
 * benchmark a repeated answer is returned as the same array (callers can compare by identity,
 * the annotator does to skip its per-transcript bookkeeping) without scanning a bin.
 */
interface LookupMemo {
  contig: ContigIndex | null;
  flank: number;
  lo: number;
  hi: number;
  hits: Transcript[];
}

/** Builds the index; the transcripts are not copied or changed. */
export function createTranscriptIndex(
  models: GeneModelSource | readonly Transcript[],
  decodedBudget: number = DECODED_BUDGET,
): TranscriptIndex {
  const source = Array.isArray(models) ? modelsFromArray(models as readonly Transcript[]) : (models as GeneModelSource);
  const known = new Set(source.contigs);
  /** Built contig parts, least recently used first. */
  const built = new Map<string, ContigIndex>();
  let decoded = 0;
  const memo: LookupMemo = { contig: null, flank: 0, lo: 0, hi: -1, hits: EMPTY };
  let last: ContigIndex | null = null;

  const contigIndex = (contig: string): ContigIndex | undefined => {
    if (last !== null && last.name === contig) return last;
    if (!known.has(contig)) return undefined;
    let c = built.get(contig);
    if (c !== undefined) {
      built.delete(contig);
    } else {
      c = buildContig(contig, source.load(contig));
      decoded += c.byStart.length;
      if (source.lazy) {
        for (const [name, old] of built) {
          if (decoded <= decodedBudget) break;
          built.delete(name);
          decoded -= old.byStart.length;
          if (memo.contig === old) memo.contig = null;
        }
      }
    }
    built.set(contig, c);
    last = c;
    return c;
  };

  return {
    size: source.size,
    all: () =>
      source.contigs.flatMap(
        (name) => (source.lazy ? (built.get(name) ?? buildContig(name, source.load(name))) : contigIndex(name)!).byStart,
      ),
    someTagged: (tags) => tags.some((tag) => source.tags.has(tag)),
    overlapping(contig, start, end, flank) {
      const m = memo;
      if (m.contig !== null && m.contig.name === contig && m.flank === flank && start >= m.lo && end <= m.hi) return m.hits;
      const c = contigIndex(contig);
      if (c === undefined) return EMPTY;
      const hits = scanBins(c, start, end, flank);
      // Remember the answer for the stretch around `start` when [start, end] lies inside it.
      const bp = breakpointsOf(c, flank);
      const i = upperBound(bp, start);
      const lo = i > 0 ? bp[i - 1]! : -Infinity;
      const hi = i < bp.length ? bp[i]! - 1 : Infinity;
      if (end <= hi) {
        m.contig = c;
        m.flank = flank;
        m.lo = lo;
        m.hi = hi;
        m.hits = hits;
      }
      return hits;
    },
    nearestGenes(contig, pos) {
      const c = contigIndex(contig);
      if (c === undefined) return {};
      const result: { upstream?: Transcript; downstream?: Transcript } = {};
      // First transcript starting after pos.
      let lo = 0;
      let hi = c.byStart.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.byStart[mid]!.start > pos) hi = mid;
        else lo = mid + 1;
      }
      if (lo < c.byStart.length) result.downstream = c.byStart[lo];
      // Last transcript ending before pos.
      lo = 0;
      hi = c.byEnd.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.byEnd[mid]!.end < pos) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0) result.upstream = c.byEnd[lo - 1];
      return result;
    },
  };
}

/** One contig's bins and sorted lists. */
function buildContig(name: string, list: readonly Transcript[]): ContigIndex {
  const byStart = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
  const byEnd = [...list].sort((a, b) => a.end - b.end || a.start - b.start);
  const maxEnd = byEnd.length > 0 ? byEnd[byEnd.length - 1]!.end : 0;
  const bins: Transcript[][] = Array.from({ length: (maxEnd >> BIN_SHIFT) + 1 }, () => []);
  for (const t of byStart) {
    for (let b = t.start >> BIN_SHIFT, last = t.end >> BIN_SHIFT; b <= last; b++) bins[b]!.push(t);
  }
  return { name, bins, byStart, byEnd, breakpoints: new Map() };
}

/** Transcripts whose span widened by `flank` overlaps [start, end], sorted by start (one bin, rarely two). */
function scanBins(c: ContigIndex, start: number, end: number, flank: number): Transcript[] {
  const qs = start - flank;
  const qe = end + flank;
  const bins = c.bins;
  const firstBin = qs > 0 ? qs >> BIN_SHIFT : 0;
  const lastBin = Math.min(qe >> BIN_SHIFT, bins.length - 1);
  let out: Transcript[] | null = null;
  for (let b = firstBin; b <= lastBin; b++) {
    const bin = bins[b]!;
    const binStart = b << BIN_SHIFT;
    for (let i = 0; i < bin.length; i++) {
      const t = bin[i]!;
      if (t.start > qe) break;
      if (t.end < qs) continue;
      // A transcript spanning several bins is reported only from the bin where its
      // intersection with the query begins.
      if (b > firstBin && (t.start > qs ? t.start : qs) < binStart) continue;
      (out ??= []).push(t);
    }
  }
  // Already sorted by start: what a later bin reports starts at or after that bin's start,
  // past everything reported by earlier bins.
  return out ?? EMPTY;
}

/**
 * A point p is covered by transcript t when t.start - flank <= p <= t.end + flank, so the set of
 * covering transcripts changes only at t.start - flank and t.end + flank + 1: those positions,
 * sorted (built once per contig and flank).
 */
function breakpointsOf(c: ContigIndex, flank: number): Float64Array {
  let bp = c.breakpoints.get(flank);
  if (bp === undefined) {
    bp = new Float64Array(c.byStart.length * 2);
    let k = 0;
    for (const t of c.byStart) {
      bp[k++] = t.start - flank;
      bp[k++] = t.end + flank + 1;
    }
    bp.sort();
    c.breakpoints.set(flank, bp);
  }
  return bp;
}

/** Number of values in sorted `a` that are <= x. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
