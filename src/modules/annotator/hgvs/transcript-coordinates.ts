/**
 * Genomic ↔ transcript coordinate mapping for HGVS and consequence calling.
 *
 * A transcript's layout (exon arrays, cDNA offsets, CDS bounds in cDNA) is derived once and cached
 * on the Transcript object through a WeakMap, so the per-variant work is a binary search and a few
 * additions. Positions in transcript orientation are expressed as (cdna, offset): `cdna` is the
 * 1-based cDNA position of the anchoring exonic base (≤ 0 upstream of the transcript, > cDNA
 * length downstream of it) and `offset` the signed intronic distance from it (HGVS `+N` / `-N`).
 */
import type { CodonTableId, Transcript } from "../model.ts";
import { ByteBuilder, putInt } from "../io/byte-builder.ts";

export interface TranscriptLayout {
  /**
   * The transcript's span and codon table, copied from it so the per-entry code reads them here:
   * Transcript objects come in many shapes (their optional xref fields: 11 on the demo GFF3),
   * more than JavaScriptCore's polymorphic inline caches hold, so each read of `t.start` in the
   * optimized annotator could fail its structure check and leave the optimized code
   * (BUN_JSC_printEachOSRExit on the 1M-variant bench: ~30,000 such exits in transcriptEffect).
   * Every layout has the same shape.
   */
  readonly start: number;
  readonly end: number;
  readonly codonTable: CodonTableId;
  readonly strand: 1 | -1;
  readonly exonCount: number;
  /** Exon bounds by genomic index (ascending genomic order, as in Transcript.exons). */
  readonly gStart: Int32Array;
  readonly gEnd: Int32Array;
  /** cDNA position (1-based) of each exon's 5' base in transcript orientation, by genomic index. */
  readonly cdna5: Int32Array;
  readonly cdnaLength: number;
  /** True when the transcript has a CDS that maps onto its exons. */
  readonly coding: boolean;
  /** cDNA positions (1-based, inclusive) of the first and last CDS base; 0 when non-coding. */
  readonly cdsStart: number;
  readonly cdsEnd: number;
  /** Bases missing from the first codon of a 5'-incomplete CDS: (3 - GFF phase) % 3 (Ensembl's exon phase). */
  readonly framePad: number;
  /** Unpadded CDS length (cdsEnd - cdsStart + 1). */
  readonly cdsLength: number;
  /** Protein length for AA.length: codons of the padded CDS, minus the stop when the CDS is complete at its 3' end. */
  readonly aaLength: number;
  readonly startIncomplete: boolean;
  readonly endIncomplete: boolean;
  /** The ANN Feature_ID: the stable ID without version, as the issue and VEP write it (SnpEff appends `.version`). */
  readonly featureId: string;
  /** The CDS was given but does not map onto the exons (broken model): treated as non-coding. */
  readonly badCds: boolean;
  /**
   * Biotype nonsense_mediated_decay (NMD_transcript_variant). A boolean rather than a string
   * compare per call: the biotype strings are not atoms, so the JIT's string-identity guess on
   * `t.biotype === "…"` failed thousands of times on the 1M-variant bench and recompiled the caller.
   */
  readonly nmd: boolean;
  /**
   * The output writers' encoded pieces of this transcript (output/ann-field.ts, csq-field.ts),
   * filled on first use. Kept here because every effect carries its layout: a field read instead
   * of a Map or WeakMap lookup per written entry (measured in output/csq-field.ts).
   */
  readonly pieces: OutputPieces;
}

/** See TranscriptLayout.pieces: per TermSet id, the entry prefix of each writer. */
export interface OutputPieces {
  ann: Uint8Array[];
  csq: Uint8Array[];
  /** The CSQ writer's other per-transcript pieces (csq-field.ts TranscriptPieces), null until first written. */
  csqTranscript: unknown;
}

const layouts = new WeakMap<Transcript, TranscriptLayout>();

/** Layout of a transcript, built on first use and cached for the transcript object's lifetime. */
export function layoutOf(t: Transcript): TranscriptLayout {
  let l = layouts.get(t);
  if (l === undefined) {
    l = buildLayout(t);
    layouts.set(t, l);
  }
  return l;
}

function buildLayout(t: Transcript): TranscriptLayout {
  const n = t.exons.length;
  const gStart = new Int32Array(n);
  const gEnd = new Int32Array(n);
  const cdna5 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    gStart[i] = t.exons[i]!.start;
    gEnd[i] = t.exons[i]!.end;
  }
  let acc = 1;
  for (let k = 0; k < n; k++) {
    const i = t.strand === 1 ? k : n - 1 - k;
    cdna5[i] = acc;
    acc += gEnd[i]! - gStart[i]! + 1;
  }
  const cdnaLength = acc - 1;
  const partial = { strand: t.strand, exonCount: n, gStart, gEnd, cdna5, cdnaLength };
  let cdsStart = 0;
  let cdsEnd = 0;
  let badCds = false;
  const c = t.coding;
  if (c) {
    // `| 0` here and on the span below: a whole number stored as a double (the gene-model builder
    // did that with Math.min/Infinity; a model from elsewhere might) makes every optimized reader
    // of these fields (putTxPos, the consequence code) fail its int32 speculation and recompile
    // (BUN_JSC_printEachOSRExit on the 1M-variant bench, GFF3 path: ~13,000 BadType exits).
    const five = exonicCdna(partial, (t.strand === 1 ? c.start : c.end) | 0);
    const three = exonicCdna(partial, (t.strand === 1 ? c.end : c.start) | 0);
    if (five > 0 && three >= five) {
      cdsStart = five;
      cdsEnd = three;
    } else {
      badCds = true;
    }
  }
  const coding = cdsStart > 0;
  const framePad = coding ? (3 - (c!.startPhase % 3)) % 3 : 0;
  const cdsLength = coding ? cdsEnd - cdsStart + 1 : 0;
  const codons = Math.ceil((cdsLength + framePad) / 3);
  const endIncomplete = coding && c!.endIncomplete;
  return {
    start: t.start | 0,
    end: t.end | 0,
    codonTable: t.codonTable,
    ...partial,
    coding,
    cdsStart,
    cdsEnd,
    framePad,
    cdsLength,
    aaLength: coding ? (endIncomplete ? codons : Math.max(0, codons - 1)) : 0,
    startIncomplete: coding && c!.startIncomplete,
    endIncomplete,
    featureId: t.id,
    badCds,
    nmd: t.biotype === "nonsense_mediated_decay",
    pieces: { ann: [], csq: [], csqTranscript: null },
  };
}

type ExonArrays = Pick<TranscriptLayout, "strand" | "exonCount" | "gStart" | "gEnd" | "cdna5">;

/** Index of the last exon (genomic order) whose start is ≤ g, or -1. */
export function exonIndexAtOrBefore(l: ExonArrays, g: number): number {
  let lo = 0;
  let hi = l.exonCount - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (l.gStart[mid]! <= g) {
      ans = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return ans;
}

/** cDNA position of an exonic genomic position, or 0 when g is not in an exon. */
export function exonicCdna(l: ExonArrays, g: number): number {
  const i = exonIndexAtOrBefore(l, g);
  if (i < 0 || g > l.gEnd[i]!) return 0;
  return l.strand === 1 ? l.cdna5[i]! + (g - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! - g);
}

/** A position in transcript coordinates: HGVS anchor (cDNA) and intronic offset. */
export interface TxPos {
  cdna: number;
  offset: number;
}

/**
 * Maps a genomic position to transcript coordinates. Intronic positions anchor on the nearest
 * exon boundary (the 5' one, `+N`, when equidistant, as HGVS says for the intron's middle base);
 * positions beyond the transcript continue the cDNA numbering (≤ 0 upstream, > length downstream).
 * Written into `out` when given: the HGVS code asks once per entry and keeps one TxPos for it
 * (a new object per call was a visible share of the 1M-variant bench's allocations).
 */
export function toTxPos(l: TranscriptLayout, g: number, out: TxPos = { cdna: 0, offset: 0 }): TxPos {
  const n = l.exonCount;
  const i = exonIndexAtOrBefore(l, g);
  const plus = l.strand === 1;
  out.offset = 0;
  if (i < 0) {
    const d = l.gStart[0]! - g; // genomically before the first exon
    out.cdna = plus ? 1 - d : l.cdnaLength + d;
    return out;
  }
  const end = l.gEnd[i]!;
  if (g <= end) {
    out.cdna = plus ? l.cdna5[i]! + (g - l.gStart[i]!) : l.cdna5[i]! + (end - g);
    return out;
  }
  if (i === n - 1) {
    const d = g - end;
    out.cdna = plus ? l.cdnaLength + d : 1 - d;
    return out;
  }
  return toTxPosInIntron(l, i, g, out);
}

/** toTxPos for a position known to lie in the intron between genomic exons i and i+1. */
export function toTxPosInIntron(l: TranscriptLayout, i: number, g: number, out: TxPos = { cdna: 0, offset: 0 }): TxPos {
  const end = l.gEnd[i]!;
  const nextStart = l.gStart[i + 1]!;
  let donorCdna: number;
  let d1: number;
  let d2: number;
  if (l.strand === 1) {
    donorCdna = l.cdna5[i]! + (end - l.gStart[i]!); // last base of the 5' exon
    d1 = g - end;
    d2 = nextStart - g;
  } else {
    donorCdna = l.cdna5[i + 1]! + (l.gEnd[i + 1]! - nextStart); // 3'-most base of exon i+1
    d1 = nextStart - g;
    d2 = g - end;
  }
  if (d1 <= d2) {
    out.cdna = donorCdna;
    out.offset = d1;
  } else {
    out.cdna = donorCdna + 1;
    out.offset = -d2;
  }
  return out;
}

/**
 * HGVS text of a transcript position without the `c.`/`n.` prefix: `123`, `-45`, `*12`,
 * `123+5`, `-8+49`, `*149-351`. Coding numbering is relative to the CDS (c.1 = first CDS base).
 */
export function formatTxPos(l: TranscriptLayout, cdna: number, offset: number): string {
  scratch.clear();
  writeTxPos(scratch, l, cdna, offset);
  return scratch.toString();
}

const scratch = new ByteBuilder(64);

/** Writes a transcript position as formatTxPos words it, straight into output bytes (no string). */
export function writeTxPos(out: ByteBuilder, l: TranscriptLayout, cdna: number, offset: number): void {
  out.reserve(TX_POS_MAX_BYTES);
  out.length = putTxPos(out.bytes, out.length, l, cdna, offset);
}

/** Room putTxPos may need: a sign and 10 digits, twice. */
export const TX_POS_MAX_BYTES = 24;

/** writeTxPos at byte position `p` of `b`; returns the position after it. */
export function putTxPos(b: Uint8Array, p: number, l: TranscriptLayout, cdna: number, offset: number): number {
  if (l.coding) {
    if (cdna < l.cdsStart) {
      b[p++] = 45; // -
      p = putInt(b, p, l.cdsStart - cdna);
    } else if (cdna > l.cdsEnd) {
      b[p++] = 42; // *
      p = putInt(b, p, cdna - l.cdsEnd);
    } else {
      p = putInt(b, p, cdna - l.cdsStart + 1);
    }
  } else if (cdna < 1) {
    b[p++] = 45;
    p = putInt(b, p, 1 - cdna);
  } else if (cdna > l.cdnaLength) {
    b[p++] = 42;
    p = putInt(b, p, cdna - l.cdnaLength);
  } else {
    p = putInt(b, p, cdna);
  }
  if (offset > 0) {
    b[p++] = 43; // +
    p = putInt(b, p, offset);
  } else if (offset < 0) {
    p = putInt(b, p, offset); // the minus sign comes with the number
  }
  return p;
}

/** Exon rank (1-based, transcript order) of genomic exon index i. */
export function exonRank(l: TranscriptLayout, i: number): number {
  return l.strand === 1 ? i + 1 : l.exonCount - i;
}

/** Intron rank (1-based, transcript order) of the intron between genomic exons i and i+1. */
export function intronRank(l: TranscriptLayout, i: number): number {
  return l.strand === 1 ? i + 1 : l.exonCount - 1 - i;
}
