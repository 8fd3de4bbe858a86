/**
 * Spliced transcript sequences (cDNA in transcript orientation) with the CDS offsets in it, and a
 * bounded cache so that the synchronous consequence code can ask for them after one async `ensure`.
 */
import type { GenomeWindow, Transcript, TranscriptSequence } from "../model.ts";
import type { GenomeReader } from "./fasta-reader.ts";
import { LruCache } from "../io/lru-cache.ts";

const PAIRS = ["AT", "CG", "GC", "TA", "NN", "RY", "YR", "KM", "MK", "SS", "WW", "BV", "VB", "DH", "HD"];
/** Complement by character code; letters outside IUPAC become N. */
const COMPLEMENT = new Uint8Array(256).fill(78);
for (const [a, b] of PAIRS) COMPLEMENT[a!.charCodeAt(0)] = b!.charCodeAt(0);
const latin1 = new TextDecoder("latin1");

/** Reverse complement of an upper-case DNA string (IUPAC codes kept, unknown letters become N). */
export function reverseComplement(seq: string): string {
  const n = seq.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[n - 1 - i] = COMPLEMENT[seq.charCodeAt(i) & 0xff]!;
  return latin1.decode(out);
}

/** 0-based offset in the cDNA of genomic position `pos`, or -1 when pos is not exonic. */
export function cdnaOffset(t: Transcript, pos: number): number {
  let before = 0; // exonic bases 5' of the exon being looked at, in transcript orientation
  const n = t.exons.length;
  for (let k = 0; k < n; k++) {
    const e = t.exons[t.strand === 1 ? k : n - 1 - k]!;
    if (pos >= e.start && pos <= e.end) return before + (t.strand === 1 ? pos - e.start : e.end - pos);
    before += e.end - e.start + 1;
  }
  return -1;
}

/**
 * Builds the cDNA from the exons (forward-strand slices, joined, reverse-complemented for strand
 * -1). `genome` must cover every exon. cdsStart/cdsEnd are -1 for non-coding transcripts and for
 * models whose CDS ends fall outside the exons.
 */
export function buildTranscriptSequence(t: Transcript, genome: GenomeWindow): TranscriptSequence {
  // Joined in a byte array, then decoded once: a cDNA made with `+=` (per exon, or per base for
  // the reverse complement) was a rope of many pieces, and cached ropes that nothing read (most
  // variants are intronic) stayed so (bench:genome, first 100k variants: peak RSS 473 → 375 MB).
  const parts = t.exons.map((e) => genome.slice(e.start, e.end));
  let n = 0;
  for (const p of parts) n += p.length;
  const bytes = new Uint8Array(n);
  let k = t.strand === 1 ? 0 : n;
  for (const p of parts) {
    if (t.strand === 1) for (let i = 0; i < p.length; i++) bytes[k++] = p.charCodeAt(i);
    else for (let i = 0; i < p.length; i++) bytes[--k] = COMPLEMENT[p.charCodeAt(i) & 0xff]!;
  }
  const cdna = latin1.decode(bytes);
  let cdsStart = -1;
  let cdsEnd = -1;
  if (t.coding) {
    const five = cdnaOffset(t, t.strand === 1 ? t.coding.start : t.coding.end);
    const three = cdnaOffset(t, t.strand === 1 ? t.coding.end : t.coding.start);
    if (five >= 0 && three >= five) {
      cdsStart = five;
      cdsEnd = three + 1;
    }
  }
  return { cdna, cdsStart, cdsEnd };
}

/** A window made of separately loaded exon pieces, so a 2 Mb gene does not load its introns. */
function piecesWindow(contig: string, pieces: { start: number; seq: string }[]): GenomeWindow {
  return {
    contig,
    slice(start, end) {
      for (const p of pieces) {
        if (start >= p.start && end <= p.start + p.seq.length - 1) return p.seq.slice(start - p.start, end - p.start + 1);
      }
      throw new RangeError(`exon window ${contig} does not cover ${start}-${end}`);
    },
  };
}

export interface TranscriptSequenceCache {
  /** Loads the sequences of these transcripts (those not cached yet). */
  ensure(transcripts: readonly Transcript[]): Promise<void>;
  /** Sequence of a transcript passed to the latest `ensure` calls. @throws if it was not loaded. */
  get(t: Transcript): TranscriptSequence;
  readonly size: number;
}

/**
 * LRU cache of transcript sequences keyed by transcript object. Capacity grows to the largest
 * batch given to one `ensure`, so a batch never evicts its own members. What hangs off a cached
 * sequence (the CDS context, its translation: consequence/coding-change.ts) goes with it, ~350
 * strings a transcript: at 4096 entries that was most of the heap on a whole genome, where sorted
 * input needs a transcript only while it passes over it (a batch there needs ~300).
 */
export function createTranscriptSequenceCache(genome: GenomeReader, maxEntries = 1024): TranscriptSequenceCache {
  const cache = new LruCache<Transcript, TranscriptSequence>(maxEntries);
  return {
    get size() {
      return cache.size;
    },
    async ensure(transcripts) {
      cache.ensureCapacity(transcripts.length);
      for (const t of transcripts) {
        if (cache.get(t) !== undefined) continue; // refreshes its age
        const pieces = await Promise.all(t.exons.map(async (e) => ({ start: e.start, seq: await genome.fetch(t.contig, e.start, e.end) })));
        cache.set(t, buildTranscriptSequence(t, piecesWindow(t.contig, pieces)));
      }
    },
    get(t) {
      const s = cache.peek(t);
      if (s === undefined) throw new Error(`transcript ${t.id}: sequence not loaded; call ensure() for the batch first`);
      return s;
    },
  };
}
