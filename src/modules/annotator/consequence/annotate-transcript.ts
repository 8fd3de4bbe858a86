/**
 * Per-transcript consequence calling: one Allele against one Transcript gives one ANN entry
 * (SO terms most severe first, impact, rank, HGVS c./p., positions, distance, messages), or null
 * when the allele is farther than the up/downstream distance.
 *
 * Rules follow Ensembl VEP: up/downstream by strand within 5 kb; UTR/CDS/intron/splice terms;
 * non_coding_transcript_exon_variant vs intron_variant + non_coding_transcript_variant for
 * transcripts without a CDS; NMD_transcript_variant for the nonsense_mediated_decay biotype;
 * coding_transcript_variant when nothing more specific applies. Consequences use the allele where
 * it is given; only the HGVS descriptions are shifted 3′.
 *
 * Field conventions (SnpEff ANN style): Feature_ID is `id.version`; Rank is the exon rank for
 * exonic hits, else the intron rank (`N/TOTAL`, `a-b/TOTAL` when several); cDNA.pos is the 5′-most
 * exonic base (for an insertion, the base 5′ of it); CDS.pos uses c. numbering (c.1 = first
 * annotated CDS base); AA.pos counts codons of the CDS padded by the GFF phase, as Ensembl does,
 * so the partial first codon of a 5′-incomplete CDS is residue 1; Distance is only filled for
 * up/downstream hits (bases between the allele and the transcript end it lies beyond).
 */
import type { Allele, Annotation, GenomeWindow, Transcript, TranscriptSequence } from "../model.ts";
import { hgvsC } from "../hgvs/hgvs-c.ts";
import { reverseComplement } from "../hgvs/nucleotides.ts";
import { exonIndexAtOrBefore, exonRank, intronRank, layoutOf, type TranscriptLayout } from "../hgvs/transcript-coordinates.ts";
import { cdsContextOf, codingBoundaryChange, codingChange } from "./coding-change.ts";
import { finishTerms, SO } from "./so-terms.ts";
import { spliceTerms } from "./splice-sites.ts";

function overlap(s1: number, e1: number, s2: number, e2: number): boolean {
  return e1 >= s2 && s1 <= e2;
}

function cdnaOf(l: TranscriptLayout, i: number, g: number): number {
  return l.strand === 1 ? l.cdna5[i]! + (g - l.gStart[i]!) : l.cdna5[i]! + (l.gEnd[i]! - g);
}

function rankText(lo: number, hi: number, total: number): string {
  if (lo > hi) [lo, hi] = [hi, lo];
  return lo === hi ? `${lo}/${total}` : `${lo}-${hi}/${total}`;
}

function baseMessages(l: TranscriptLayout): string[] {
  const m: string[] = [];
  if (l.startIncomplete) m.push("WARNING_TRANSCRIPT_NO_START_CODON");
  if (l.endIncomplete) m.push("WARNING_TRANSCRIPT_NO_STOP_CODON");
  return m;
}

/**
 * Annotates `allele` on transcript `t`. `seq` is the transcript's spliced sequence (null for
 * non-coding transcripts or when unavailable: coding effects then degrade to
 * coding_sequence_variant); `genome` supplies intronic/flanking bases for HGVS 3′ shifting.
 * Never throws on odd models (incomplete CDS, CDS outside the exons, N bases).
 */
export function annotateTranscript(
  allele: Allele,
  t: Transcript,
  seq: TranscriptSequence | null,
  genome: GenomeWindow,
  upDownDistance = 5000,
): Annotation | null {
  const s = allele.start;
  const e = allele.end; // insertion: e = s - 1
  if (e < t.start - upDownDistance || s > t.end + upDownDistance) return null;
  const l = layoutOf(t);
  const plus = l.strand === 1;
  const cdna = seq !== null && seq.cdna.length === l.cdnaLength ? seq.cdna : null;
  const terms: number[] = [];

  if (e < t.start || s > t.end) {
    const before = e < t.start;
    if (before && t.start - e > upDownDistance) return null;
    if (!before && s - t.end > upDownDistance) return null;
    terms.push(before === plus ? SO.upstream : SO.downstream);
    const c = hgvsC(allele, l, cdna, genome);
    const messages = baseMessages(l);
    if (c.realigned) messages.push("INFO_REALIGN_3_PRIME");
    return build(allele, t, l, terms, "", c.text, "", "", "", "", String(before ? t.start - e : s - t.end), messages);
  }

  const insertion = e < s;
  const hit = spliceTerms(l, s, e, terms);

  // Exonic part: exon index range and the cDNA span (single exon) of the allele.
  let exFirst = -1;
  let exLast = -1;
  let cs = 0;
  let ce = 0;
  let cdnaFirst = 0;
  let utr5 = false;
  let utr3 = false;
  let cdsHit = false;
  const classify = (lo: number, hi: number) => {
    if (!l.coding) return;
    if (overlap(lo, hi, 1, l.cdsStart - 1) || (insertion && lo === l.cdsStart)) utr5 = true;
    if (overlap(lo, hi, l.cdsEnd + 1, l.cdnaLength) || (insertion && hi === l.cdsEnd)) utr3 = true;
    if (overlap(lo, hi, l.cdsStart, l.cdsEnd)) cdsHit = true;
  };
  if (insertion) {
    const i = exonIndexAtOrBefore(l, e);
    if (i >= 0 && e >= l.gStart[i]! && s <= l.gEnd[i]!) {
      exFirst = exLast = i;
      const a = cdnaOf(l, i, e);
      const b = cdnaOf(l, i, s);
      cs = Math.max(a, b);
      ce = cs - 1;
      cdnaFirst = ce;
      classify(cs, ce);
    }
  } else {
    for (let i = exonIndexAtOrBefore(l, e); i >= 0 && l.gEnd[i]! >= s; i--) {
      const a = cdnaOf(l, i, Math.max(s, l.gStart[i]!));
      const b = cdnaOf(l, i, Math.min(e, l.gEnd[i]!));
      cs = Math.min(a, b);
      ce = Math.max(a, b);
      if (exLast < 0) exLast = i;
      exFirst = i;
      if (cdnaFirst === 0 || cs < cdnaFirst) cdnaFirst = cs;
      classify(cs, ce);
    }
  }
  const exonic = exFirst >= 0;
  const fullyExonic =
    exonic && exFirst === exLast && hit.first < 0 && (insertion || (s >= l.gStart[exFirst]! && e <= l.gEnd[exFirst]!));
  const altTx = plus ? allele.alt : reverseComplement(allele.alt);

  let hgvsPText = "";
  let cdsPos = "";
  let aaPos = "";
  if (l.coding) {
    if (utr5) terms.push(SO.utr5);
    if (utr3) terms.push(SO.utr3);
    if (cdsHit) {
      const ctx = seq !== null ? cdsContextOf(seq, l, t.codonTable) : null;
      const inside = fullyExonic && cs >= l.cdsStart && ce <= l.cdsEnd;
      if (inside) {
        cdsPos = `${(insertion ? ce : cs) - l.cdsStart + 1}/${l.cdsLength}`;
        if (ctx !== null) {
          const x = cs - l.cdsStart + l.framePad;
          const y = ce - l.cdsStart + l.framePad;
          const r = codingChange(ctx, l, x, y, altTx, terms);
          hgvsPText = r.hgvsP;
          if (r.aaIndex >= 0) aaPos = `${r.aaIndex + 1}/${l.aaLength}`;
        } else {
          terms.push(SO.codingSequence);
        }
      } else if (fullyExonic) {
        codingBoundaryChange(ctx, l, cdna, cs, ce, altTx, terms);
      } else {
        terms.push(SO.codingSequence);
      }
    }
    if (t.biotype === "nonsense_mediated_decay") terms.push(SO.nmd);
    if (terms.length === 0) terms.push(SO.codingTranscript);
  } else {
    terms.push(exonic ? SO.nonCodingExon : SO.nonCoding);
    if (t.biotype === "nonsense_mediated_decay") terms.push(SO.nmd);
  }

  let rank = "";
  if (exonic) {
    rank = rankText(exonRank(l, exFirst), exonRank(l, exLast), l.exonCount);
  } else if (hit.first >= 0) {
    rank = rankText(intronRank(l, hit.first), intronRank(l, hit.last), l.exonCount - 1);
  } else {
    // An insertion between an exon and an intron: rank of the region on its 5′ side.
    const g5 = plus ? e : s;
    const i = exonIndexAtOrBefore(l, g5);
    if (i >= 0 && g5 <= l.gEnd[i]!) rank = `${exonRank(l, i)}/${l.exonCount}`;
    else if (i >= 0 && i < l.exonCount - 1) rank = `${intronRank(l, i)}/${l.exonCount - 1}`;
  }

  const c = hgvsC(allele, l, cdna, genome);
  const messages = baseMessages(l);
  if (c.realigned) messages.push("INFO_REALIGN_3_PRIME");
  const cdnaPos = exonic ? `${cdnaFirst}/${l.cdnaLength}` : "";
  return build(allele, t, l, terms, rank, c.text, hgvsPText, cdnaPos, cdsPos, aaPos, "", messages);
}

function build(
  allele: Allele,
  t: Transcript,
  l: TranscriptLayout,
  terms: number[],
  rank: string,
  hgvsCText: string,
  hgvsPText: string,
  cdnaPos: string,
  cdsPos: string,
  aaPos: string,
  distance: string,
  messages: string[],
): Annotation {
  const { consequences, impact } = finishTerms(terms);
  return {
    allele: allele.vcfAlt,
    consequences,
    impact,
    geneName: t.geneName,
    geneId: t.geneId,
    featureType: "transcript",
    featureId: l.featureId,
    biotype: t.biotype,
    rank,
    hgvsC: hgvsCText,
    hgvsP: hgvsPText,
    cdnaPos,
    cdsPos,
    aaPos,
    distance,
    messages,
  };
}
