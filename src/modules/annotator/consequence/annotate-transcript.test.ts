/**
 * Consequence classes and HGVS on the hand-built transcript of CODING_SPEC, on both strands.
 * Every variant is written in transcript orientation; the fixture mirrors it onto the minus
 * strand, so each expectation holds for both.
 *
 * CDS (c.1–51): ATG GCT AAA GGC CGT TGG CA|G GAA AAG AAG GAC CTG TCC CAT TT|C TGG TAA
 *               M1  A2  K3  G4  R5  W6  Q7   E8  K9  K10 D11 L12 S13 H14 F15  W16 *17
 * cDNA = c. + 10 inside the CDS; exon 1 ends at c.20 (cDNA 30), exon 2 is c.21–44, exon 3 starts
 * at c.45 (cDNA 55); 3′UTR c.*1.. = GCT CAG TAG CAT GCA ACT GGA TCC.
 * Intron 1 (40 bp): GTAAGTACGATCCTGACATGCATTGACTTTCCTTCTCCAG.
 */
import { describe, expect, test } from "bun:test";
import type { Annotation, Strand } from "../model.ts";
import { buildFixture, CODING_SPEC, type Fixture } from "../../../../test/support/engine/transcript-fixtures.ts";

type Picked = Partial<
  Pick<Annotation, "consequences" | "impact" | "hgvsC" | "hgvsP" | "cdnaPos" | "cdsPos" | "aaPos" | "rank" | "distance" | "messages">
>;

function pick(a: Annotation | null, keys: (keyof Picked)[]): Picked {
  if (a === null) throw new Error("no annotation");
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = a[k];
  return out as Picked;
}

/** CODING_SPEC as written: upstream, exon 1, intron 1, …, downstream (index k = WRITTEN[k - 1]). */
const WRITTEN = [
  CODING_SPEC.upstream,
  CODING_SPEC.exons[0],
  CODING_SPEC.introns[0],
  CODING_SPEC.exons[1],
  CODING_SPEC.introns[1],
  CODING_SPEC.exons[2],
  CODING_SPEC.downstream,
].join("");

describe.each([1, -1] as Strand[])("coding transcript, strand %d", (strand) => {
  const fx: Fixture = buildFixture(CODING_SPEC, strand);
  const c = (n: number) => fx.cdna(n + 10); // written index of c.n (n ≥ 1)
  const utr3 = (n: number) => fx.cdna(61 + n); // c.*n
  const utr5 = (n: number) => fx.cdna(11 - n); // c.-n
  const at = (k: number, ref: string, alt: string) => fx.annotate(fx.allele(k, ref, alt));
  const ALL: (keyof Picked)[] = ["consequences", "impact", "hgvsC", "hgvsP", "cdnaPos", "cdsPos", "aaPos", "rank", "distance"];

  test("missense: c.4G>A turns GCT (Ala2) into ACT (Thr)", () => {
    expect(pick(at(c(4), "G", "A"), ALL)).toEqual({
      consequences: ["missense_variant"],
      impact: "MODERATE",
      hgvsC: "c.4G>A",
      hgvsP: "p.Ala2Thr",
      cdnaPos: "14/85",
      cdsPos: "4/51",
      aaPos: "2/16",
      rank: "1/3",
      distance: "",
    });
  });

  test("Feature_ID carries the version, gene fields come from the transcript", () => {
    const a = at(c(4), "G", "A")!;
    expect([a.featureId, a.geneName, a.geneId, a.biotype, a.featureType]).toEqual([
      "ENSTTEST",
      "TESTG",
      "ENSGTEST",
      "protein_coding",
      "transcript",
    ]);
  });

  test("synonymous: c.6T>C, GCT→GCC is still Ala2 (p.= style)", () => {
    expect(pick(at(c(6), "T", "C"), ["consequences", "impact", "hgvsP"])).toEqual({
      consequences: ["synonymous_variant"],
      impact: "LOW",
      hgvsP: "p.Ala2=",
    });
  });

  test("stop gained: c.48G>A, TGG (Trp16) → TGA", () => {
    expect(pick(at(c(48), "G", "A"), ["consequences", "impact", "hgvsC", "hgvsP", "rank", "cdnaPos"])).toEqual({
      consequences: ["stop_gained"],
      impact: "HIGH",
      hgvsC: "c.48G>A",
      hgvsP: "p.Trp16Ter",
      rank: "3/3",
      cdnaPos: "58/85",
    });
  });

  test("stop gained in the last 3 exon bases also gets splice_region_variant (c.18 = cDNA 28, exon 1 ends at 30)", () => {
    expect(pick(at(c(18), "G", "A"), ["consequences", "hgvsP"])).toEqual({
      consequences: ["stop_gained", "splice_region_variant"],
      hgvsP: "p.Trp6Ter",
    });
  });

  test("missense at the exon's last base: c.20A>T, CAG (Gln7) → CTG (Leu), splice region", () => {
    expect(pick(at(c(20), "A", "T"), ["consequences", "hgvsC", "hgvsP"])).toEqual({
      consequences: ["missense_variant", "splice_region_variant"],
      hgvsC: "c.20A>T",
      hgvsP: "p.Gln7Leu",
    });
  });

  test("start lost: c.2T>C, ATG → ACG", () => {
    expect(pick(at(c(2), "T", "C"), ["consequences", "impact", "hgvsP"])).toEqual({
      consequences: ["start_lost"],
      impact: "HIGH",
      hgvsP: "p.Met1?",
    });
  });

  test("stop lost: c.49T>C, TAA → CAA (Gln); the UTR reads GCT CAG TAG, so the new stop is the 3rd residue after the Gln", () => {
    expect(pick(at(c(49), "T", "C"), ["consequences", "impact", "hgvsC", "hgvsP", "aaPos"])).toEqual({
      consequences: ["stop_lost"],
      impact: "HIGH",
      hgvsC: "c.49T>C",
      hgvsP: "p.Ter17GlnextTer3",
      aaPos: "17/16",
    });
  });

  test("stop retained: c.51A>G, TAA → TAG", () => {
    expect(pick(at(c(51), "A", "G"), ["consequences", "impact", "hgvsP"])).toEqual({
      consequences: ["stop_retained_variant"],
      impact: "LOW",
      hgvsP: "p.Ter17=",
    });
  });

  test("frameshift: c.32del removes the A of GAC (Asp11); c.33 is C so no 3′ shift", () => {
    expect(pick(at(c(32), "A", ""), ["consequences", "impact", "hgvsC", "hgvsP", "messages"] as (keyof Picked)[])).toEqual({
      consequences: ["frameshift_variant"],
      impact: "HIGH",
      hgvsC: "c.32del",
      hgvsP: "p.Asp11fs",
      messages: [],
    });
  });

  // c.23 is the 3rd base of exon 2 (c.21–23 = cDNA 31–33), so the unshifted allele is in the splice region.
  test("frameshift in a run: deleting c.23 (first A of c.23–26 AAAA) is written c.26del; GAA AGA… makes Lys9 the first changed residue", () => {
    expect(pick(at(c(23), "A", ""), ["consequences", "hgvsC", "hgvsP", "messages"] as (keyof Picked)[])).toEqual({
      consequences: ["frameshift_variant", "splice_region_variant"],
      hgvsC: "c.26del",
      hgvsP: "p.Lys9fs",
      messages: ["INFO_REALIGN_3_PRIME"],
    });
  });

  test("inframe deletion: AAG at c.25–27 (Lys9) shifts to c.28_30del; protein-level 3′ rule gives Lys10del", () => {
    expect(pick(at(c(25), "AAG", ""), ["consequences", "impact", "hgvsC", "hgvsP", "messages"] as (keyof Picked)[])).toEqual({
      consequences: ["inframe_deletion"],
      impact: "MODERATE",
      hgvsC: "c.28_30del",
      hgvsP: "p.Lys10del",
      messages: ["INFO_REALIGN_3_PRIME"],
    });
  });

  test("inframe insertion: CGT between c.33 and c.34 (Asp11|Leu12) shifts one base (c.34 is C) to c.34_35insGTC", () => {
    expect(pick(at(c(34), "", "CGT"), ["consequences", "hgvsC", "hgvsP", "aaPos"])).toEqual({
      consequences: ["inframe_insertion"],
      hgvsC: "c.34_35insGTC",
      hgvsP: "p.Asp11_Leu12insArg",
      aaPos: "11/16",
    });
  });

  test("duplication: AAG inserted after c.30 repeats c.28–30", () => {
    expect(pick(at(c(31), "", "AAG"), ["consequences", "hgvsC", "hgvsP", "messages"] as (keyof Picked)[])).toEqual({
      consequences: ["inframe_insertion"],
      hgvsC: "c.28_30dup",
      hgvsP: "p.Lys10dup",
      messages: [],
    });
  });

  test("3′-shifted duplication: AAG inserted before c.25 moves 6 bases through AAGAAG to c.28_30dup", () => {
    expect(pick(at(c(25), "", "AAG"), ["consequences", "hgvsC", "hgvsP", "messages"] as (keyof Picked)[])).toEqual({
      consequences: ["inframe_insertion"],
      hgvsC: "c.28_30dup",
      hgvsP: "p.Lys10dup",
      messages: ["INFO_REALIGN_3_PRIME"],
    });
  });

  // Inserted between c.22 and c.23, still among exon 2's first three bases: splice region.
  test("single-base dup: an A inserted in c.23–26 AAAA is c.26dup; GAA AAA GAA: Lys10 is the first changed residue", () => {
    expect(pick(at(c(23), "", "A"), ["consequences", "hgvsC", "hgvsP"])).toEqual({
      consequences: ["frameshift_variant", "splice_region_variant"],
      hgvsC: "c.26dup",
      hgvsP: "p.Lys10fs",
    });
  });

  test("delins of two bases: c.4_5delinsTT, GCT → TTT (Phe)", () => {
    expect(pick(at(c(4), "GC", "TT"), ["consequences", "hgvsC", "hgvsP"])).toEqual({
      consequences: ["missense_variant"],
      hgvsC: "c.4_5delinsTT",
      hgvsP: "p.Ala2Phe",
    });
  });

  test("protein altering: CG of CGT (Arg5) → TTACC gives TTA CCT (Leu Pro), in frame but neither insertion nor deletion", () => {
    expect(pick(at(c(13), "CG", "TTACC"), ["consequences", "impact", "hgvsC", "hgvsP", "cdsPos", "aaPos"])).toEqual({
      consequences: ["protein_altering_variant"],
      impact: "MODERATE",
      hgvsC: "c.13_14delinsTTACC",
      hgvsP: "p.Arg5delinsLeuPro",
      cdsPos: "13/51",
      aaPos: "5/16",
    });
  });

  test("inframe insertion of TAA between Gly4 and Arg5 is stop_gained too", () => {
    expect(pick(at(c(13), "", "TAA"), ["consequences", "impact", "hgvsC", "hgvsP"])).toEqual({
      consequences: ["stop_gained", "inframe_insertion"],
      impact: "HIGH",
      hgvsC: "c.12_13insTAA",
      hgvsP: "p.Gly4_Arg5insTer",
    });
  });

  test("5′ UTR: cDNA 6 is c.-5", () => {
    expect(pick(at(utr5(5), "C", "T"), ALL)).toEqual({
      consequences: ["5_prime_UTR_variant"],
      impact: "MODIFIER",
      hgvsC: "c.-5C>T",
      hgvsP: "",
      cdnaPos: "6/85",
      cdsPos: "",
      aaPos: "",
      rank: "1/3",
      distance: "",
    });
  });

  test("3′ UTR: c.*5A>G, c.*12del, and an A deleted from *15–16 AA is c.*16del", () => {
    expect(pick(at(utr3(5), "A", "G"), ["consequences", "hgvsC", "cdnaPos"])).toEqual({
      consequences: ["3_prime_UTR_variant"],
      hgvsC: "c.*5A>G",
      cdnaPos: "66/85",
    });
    expect(at(utr3(12), "T", "")!.hgvsC).toBe("c.*12del");
    expect(at(utr3(15), "A", "")!.hgvsC).toBe("c.*16del");
  });

  test("intron: +15 of the 40 bp intron 1 is c.20+15 (nearer the donor), rank is the intron's", () => {
    expect(pick(at(fx.intron(1, 15), "G", "A"), ["consequences", "impact", "hgvsC", "rank", "cdnaPos"])).toEqual({
      consequences: ["intron_variant"],
      impact: "MODIFIER",
      hgvsC: "c.20+15G>A",
      rank: "1/2",
      cdnaPos: "",
    });
  });

  test("intron: every base of intron 1 (deep bases 18–23 take the short path) has the intron's rank and position", () => {
    const intron = CODING_SPEC.introns[0]!;
    for (let m = 1; m <= intron.length; m++) {
      const ref = intron[m - 1]!;
      const alt = ref === "A" ? "C" : "A";
      const a = at(fx.intron(1, m), ref, alt)!;
      const pos = m <= intron.length / 2 ? `20+${m}` : `21-${intron.length + 1 - m}`;
      expect([a.hgvsC, a.rank, a.cdnaPos, a.distance, a.messages]).toEqual([`c.${pos}${ref}>${alt}`, "1/2", "", "", []]);
      expect(a.consequences.includes("intron_variant")).toBe(m >= 3 && m <= intron.length - 2);
      if (m >= 18 && m <= intron.length - 17) expect([a.consequences, a.impact]).toEqual([["intron_variant"], "MODIFIER"]);
    }
  });

  test("intron: base 29 of 40 is 12 from the acceptor, c.21-12, polypyrimidine tract", () => {
    expect(pick(at(fx.intron(1, 29), "T", "C"), ["consequences", "hgvsC"])).toEqual({
      consequences: ["splice_polypyrimidine_tract_variant", "intron_variant"],
      hgvsC: "c.21-12T>C",
    });
  });

  test("splice donor +1 and +2 (not intron_variant: VEP leaves the essential bases out)", () => {
    expect(pick(at(fx.intron(1, 1), "G", "A"), ["consequences", "impact", "hgvsC", "rank"])).toEqual({
      consequences: ["splice_donor_variant"],
      impact: "HIGH",
      hgvsC: "c.20+1G>A",
      rank: "1/2",
    });
    expect(at(fx.intron(1, 2), "T", "C")!.consequences).toEqual(["splice_donor_variant"]);
  });

  test("splice acceptor -2 and -1", () => {
    expect(pick(at(fx.intron(1, 39), "A", "G"), ["consequences", "impact", "hgvsC"])).toEqual({
      consequences: ["splice_acceptor_variant"],
      impact: "HIGH",
      hgvsC: "c.21-2A>G",
    });
    expect(at(fx.intron(1, 40), "G", "A")!.hgvsC).toBe("c.21-1G>A");
  });

  test("donor region +3, 5th base +5, splice region +7, region + polypyrimidine at -5", () => {
    expect(pick(at(fx.intron(1, 3), "A", "G"), ["consequences", "impact", "hgvsC"])).toEqual({
      consequences: ["splice_donor_region_variant", "intron_variant"],
      impact: "LOW",
      hgvsC: "c.20+3A>G",
    });
    expect(at(fx.intron(1, 5), "G", "A")!.consequences).toEqual(["splice_donor_5th_base_variant", "intron_variant"]);
    expect(at(fx.intron(1, 7), "A", "G")!.consequences).toEqual(["splice_region_variant", "intron_variant"]);
    expect(pick(at(fx.intron(1, 36), "T", "C"), ["consequences", "hgvsC"])).toEqual({
      consequences: ["splice_region_variant", "splice_polypyrimidine_tract_variant", "intron_variant"],
      hgvsC: "c.21-5T>C",
    });
  });

  // VEP keeps splice_donor_region_variant beside splice_donor_variant (VariationEffect.pm's
  // splice_donor_region_variant only yields to splice_donor_5th_base_variant).
  test("deletion across the exon/intron boundary (c.19–c.20+3): donor + donor region + coding_sequence + intron, no shift", () => {
    expect(pick(at(c(19), "CAGTA", ""), ["consequences", "impact", "hgvsC", "rank"])).toEqual({
      consequences: ["splice_donor_variant", "splice_donor_region_variant", "coding_sequence_variant", "intron_variant"],
      impact: "HIGH",
      hgvsC: "c.19_20+3del",
      rank: "1/3",
    });
  });

  // Issue 15 §2.2. VEP's variation_effect.t: "an insertion between the last exon base and the first
  // intron base is not essential" → splice_region_variant + frameshift_variant, and the same
  // between the last intron base and the first exon base. Both insertions sit between cDNA 30 and
  // 31 (c.20|c.21), inside CAG (Gln7): CAT GGA… is a frameshift from Gln7.
  test("insertion between the exon's last base and the intron: frameshift + splice region, c.20_20+1insT", () => {
    expect(pick(at(fx.intron(1, 1), "", "T"), ["consequences", "impact", "hgvsC", "hgvsP", "rank", "cdnaPos", "cdsPos", "aaPos"])).toEqual({
      consequences: ["frameshift_variant", "splice_region_variant"],
      impact: "HIGH",
      hgvsC: "c.20_20+1insT",
      hgvsP: "p.Gln7fs",
      rank: "1/3",
      cdnaPos: "30/85",
      cdsPos: "20/51",
      aaPos: "7/16",
    });
  });

  test("insertion between the intron and the next exon's first base: frameshift + splice region, c.21-1_21insT", () => {
    expect(pick(at(c(21), "", "T"), ["consequences", "impact", "hgvsC", "hgvsP", "rank", "cdsPos", "aaPos"])).toEqual({
      consequences: ["frameshift_variant", "splice_region_variant"],
      impact: "HIGH",
      hgvsC: "c.21-1_21insT",
      hgvsP: "p.Gln7fs",
      rank: "2/3",
      cdsPos: "20/51",
      aaPos: "7/16",
    });
  });

  test("an in-frame insertion at the junction c.44|c.44+1 is inframe_insertion + splice region (TT|C of Phe15 → TTC CCC)", () => {
    expect(pick(at(fx.intron(2, 1), "", "CCC"), ["consequences", "hgvsC", "hgvsP", "rank"])).toEqual({
      consequences: ["inframe_insertion", "splice_region_variant"],
      hgvsC: "c.44_44+1insCCC",
      hgvsP: "p.Phe15_Trp16insPro",
      rank: "2/3",
    });
  });

  // Issue 15 §2.7: the splice sub-terms of insertions at the intron's edges and of alleles that also
  // hit a donor/acceptor, as BaseTranscriptVariationAllele::_intron_effects and VariationEffect.pm
  // give them (expectations from VEP's variation_effect.t where it has the case).
  test("insertion between intron bases +2 and +3: splice region + intron_variant (VEP: 'insertion between bases 2 & 3')", () => {
    expect(at(fx.intron(1, 3), "", "C")!.consequences).toEqual(["splice_region_variant", "intron_variant"]);
  });

  test("insertion between intron bases -3 and -2: splice region + polypyrimidine tract + intron_variant", () => {
    expect(at(fx.intron(1, 39), "", "C")!.consequences).toEqual([
      "splice_region_variant",
      "splice_polypyrimidine_tract_variant",
      "intron_variant",
    ]);
  });

  test("insertion between -18 and -17 touches the tract; between -19 and -18 it does not", () => {
    expect(at(fx.intron(1, 24), "", "G")!.consequences).toEqual(["splice_polypyrimidine_tract_variant", "intron_variant"]);
    expect(at(fx.intron(1, 23), "", "G")!.consequences).toEqual(["intron_variant"]);
  });

  test("insertions between the two donor or the two acceptor bases are essential splice sites only", () => {
    expect(at(fx.intron(1, 2), "", "C")!.consequences).toEqual(["splice_donor_variant"]);
    expect(at(fx.intron(1, 40), "", "C")!.consequences).toEqual(["splice_acceptor_variant"]);
  });

  test("deletions that hit a donor or an acceptor keep the 5th-base, donor-region and polypyrimidine terms", () => {
    const intron = CODING_SPEC.introns[0]!;
    expect(at(fx.intron(1, 1), intron.slice(0, 5), "")!.consequences).toEqual([
      "splice_donor_variant",
      "splice_donor_5th_base_variant",
      "intron_variant",
    ]);
    expect(at(fx.intron(1, 1), intron.slice(0, 4), "")!.consequences).toEqual([
      "splice_donor_variant",
      "splice_donor_region_variant",
      "intron_variant",
    ]);
    expect(at(fx.intron(1, 36), intron.slice(35), "")!.consequences).toEqual([
      "splice_acceptor_variant",
      "splice_polypyrimidine_tract_variant",
      "intron_variant",
    ]);
  });

  // VEP's variation_effect.t 'whole exon deletion': no polypyrimidine tract term once an exon is
  // overlapped (its OverlapConsequence requires exon = 0), no donor region beside the 5th base.
  test("whole-exon deletion (exon 2 ± 10 bases): acceptor, donor, 5th base, coding_sequence, intron", () => {
    const from = fx.intron(1, 31);
    const to = fx.intron(2, 10);
    const ref = WRITTEN.slice(from - 1, to);
    expect(at(from, ref, "")!.consequences).toEqual([
      "splice_acceptor_variant",
      "splice_donor_variant",
      "splice_donor_5th_base_variant",
      "coding_sequence_variant",
      "intron_variant",
    ]);
  });

  // Issue 15 §2.4. VEP's feature_ablation: a deletion (ALT shorter than REF) that covers the
  // transcript's whole span; transcript_ablation is tier 1, so no other term is added.
  test("a deletion covering the whole transcript is transcript_ablation (HIGH), nothing else", () => {
    const first = CODING_SPEC.upstream.length + 1; // written index of the transcript's 5′ base
    const last = WRITTEN.length - CODING_SPEC.downstream.length;
    const a = at(first - 3, WRITTEN.slice(first - 4, last + 2), "")!;
    expect(pick(a, ["consequences", "impact", "rank", "hgvsC", "hgvsP", "cdnaPos", "cdsPos", "aaPos", "distance"])).toEqual({
      consequences: ["transcript_ablation"],
      impact: "HIGH",
      rank: "1-3/3",
      hgvsC: "c.-13_*26del",
      hgvsP: "",
      cdnaPos: "",
      cdsPos: "",
      aaPos: "",
      distance: "",
    });
    expect(at(first, WRITTEN.slice(first - 1, last), "")!.consequences).toEqual(["transcript_ablation"]);
    expect(at(first, WRITTEN.slice(first - 1, last), "A")!.consequences).toEqual(["transcript_ablation"]);
    // One transcript base left: not an ablation.
    expect(at(first + 1, WRITTEN.slice(first, last), "")!.consequences).not.toContain("transcript_ablation");
  });

  test("upstream: 10 bases 5′ of the transcript (10 bp 5′UTR) is c.-20, distance 10", () => {
    expect(pick(at(51, "A", "G"), ALL)).toEqual({
      consequences: ["upstream_gene_variant"],
      impact: "MODIFIER",
      hgvsC: "c.-20A>G",
      hgvsP: "",
      cdnaPos: "",
      cdsPos: "",
      aaPos: "",
      rank: "",
      distance: "10",
    });
  });

  test("downstream: 7 bases 3′ of the transcript (24 bp 3′UTR) is c.*31, distance 7", () => {
    expect(pick(at(222, "C", "T"), ["consequences", "hgvsC", "distance"])).toEqual({
      consequences: ["downstream_gene_variant"],
      hgvsC: "c.*31C>T",
      distance: "7",
    });
  });

  test("farther than upDownDistance: null", () => {
    expect(fx.annotate(fx.allele(51, "A", "G"), 9)).toBeNull();
    expect(fx.annotate(fx.allele(51, "A", "G"), 10)).not.toBeNull();
  });

  test("allele field is the VCF ALT, anchor base included for indels", () => {
    const a = fx.allele(c(32), "A", "");
    expect(fx.annotate(a)!.allele).toBe(a.vcfAlt);
    expect(a.vcfAlt.length).toBe(1);
  });
});
