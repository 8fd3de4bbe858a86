/**
 * Test fixture builder: a transcript, its sequence and a genome, built from sequences written in
 * TRANSCRIPT orientation, on either strand. Tests describe variants in transcript orientation too
 * (index into the written sequence, ref and alt as read on the transcript), so one expectation
 * serves both strands: on the minus strand the builder reverse-complements the genome and the
 * alleles, exactly as a minus-strand gene sits in a real reference.
 */
import type {
  Allele,
  Annotation,
  CodonTableId,
  GenomeWindow,
  Strand,
  Transcript,
  TranscriptSequence,
} from "../../../src/modules/annotator/model.ts";
import { reverseComplement } from "../../../src/modules/annotator/hgvs/nucleotides.ts";
import { annotateTranscript } from "../../../src/modules/annotator/consequence/annotate-transcript.ts";

export interface FixtureSpec {
  /** Sequence 5′ of the transcript (transcript orientation). */
  upstream: string;
  exons: string[];
  /** exons.length - 1 introns, transcript orientation. */
  introns: string[];
  /** Sequence 3′ of the transcript. */
  downstream: string;
  /** CDS in cDNA positions (1-based, inclusive, stop codon included when present); absent = non-coding. */
  cds?: { start: number; end: number; startPhase?: number; startIncomplete?: boolean; endIncomplete?: boolean };
  biotype?: string;
  codonTable?: CodonTableId;
  /** Genomic position of the first written base (default 1001). */
  offset?: number;
}

export interface Fixture {
  transcript: Transcript;
  seq: TranscriptSequence | null;
  genome: GenomeWindow;
  strand: Strand;
  /** Genomic position of written index k (1-based into upstream + exon1 + intron1 + … + downstream). */
  g(k: number): number;
  /** Written index of cDNA position c. */
  cdna(c: number): number;
  /** Written index of intron n (1-based, transcript order), base m counted from its 5′ end (1-based). */
  intron(n: number, m: number): number;
  /**
   * Allele replacing `ref` at written index k by `alt` (both transcript orientation). An insertion
   * (`ref` = "") goes before index k. Throws when `ref` does not match the written sequence.
   */
  allele(k: number, ref: string, alt: string): Allele;
  annotate(a: Allele, upDownDistance?: number): Annotation | null;
}

/** Builds a fixture on strand `strand` from transcript-orientation sequences. */
export function buildFixture(spec: FixtureSpec, strand: Strand): Fixture {
  const offset = spec.offset ?? 1001;
  const parts: string[] = [spec.upstream];
  const exonIdx: [number, number][] = []; // written index ranges of exons
  const intronIdx: number[] = [];
  let k = spec.upstream.length + 1;
  spec.exons.forEach((ex, i) => {
    exonIdx.push([k, k + ex.length - 1]);
    parts.push(ex);
    k += ex.length;
    if (i < spec.introns.length) {
      intronIdx.push(k);
      parts.push(spec.introns[i]!);
      k += spec.introns[i]!.length;
    }
  });
  parts.push(spec.downstream);
  const written = parts.join("");
  const total = written.length;
  const forward = strand === 1 ? written : reverseComplement(written);
  const g = (i: number) => (strand === 1 ? offset + i - 1 : offset + total - i);
  const base = (pos: number) => {
    const i = pos - offset;
    return i >= 0 && i < total ? forward[i]! : "N";
  };
  const genome: GenomeWindow = {
    contig: "T",
    slice(start, end) {
      let out = "";
      for (let p = start; p <= end; p++) out += base(p);
      return out;
    },
  };

  const exons = exonIdx.map(([a, b]) => (strand === 1 ? { start: g(a), end: g(b) } : { start: g(b), end: g(a) }));
  exons.sort((x, y) => x.start - y.start);
  const cdnaToWritten: number[] = [0];
  for (const [a, b] of exonIdx) for (let i = a; i <= b; i++) cdnaToWritten.push(i);
  const cds = spec.cds;
  let coding: Transcript["coding"] = null;
  if (cds) {
    const a = g(cdnaToWritten[cds.start]!);
    const b = g(cdnaToWritten[cds.end]!);
    coding = {
      start: Math.min(a, b),
      end: Math.max(a, b),
      startIncomplete: cds.startIncomplete ?? false,
      endIncomplete: cds.endIncomplete ?? false,
      startPhase: cds.startPhase ?? 0,
    };
  }
  const transcript: Transcript = {
    id: "ENSTTEST",
    version: 1,
    geneId: "ENSGTEST",
    geneName: "TESTG",
    biotype: spec.biotype ?? (cds ? "protein_coding" : "lincRNA"),
    contig: "T",
    strand,
    start: exons[0]!.start,
    end: exons[exons.length - 1]!.end,
    exons,
    coding,
    codonTable: spec.codonTable ?? 1,
    tags: [],
  };
  const cdnaSeq = spec.exons.join("");
  const seq: TranscriptSequence | null = cds ? { cdna: cdnaSeq, cdsStart: cds.start - 1, cdsEnd: cds.end } : null;

  const fixture: Fixture = {
    transcript,
    seq,
    genome,
    strand,
    g,
    cdna(c) {
      const i = cdnaToWritten[c];
      if (i === undefined || c < 1) throw new Error(`cDNA position ${c} outside the transcript`);
      return i;
    },
    intron(n, m) {
      const start = intronIdx[n - 1];
      if (start === undefined) throw new Error(`no intron ${n}`);
      return start + m - 1;
    },
    allele(at, ref, alt) {
      const have = written.slice(at - 1, at - 1 + ref.length);
      if (have !== ref) throw new Error(`fixture: written sequence at ${at} is ${have}, not ${ref}`);
      let start: number;
      let end: number;
      if (ref.length === 0) {
        // Insertion before written index `at`.
        start = strand === 1 ? g(at) : g(at - 1);
        end = start - 1;
      } else {
        start = strand === 1 ? g(at) : g(at + ref.length - 1);
        end = start + ref.length - 1;
      }
      const gRef = strand === 1 ? ref : reverseComplement(ref);
      const gAlt = strand === 1 ? alt : reverseComplement(alt);
      const anchor = base(ref.length === 0 ? end : start - 1);
      const vcfAlt = gRef.length === 1 && gAlt.length === 1 ? gAlt : anchor + gAlt;
      return { contig: "T", start, end, ref: gRef, alt: gAlt, vcfAlt };
    },
    annotate(a, upDownDistance) {
      return annotateTranscript(a, transcript, seq, genome, upDownDistance);
    },
  };
  return fixture;
}

/**
 * The standard coding transcript of the tests (transcript orientation), three exons:
 * 5′UTR cDNA 1–10, CDS cDNA 11–61 (c.1–51: M A K G R W Q E K K D L S H F W *), 3′UTR cDNA 62–85.
 * Exon 1 = cDNA 1–30 (c.-10..c.20), intron 1 = 40 bp, exon 2 = cDNA 31–54 (c.21..c.44),
 * intron 2 = 30 bp, exon 3 = cDNA 55–85 (c.45..c.*24). The 3′UTR reads GCT CAG TAG in frame.
 */
export const CODING_SPEC: FixtureSpec = {
  upstream: "TTGACCGTAGCATCGGATCCATGCAAGTCGACTTAGGCTACGATCGTTGCAACGTTACGC",
  exons: ["GCCACCTGCA" + "ATGGCTAAAGGCCGTTGGCA", "G" + "GAAAAGAAGGACCTGTCCCAT" + "TT", "C" + "TGG" + "TAA" + "GCTCAGTAGCATGCAACTGGATCC"],
  introns: ["GTAAGTACGATCCTGACATGCATTGACTTTCCTTCTCCAG", "GTGAGTCCATGACCTAACTTTCTTTTGCAG"],
  downstream: "CATTGACGGTACCTAGGATCCGTTAACGCATGCTAGCATCGATGACGTCAGCTTGAACCG",
  cds: { start: 11, end: 61 },
};
