/**
 * HGVS coding/non-coding DNA notation (`c.` / `n.`) of an allele on a transcript, written without
 * the transcript prefix as SnpEff puts it in ANN: `c.185A>G`, `c.-45C>T`, `c.*12del`,
 * `c.123+5G>A`, `c.-8+49G>C`, `n.521-4G>A`, `c.10_12del`, `c.9dup`, `c.9_10insTTT`,
 * `c.10_11delinsAG`. Deleted bases are not written (current HGVS). Insertions and deletions are
 * shifted 3′ in transcript orientation within the exon, intron or flank that holds them, and an
 * insertion that repeats the bases just 5′ of it is written as a duplication.
 *
 * The description is worked out as numbers (HgvsCParts) and turned into text only when written:
 * building `c.331-44201T>A` as a template-literal rope and flattening it later cost ~80 ns per
 * entry, more than the mapping itself, with three entries per variant.
 */
import type { Allele, GenomeWindow } from "../model.ts";
import { ByteBuilder, putAscii, putBytes } from "../io/byte-builder.ts";
import { complementCode, reverseComplement } from "./nucleotides.ts";
import { cdnaBases, genomicBases, readOriented, rotate, shift3Prime, type OrientedBases } from "./shift-3prime.ts";
import {
  exonIndexAtOrBefore,
  putTxPos,
  toTxPos,
  toTxPosInIntron,
  type TranscriptLayout,
  TX_POS_MAX_BYTES,
  type TxPos,
} from "./transcript-coordinates.ts";

/** What kind of description HgvsCParts hold. */
export const HgvsKind = { none: 0, substitution: 1, delins: 2, del: 3, dup: 4, ins: 5 } as const;

/**
 * A c./n. description as numbers. Positions are (cDNA anchor, intronic offset) pairs as
 * `toTxPos` gives them; a span has a second position.
 */
export interface HgvsCParts {
  hgvsKind: number;
  hgvsCdna1: number;
  hgvsOffset1: number;
  hgvsSpan: boolean;
  hgvsCdna2: number;
  hgvsOffset2: number;
  /** Substitution: REF and ALT base char codes in transcript orientation. */
  hgvsRefCode: number;
  hgvsAltCode: number;
  /** delins / ins: the inserted bases in transcript orientation; "" otherwise. */
  hgvsBases: string;
  /** True when the indel was moved 3′ (ANN message INFO_REALIGN_3_PRIME). */
  realigned: boolean;
}

export interface HgvsC {
  /** The description, e.g. `c.123+5G>A`; "" when the allele cannot be described. */
  text: string;
  /** True when the indel was moved 3′ (ANN message INFO_REALIGN_3_PRIME). */
  realigned: boolean;
}

const BIG = 2_000_000_000;

/**
 * How far an indel moves 3′ on the genome on one strand, with no region bound, for the last allele
 * described (per strand: index 0 plus, 1 minus). Every transcript near an indel whose bases it
 * shifts on the genome (intron, flank) makes the same walk and only stops at its own bound, so the
 * walk is made once per allele and strand and the bound applied after: min(walk, room), the same
 * number the bounded walk gives. The genome-side work of indels (shift3Prime and its reads) was
 * ~6 % of the 1M-variant bench's samples, with ~3 transcripts near each indel.
 */
const NOT_READ = -BIG - 1; // no oriented position (±genomic) is this
const shiftMemo = {
  allele: null as Allele | null,
  genome: null as GenomeWindow | null,
  moved: [-1, -1],
  beforeAt: [NOT_READ, NOT_READ],
  before: ["", ""],
};

function memoFor(allele: Allele, genome: GenomeWindow): typeof shiftMemo {
  const m = shiftMemo;
  if (m.allele !== allele || m.genome !== genome) {
    m.allele = allele;
    m.genome = genome;
    m.moved[0] = m.moved[1] = -1;
    m.beforeAt[0] = m.beforeAt[1] = NOT_READ;
  }
  return m;
}

function genomicShift(allele: Allele, genome: GenomeWindow, strand: 1 | -1, oS: number, oE: number, seq: string, from: number): number {
  const m = memoFor(allele, genome);
  const k = strand === 1 ? 0 : 1;
  let moved = m.moved[k]!;
  if (moved < 0) {
    moved = shift3Prime(oS, oE, seq, BIG, genomicBases(genome, strand, from)).moved;
    m.moved[k] = moved;
  }
  return moved;
}

/** readOriented of the bases just 5′ of a shifted insertion (the duplication test), kept per allele and strand. */
function genomicBefore(allele: Allele, genome: GenomeWindow, strand: 1 | -1, from: number, to: number): string {
  const m = memoFor(allele, genome);
  const k = strand === 1 ? 0 : 1;
  if (m.beforeAt[k] !== from) {
    m.before[k] = readOriented(genome, strand, from, to);
    m.beforeAt[k] = from;
  }
  return m.before[k]!;
}

/** Region id of a genomic position: 2i = exon i, 2i+1 = after exon i (intron or 3′ of the last exon), -1 before exon 0. */
function regionId(l: TranscriptLayout, g: number): number {
  const i = exonIndexAtOrBefore(l, g);
  if (i < 0) return -1;
  return g <= l.gEnd[i]! ? 2 * i : 2 * i + 1;
}

/** Genomic bounds [lo, hi] of a region id. */
function regionLo(l: TranscriptLayout, id: number): number {
  if (id === -1) return -BIG;
  const i = id >> 1;
  return (id & 1) === 0 ? l.gStart[i]! : l.gEnd[i]! + 1;
}

function regionHi(l: TranscriptLayout, id: number): number {
  if (id === -1) return l.gStart[0]! - 1;
  const i = id >> 1;
  if ((id & 1) === 0) return l.gEnd[i]!;
  if (i === l.exonCount - 1) return BIG;
  return l.gStart[i + 1]! - 1;
}

/** Describes `allele` on a transcript as a string (tests, browse rows); see describeHgvsC. */
export function hgvsC(allele: Allele, l: TranscriptLayout, cdna: string | null, genome: GenomeWindow): HgvsC {
  const h = emptyHgvsCParts();
  describeHgvsC(allele, l, cdna, genome, h);
  return { text: hgvsCText(l, h), realigned: h.realigned };
}

export function emptyHgvsCParts(): HgvsCParts {
  return {
    hgvsKind: 0,
    hgvsCdna1: 0,
    hgvsOffset1: 0,
    hgvsSpan: false,
    hgvsCdna2: 0,
    hgvsOffset2: 0,
    hgvsRefCode: 0,
    hgvsAltCode: 0,
    hgvsBases: "",
    realigned: false,
  };
}

/**
 * Describes `allele` on the transcript with layout `l` into `h`. `cdna` is the spliced sequence
 * when available (used for exonic shifting), `genome` supplies intronic and flanking bases.
 */
export function describeHgvsC(allele: Allele, l: TranscriptLayout, cdna: string | null, genome: GenomeWindow, h: HgvsCParts): void {
  const plus = l.strand === 1;
  const { ref, alt } = allele;
  h.hgvsBases = "";
  h.realigned = false;
  h.hgvsSpan = false;

  if (ref.length === 1 && alt.length === 1) {
    h.hgvsKind = HgvsKind.substitution;
    setGenomic(h, false, l, allele.start);
    const r = ref.charCodeAt(0);
    const a = alt.charCodeAt(0);
    h.hgvsRefCode = plus ? r : complementCode(r);
    h.hgvsAltCode = plus ? a : complementCode(a);
    return;
  }

  // Oriented coordinates: o = strand × g, so 3′ is always +1.
  const oS = plus ? allele.start : -allele.end;
  const oE = plus ? allele.end : -allele.start;

  if (ref.length > 0 && alt.length > 0) {
    h.hgvsKind = HgvsKind.delins;
    setGenomic(h, false, l, plus ? oS : -oS);
    if (oS !== oE) setGenomic(h, true, l, plus ? oE : -oE);
    h.hgvsBases = plus ? alt : reverseComplement(alt);
    return;
  }
  if (ref.length === 0 && alt.length === 0) {
    h.hgvsKind = HgvsKind.none;
    return;
  }

  const insertion = ref.length === 0;
  // reverseComplement keeps its last answer: the same bases on the next minus-strand transcript cost nothing.
  const seq = insertion ? (plus ? alt : reverseComplement(alt)) : plus ? ref : reverseComplement(ref);
  // The region that holds the variant: both ends for a deletion, the 5′ flank for an insertion.
  const gFirst = plus ? (insertion ? oS - 1 : oS) : -(insertion ? oS - 1 : oS);
  const id = regionId(l, gFirst);
  const canShift = insertion || regionId(l, plus ? oE : -oE) === id;

  let start = oS;
  let end = oE;
  let outSeq = seq;
  let moved = 0;
  // Exonic variants shift on the cDNA (cDNA positions), everything else on the genome.
  const exonic = (id & 1) === 0 && id >= 0 && cdna !== null && cdna.length === l.cdnaLength;
  // In cDNA mode positions are cDNA numbers up to `hi` (the exon's 3′ end), genomic beyond it.
  const pos: PositionMode = { cdnaMode: false, exon: 0, hi: 0 };
  let bases: OrientedBases | null = null;
  let exonLo = 0;
  if (canShift) {
    if (exonic) {
      const i = id >> 1;
      start = plus ? l.cdna5[i]! + (oS - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! + oS);
      end = plus ? l.cdna5[i]! + (oE - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! + oE);
      const hi = l.cdna5[i]! + (l.gEnd[i]! - l.gStart[i]!);
      exonLo = l.cdna5[i]!;
      bases = cdnaBases(cdna);
      const s = shift3Prime(start, end, seq, hi, bases);
      ({ start, end, seq: outSeq, moved } = s);
      pos.cdnaMode = true;
      pos.exon = i;
      pos.hi = hi;
    } else {
      // The walk is the same on every transcript of this strand; only its bound differs.
      const hi = plus ? regionHi(l, id) : -regionLo(l, id);
      const from = insertion ? oS : oE + 1;
      moved = Math.min(genomicShift(allele, genome, l.strand, oS, oE, seq, from), Math.max(0, hi - from + 1));
      if (moved > 0) {
        start += moved;
        end += moved;
        outSeq = rotate(seq, moved);
      }
    }
  }
  h.realigned = moved > 0;

  if (!insertion) {
    h.hgvsKind = HgvsKind.del;
    setOriented(h, false, l, pos, start);
    if (start !== end) setOriented(h, true, l, pos, end);
    return;
  }

  // Duplication: the inserted bases repeat the ones just 5′ of the insertion point.
  const len = outSeq.length;
  let before = "";
  if (exonic && bases !== null) {
    // Only within the exon: a repeat across an exon junction is not a genomic duplication.
    before = start - len >= exonLo ? cdna!.slice(start - 1 - len, start - 1) : "";
  } else {
    before = genomicBefore(allele, genome, l.strand, start - len, start - 1);
  }
  if (before === outSeq) {
    h.hgvsKind = HgvsKind.dup;
    if (len === 1) {
      setOriented(h, false, l, pos, start - 1);
    } else {
      setOriented(h, false, l, pos, start - len);
      setOriented(h, true, l, pos, start - 1);
    }
    return;
  }
  h.hgvsKind = HgvsKind.ins;
  setOriented(h, false, l, pos, start - 1);
  setOriented(h, true, l, pos, start);
  h.hgvsBases = outSeq;
}

/**
 * describeHgvsC for a substitution known to lie in the intron after genomic exon i (the
 * annotator's commonest case, see transcriptEffect's deep-intron path): no exon search.
 */
export function describeIntronSubstitution(allele: Allele, l: TranscriptLayout, i: number, h: HgvsCParts): void {
  const plus = l.strand === 1;
  const p = toTxPosInIntron(l, i, allele.start, txPos);
  h.hgvsKind = HgvsKind.substitution;
  h.hgvsBases = "";
  h.realigned = false;
  h.hgvsSpan = false;
  h.hgvsCdna1 = p.cdna;
  h.hgvsOffset1 = p.offset;
  const r = allele.ref.charCodeAt(0);
  const a = allele.alt.charCodeAt(0);
  h.hgvsRefCode = plus ? r : complementCode(r);
  h.hgvsAltCode = plus ? a : complementCode(a);
}

/** The position toTxPos / toTxPosInIntron write into, read at once (see toTxPos). */
const txPos: TxPos = { cdna: 0, offset: 0 };

interface PositionMode {
  cdnaMode: boolean;
  exon: number;
  hi: number;
}

/** Sets position 1 (or 2, with `second`) from a genomic position. */
function setGenomic(h: HgvsCParts, second: boolean, l: TranscriptLayout, g: number): void {
  const p = toTxPos(l, g, txPos);
  if (second) {
    h.hgvsSpan = true;
    h.hgvsCdna2 = p.cdna;
    h.hgvsOffset2 = p.offset;
  } else {
    h.hgvsCdna1 = p.cdna;
    h.hgvsOffset1 = p.offset;
  }
}

/** Sets a position from an oriented one: a cDNA number in cDNA mode (up to the exon's end), else strand × genomic. */
function setOriented(h: HgvsCParts, second: boolean, l: TranscriptLayout, m: PositionMode, o: number): void {
  const plus = l.strand === 1;
  if (!m.cdnaMode) {
    setGenomic(h, second, l, plus ? o : -o);
    return;
  }
  if (o <= m.hi) {
    if (second) {
      h.hgvsSpan = true;
      h.hgvsCdna2 = o;
      h.hgvsOffset2 = 0;
    } else {
      h.hgvsCdna1 = o;
      h.hgvsOffset1 = 0;
    }
    return;
  }
  // Past the exon's 3′ end (an insertion's 3′ flank) the next base is intronic or flanking.
  setGenomic(h, second, l, plus ? l.gEnd[m.exon]! + (o - m.hi) : l.gStart[m.exon]! - (o - m.hi));
}

const WORDS: readonly Uint8Array[] = ["", "", "delins", "del", "dup", "ins"].map((w) => new TextEncoder().encode(w));

/** Writes the description held in `h` (nothing for HgvsKind.none). */
export function writeHgvsC(out: ByteBuilder, l: TranscriptLayout, h: HgvsCParts): void {
  out.reserve(hgvsCMaxBytes(h));
  out.length = putHgvsC(out.bytes, out.length, l, h);
}

/** Room putHgvsC may need for `h`. */
export function hgvsCMaxBytes(h: HgvsCParts): number {
  return 2 + 2 * TX_POS_MAX_BYTES + 1 + 6 + h.hgvsBases.length;
}

/** writeHgvsC at byte position `p` of `b` (room: hgvsCMaxBytes); returns the position after it. */
export function putHgvsC(b: Uint8Array, p: number, l: TranscriptLayout, h: HgvsCParts): number {
  const kind = h.hgvsKind;
  if (kind === HgvsKind.none) return p;
  b[p++] = l.coding ? 99 : 110; // c / n
  b[p++] = 46; // .
  p = putTxPos(b, p, l, h.hgvsCdna1, h.hgvsOffset1);
  if (h.hgvsSpan) {
    b[p++] = 95; // _
    p = putTxPos(b, p, l, h.hgvsCdna2, h.hgvsOffset2);
  }
  if (kind === HgvsKind.substitution) {
    b[p++] = h.hgvsRefCode;
    b[p++] = 62; // >
    b[p++] = h.hgvsAltCode;
    return p;
  }
  p = putBytes(b, p, WORDS[kind]!);
  // Bases: ASCII letters from the VCF (checked by the reader) or the genome.
  return h.hgvsBases ? putAscii(b, p, h.hgvsBases) : p;
}

const scratch = new ByteBuilder(256);

/** The text of a description (the string form of writeHgvsC). */
export function hgvsCText(l: TranscriptLayout, h: HgvsCParts): string {
  scratch.clear();
  writeHgvsC(scratch, l, h);
  return scratch.toString();
}
