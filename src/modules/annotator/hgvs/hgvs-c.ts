/**
 * HGVS coding/non-coding DNA notation (`c.` / `n.`) of an allele on a transcript, written without
 * the transcript prefix as SnpEff puts it in ANN: `c.185A>G`, `c.-45C>T`, `c.*12del`,
 * `c.123+5G>A`, `c.-8+49G>C`, `n.521-4G>A`, `c.10_12del`, `c.9dup`, `c.9_10insTTT`,
 * `c.10_11delinsAG`. Deleted bases are not written (current HGVS). Insertions and deletions are
 * shifted 3′ in transcript orientation within the exon, intron or flank that holds them, and an
 * insertion that repeats the bases just 5′ of it is written as a duplication.
 */
import type { Allele, GenomeWindow } from "../model.ts";
import { complementBase, reverseComplement } from "./nucleotides.ts";
import { cdnaBases, genomicBases, readOriented, shift3Prime, type OrientedBases } from "./shift-3prime.ts";
import { exonIndexAtOrBefore, formatTxPos, toTxPos, type TranscriptLayout } from "./transcript-coordinates.ts";

export interface HgvsC {
  /** The description, e.g. `c.123+5G>A`; "" when the allele cannot be described. */
  text: string;
  /** True when the indel was moved 3′ (ANN message INFO_REALIGN_3_PRIME). */
  realigned: boolean;
}

const BIG = 2_000_000_000;

/** Region id of a genomic position: 2i = exon i, 2i+1 = after exon i (intron or 3′ of the last exon), -1 before exon 0. */
function regionId(l: TranscriptLayout, g: number): number {
  const i = exonIndexAtOrBefore(l, g);
  if (i < 0) return -1;
  return g <= l.gEnd[i]! ? 2 * i : 2 * i + 1;
}

/** Genomic bounds [lo, hi] of a region id. */
function regionBounds(l: TranscriptLayout, id: number): [number, number] {
  if (id === -1) return [-BIG, l.gStart[0]! - 1];
  const i = id >> 1;
  if ((id & 1) === 0) return [l.gStart[i]!, l.gEnd[i]!];
  if (i === l.exonCount - 1) return [l.gEnd[i]! + 1, BIG];
  return [l.gEnd[i]! + 1, l.gStart[i + 1]! - 1];
}

/**
 * Describes `allele` on the transcript with layout `l`. `cdna` is the spliced sequence when
 * available (used for exonic shifting), `genome` supplies intronic and flanking bases.
 */
export function hgvsC(allele: Allele, l: TranscriptLayout, cdna: string | null, genome: GenomeWindow): HgvsC {
  const prefix = l.coding ? "c." : "n.";
  const plus = l.strand === 1;
  const { ref, alt } = allele;

  if (ref.length === 1 && alt.length === 1) {
    const p = toTxPos(l, allele.start);
    const r = plus ? ref : complementBase(ref);
    const a = plus ? alt : complementBase(alt);
    return { text: `${prefix}${formatTxPos(l, p.cdna, p.offset)}${r}>${a}`, realigned: false };
  }

  const refTx = plus ? ref : reverseComplement(ref);
  const altTx = plus ? alt : reverseComplement(alt);
  // Oriented coordinates: o = strand × g, so 3′ is always +1.
  const oS = plus ? allele.start : -allele.end;
  const oE = plus ? allele.end : -allele.start;
  const at = (o: number): string => {
    const p = toTxPos(l, plus ? o : -o);
    return formatTxPos(l, p.cdna, p.offset);
  };

  if (ref.length > 0 && alt.length > 0) {
    const span = oS === oE ? at(oS) : `${at(oS)}_${at(oE)}`;
    return { text: `${prefix}${span}delins${altTx}`, realigned: false };
  }
  if (ref.length === 0 && alt.length === 0) return { text: "", realigned: false };

  const insertion = ref.length === 0;
  const seq = insertion ? altTx : refTx;
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
  let toPos: (o: number) => string = at;
  let bases: OrientedBases | null = null;
  let exonLo = 0;
  if (canShift) {
    const [gLo, gHi] = regionBounds(l, id);
    if (exonic) {
      const i = id >> 1;
      const cdnaOf = (o: number) => (plus ? l.cdna5[i]! + (o - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! + o));
      start = cdnaOf(oS);
      end = cdnaOf(oE);
      const hi = l.cdna5[i]! + (l.gEnd[i]! - l.gStart[i]!);
      exonLo = l.cdna5[i]!;
      bases = cdnaBases(cdna);
      const s = shift3Prime(start, end, seq, hi, bases);
      ({ start, end, seq: outSeq, moved } = s);
      // Past the exon's 3′ end (an insertion's 3′ flank) the next base is intronic or flanking.
      toPos = (c: number) =>
        c <= hi ? formatTxPos(l, c, 0) : at(plus ? l.gEnd[i]! + (c - hi) : -(l.gStart[i]! - (c - hi)));
    } else {
      const hi = plus ? gHi : -gLo;
      bases = genomicBases(genome, l.strand, insertion ? oS : oE + 1);
      const s = shift3Prime(start, end, seq, hi, bases);
      ({ start, end, seq: outSeq, moved } = s);
    }
  }

  if (!insertion) {
    const span = start === end ? toPos(start) : `${toPos(start)}_${toPos(end)}`;
    return { text: `${prefix}${span}del`, realigned: moved > 0 };
  }

  // Duplication: the inserted bases repeat the ones just 5′ of the insertion point.
  const len = outSeq.length;
  let before = "";
  if (exonic && bases !== null) {
    // Only within the exon: a repeat across an exon junction is not a genomic duplication.
    before = start - len >= exonLo ? cdna!.slice(start - 1 - len, start - 1) : "";
  } else {
    before = readOriented(genome, l.strand, start - len, start - 1);
  }
  if (before === outSeq) {
    const span = len === 1 ? toPos(start - 1) : `${toPos(start - len)}_${toPos(start - 1)}`;
    return { text: `${prefix}${span}dup`, realigned: moved > 0 };
  }
  return { text: `${prefix}${toPos(start - 1)}_${toPos(start)}ins${outSeq}`, realigned: moved > 0 };
}
