/**
 * Other transcript kinds on both strands: non-coding, NMD, mitochondrial code, incomplete CDS
 * (cds_start_NF with GFF phase 1 and 2, cds_end_NF with a partial last codon), a 5′UTR intron
 * (c.-N+M), missing sequence, N bases and a broken CDS model, plus the intergenic entry.
 */
import { describe, expect, test } from "bun:test";
import type { Strand } from "../model.ts";
import { annotateTranscript } from "./annotate-transcript.ts";
import { intergenicAnnotation } from "./intergenic.ts";
import { buildFixture, CODING_SPEC, type FixtureSpec } from "../../../../test/support/engine/transcript-fixtures.ts";

const c = (fx: ReturnType<typeof buildFixture>, n: number) => fx.cdna(n + 10); // CODING_SPEC: c.n = cDNA n+10

// 31 bp CDS with no UTRs: CTGGCTAAAGGC | intron 1 of CODING_SPEC | CGTTGGCAGGAAAAGAAGG
const incomplete = (startPhase: number): FixtureSpec => ({
  ...CODING_SPEC,
  exons: ["CTGGCTAAAGGC", "CGTTGGCAGGAAAAGAAGG"],
  introns: [CODING_SPEC.introns[0]!],
  cds: { start: 1, end: 31, startIncomplete: true, endIncomplete: true, startPhase },
});

/** A 5′UTR intron: exon 1 is cDNA 1–20 (c.-25..c.-6), exon 2 holds c.-5..-1, ATG GCT AAA TAG and GCTCA. */
const UTR_INTRON_SPEC: FixtureSpec = {
  ...CODING_SPEC,
  exons: ["GCCACCTGCATTGACCGATC", "AGCAG" + "ATGGCTAAATAG" + "GCTCA"],
  introns: [CODING_SPEC.introns[1]!],
  cds: { start: 26, end: 37 },
};

/** 13 bp: the longest intron VEP treats as a frameshift intron. */
const FS_INTRON = "GTAAGCTTTCCAG";

describe.each([1, -1] as Strand[])("strand %d", (strand) => {
  test("non-coding exon: n. numbering, non_coding_transcript_exon_variant", () => {
    const fx = buildFixture({ ...CODING_SPEC, cds: undefined }, strand);
    const a = fx.annotate(fx.allele(fx.cdna(14), "G", "A"))!;
    expect([a.consequences, a.impact, a.hgvsC, a.hgvsP, a.cdnaPos, a.cdsPos, a.rank, a.biotype]).toEqual([
      ["non_coding_transcript_exon_variant"],
      "MODIFIER",
      "n.14G>A",
      "",
      "14/85",
      "",
      "1/3",
      "lincRNA",
    ]);
  });

  test("non-coding intron: intron_variant + non_coding_transcript_variant, n.30+15", () => {
    const fx = buildFixture({ ...CODING_SPEC, cds: undefined }, strand);
    const a = fx.annotate(fx.allele(fx.intron(1, 15), "G", "A"))!;
    expect([a.consequences, a.hgvsC]).toEqual([["intron_variant", "non_coding_transcript_variant"], "n.30+15G>A"]);
  });

  test("non-coding exon edge: splice region + non-coding exon; flanks are n.-10 / n.*7", () => {
    const fx = buildFixture({ ...CODING_SPEC, cds: undefined }, strand);
    expect(fx.annotate(fx.allele(fx.cdna(30), "A", "T"))!.consequences).toEqual([
      "splice_region_variant",
      "non_coding_transcript_exon_variant",
    ]);
    const up = fx.annotate(fx.allele(51, "A", "G"))!;
    expect([up.consequences, up.hgvsC, up.distance]).toEqual([["upstream_gene_variant"], "n.-10A>G", "10"]);
    const down = fx.annotate(fx.allele(222, "C", "T"))!;
    expect([down.consequences, down.hgvsC, down.distance]).toEqual([["downstream_gene_variant"], "n.*7C>T", "7"]);
  });

  test("NMD transcript: NMD_transcript_variant added inside the transcript, not to flanks", () => {
    const fx = buildFixture({ ...CODING_SPEC, biotype: "nonsense_mediated_decay" }, strand);
    expect(fx.annotate(fx.allele(c(fx, 4), "G", "A"))!.consequences).toEqual(["missense_variant", "NMD_transcript_variant"]);
    expect(fx.annotate(fx.allele(fx.intron(1, 15), "G", "A"))!.consequences).toEqual(["intron_variant", "NMD_transcript_variant"]);
    expect(fx.annotate(fx.allele(51, "A", "G"))!.consequences).toEqual(["upstream_gene_variant"]);
  });

  test("mitochondrial code: TGA is Trp (c.48G>A synonymous), AGA is a stop (c.13_15delinsAGA)", () => {
    const std = buildFixture(CODING_SPEC, strand);
    const mt = buildFixture({ ...CODING_SPEC, codonTable: 2 }, strand);
    const trp = mt.annotate(mt.allele(c(mt, 48), "G", "A"))!;
    expect([trp.consequences, trp.hgvsP]).toEqual([["synonymous_variant"], "p.Trp16="]);
    // CGT (Arg5) → AGA: Arg in the standard code, a stop in table 2.
    const s = std.annotate(std.allele(c(std, 13), "CGT", "AGA"))!;
    expect([s.consequences, s.hgvsC, s.hgvsP]).toEqual([["synonymous_variant"], "c.13_15delinsAGA", "p.Arg5="]);
    const m = mt.annotate(mt.allele(c(mt, 13), "CGT", "AGA"))!;
    expect([m.consequences, m.impact, m.hgvsP]).toEqual([["stop_gained"], "HIGH", "p.Arg5Ter"]);
  });

  test("cds_start_NF, phase 1: padded NNC is residue 1 (unknown), TGG at c.2–4 is residue 2", () => {
    const fx = buildFixture(incomplete(1), strand);
    const first = fx.annotate(fx.allele(fx.cdna(1), "C", "T"))!;
    expect([first.consequences, first.hgvsC, first.hgvsP, first.aaPos, first.cdsPos, first.messages]).toEqual([
      ["coding_sequence_variant"],
      "c.1C>T",
      "",
      "1/11",
      "1/31",
      ["WARNING_TRANSCRIPT_NO_START_CODON", "WARNING_TRANSCRIPT_NO_STOP_CODON"],
    ]);
    const trp = fx.annotate(fx.allele(fx.cdna(4), "G", "A"))!;
    expect([trp.consequences, trp.hgvsP, trp.aaPos]).toEqual([["stop_gained"], "p.Trp2Ter", "2/11"]);
  });

  test("cds_start_NF, phase 2: N+CT is residue 1, GGC (c.3–5) residue 2; the 32-base padded CDS ends in a partial codon", () => {
    const fx = buildFixture(incomplete(2), strand);
    const gly = fx.annotate(fx.allele(fx.cdna(5), "C", "A"))!;
    expect([gly.consequences, gly.hgvsP]).toEqual([["synonymous_variant"], "p.Gly2="]);
    const last = fx.annotate(fx.allele(fx.cdna(31), "G", "A"))!;
    expect([last.consequences, last.impact, last.hgvsP]).toEqual([
      ["incomplete_terminal_codon_variant", "coding_sequence_variant"],
      "LOW",
      "",
    ]);
  });

  test("cds_end_NF, phase 0: the lone last base is a partial codon; no start_lost without a start codon", () => {
    const fx = buildFixture(incomplete(0), strand);
    expect(fx.annotate(fx.allele(fx.cdna(31), "G", "C"))!.consequences).toEqual([
      "incomplete_terminal_codon_variant",
      "coding_sequence_variant",
    ]);
    // CTG → CCG at the first codon: missense, never start_lost on a cds_start_NF model.
    expect(fx.annotate(fx.allele(fx.cdna(2), "T", "C"))!.consequences).toEqual(["missense_variant"]);
    // Indels at either end do not throw either.
    expect(() => fx.annotate(fx.allele(fx.cdna(30), "GG", ""))).not.toThrow();
    expect(() => fx.annotate(fx.allele(fx.cdna(1), "", "A"))).not.toThrow();
  });

  test("5′UTR intron: c.-6+3 (exon 1 ends 6 bases before the ATG) and c.-5-15 on the acceptor side", () => {
    const fx = buildFixture(UTR_INTRON_SPEC, strand);
    const a = fx.annotate(fx.allele(fx.intron(1, 3), "G", "A"))!;
    expect([a.consequences, a.hgvsC, a.rank]).toEqual([["splice_donor_region_variant", "intron_variant"], "c.-6+3G>A", "1/1"]);
    // base 16 of 30: 16 from the donor, 15 from the acceptor → acceptor side.
    expect(fx.annotate(fx.allele(fx.intron(1, 16), "A", "G"))!.hgvsC).toBe("c.-5-15A>G");
  });

  // Issue 15 §2.2: an insertion at an exon/intron junction is exonic too (VEP's variation_effect.t),
  // so it gets the UTR or non-coding exon term beside splice_region_variant.
  test("junction insertions in a 5′UTR intron (c.-6|c.-6+1 and c.-5-1|c.-5) and in a non-coding transcript", () => {
    const utr = buildFixture(UTR_INTRON_SPEC, strand);
    const a = utr.annotate(utr.allele(utr.intron(1, 1), "", "T"))!;
    expect([a.consequences, a.impact, a.hgvsC, a.rank, a.cdnaPos]).toEqual([
      ["splice_region_variant", "5_prime_UTR_variant"],
      "LOW",
      "c.-6_-6+1insT",
      "1/2",
      "20/42",
    ]);
    const b = utr.annotate(utr.allele(utr.cdna(21), "", "T"))!;
    expect([b.consequences, b.hgvsC, b.rank]).toEqual([["splice_region_variant", "5_prime_UTR_variant"], "c.-5-1_-5insT", "2/2"]);
    const nc = buildFixture({ ...CODING_SPEC, cds: undefined }, strand);
    const n = nc.annotate(nc.allele(nc.intron(2, 1), "", "C"))!;
    expect([n.consequences, n.hgvsC, n.rank]).toEqual([
      ["splice_region_variant", "non_coding_transcript_exon_variant"],
      "n.54_54+1insC",
      "2/3",
    ]);
  });

  // Issue 15 §2.5: VEP flags introns with abs(intron_end - intron_start) <= 12 (up to 13 bp) as
  // frameshift introns (BaseTranscriptVariation::_create_intron_trees); an allele in one gets no
  // intron or splice term (_intron_effects: within_frameshift_intron, next) and is within the CDS
  // or cDNA (VariationEffect.pm within_cds / within_cdna): coding_sequence_variant in a CDS.
  test("a 13-bp frameshift intron in the CDS: coding_sequence_variant, no splice or intron term", () => {
    const fx = buildFixture({ ...CODING_SPEC, introns: [FS_INTRON, CODING_SPEC.introns[1]!] }, strand);
    const donor = fx.annotate(fx.allele(fx.intron(1, 1), "G", "A"))!;
    expect([donor.consequences, donor.impact, donor.hgvsC, donor.rank]).toEqual([
      ["coding_sequence_variant"],
      "MODIFIER",
      "c.20+1G>A",
      "1/2",
    ]);
    expect(fx.annotate(fx.allele(fx.intron(1, 7), "T", "C"))!.consequences).toEqual(["coding_sequence_variant"]);
    expect(fx.annotate(fx.allele(fx.intron(1, 12), "A", "G"))!.consequences).toEqual(["coding_sequence_variant"]);
    expect(fx.annotate(fx.allele(fx.intron(1, 6), "", "A"))!.consequences).toEqual(["coding_sequence_variant"]);
    // Exon bases beside it keep splice_region_variant: VEP skips only the alleles overlapping the intron.
    expect(fx.annotate(fx.allele(c(fx, 20), "A", "T"))!.consequences).toEqual(["missense_variant", "splice_region_variant"]);
    // One base longer (14 bp): a real intron again (+1 is also -14, in the polypyrimidine tract).
    const real = buildFixture(
      { ...CODING_SPEC, introns: [`${FS_INTRON.slice(0, 6)}T${FS_INTRON.slice(6)}`, CODING_SPEC.introns[1]!] },
      strand,
    );
    expect(real.annotate(real.allele(real.intron(1, 1), "G", "A"))!.consequences).toEqual([
      "splice_donor_variant",
      "splice_polypyrimidine_tract_variant",
    ]);
  });

  test("a frameshift intron in the 5′UTR is 5_prime_UTR_variant; in a non-coding transcript non_coding_transcript_variant", () => {
    const utr = buildFixture({ ...UTR_INTRON_SPEC, introns: [FS_INTRON] }, strand);
    expect(utr.annotate(utr.allele(utr.intron(1, 2), "T", "C"))!.consequences).toEqual(["5_prime_UTR_variant"]);
    const nc = buildFixture({ ...CODING_SPEC, cds: undefined, introns: [CODING_SPEC.introns[0]!, FS_INTRON] }, strand);
    expect(nc.annotate(nc.allele(nc.intron(2, 13), "G", "A"))!.consequences).toEqual(["non_coding_transcript_variant"]);
  });

  test("coding transcript without sequence: coding_sequence_variant, c. still written", () => {
    const fx = buildFixture(CODING_SPEC, strand);
    const a = annotateTranscript(fx.allele(c(fx, 4), "G", "A"), fx.transcript, null, fx.genome)!;
    expect([a.consequences, a.hgvsC, a.hgvsP]).toEqual([["coding_sequence_variant"], "c.4G>A", ""]);
  });

  test("N bases: an N in the ALT or in the reference codon gives residue X → coding_sequence_variant", () => {
    const fx = buildFixture(CODING_SPEC, strand);
    expect(fx.annotate(fx.allele(c(fx, 4), "G", "N"))!.consequences).toEqual(["coding_sequence_variant"]);
    const withN = buildFixture({ ...CODING_SPEC, exons: ["GCCACCTGCA" + "ATGGNTAAAGGCCGTTGGCA", ...CODING_SPEC.exons.slice(1)] }, strand);
    const a = withN.annotate(withN.allele(c(withN, 6), "T", "C"))!;
    expect([a.consequences, a.hgvsP]).toEqual([["coding_sequence_variant"], ""]);
  });

  test("a CDS that does not map onto the exons is handled as non-coding, not crashed on", () => {
    const fx = buildFixture(CODING_SPEC, strand);
    const t = { ...fx.transcript, coding: { ...fx.transcript.coding!, start: fx.transcript.start - 50 } };
    const a = annotateTranscript(fx.allele(c(fx, 4), "G", "A"), t, fx.seq, fx.genome)!;
    expect(a.consequences).toEqual(["non_coding_transcript_exon_variant"]);
  });
});

test("intergenic entry", () => {
  const a = intergenicAnnotation({ contig: "21", start: 100, end: 100, ref: "C", alt: "T", vcfAlt: "T" });
  expect([a.allele, a.consequences, a.impact, a.featureType, a.featureId, a.hgvsC]).toEqual([
    "T",
    ["intergenic_variant"],
    "MODIFIER",
    "intergenic_region",
    "",
    "",
  ]);
});
