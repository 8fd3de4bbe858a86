/**
 * Symbolic structural variants on the hand-built transcript of CODING_SPEC, both strands (issue
 * 15, defect 3). Spans are written-sequence indices (transcript orientation), so one expectation
 * holds on both strands: upstream 1–60, exon 1 61–90 (5′UTR 61–70, CDS from 71), intron 1
 * 91–130, exon 2 131–154, intron 2 155–184, exon 3 185–215 (stop codon 189–191), downstream 216–275.
 */
import { describe, expect, test } from "bun:test";
import type { Allele, Strand } from "../model.ts";
import { buildFixture, CODING_SPEC } from "../../../../test/support/engine/transcript-fixtures.ts";
import { svOfClass } from "../vcf/structural-allele.ts";
import { toAnnotation } from "./allele-effect.ts";
import { structuralEffect } from "./structural-variant.ts";

describe.each([1, -1] as Strand[])("structural variants, strand %d", (strand) => {
  const fx = buildFixture(CODING_SPEC, strand);
  const sv = (soClass: string, a: number, b: number): Allele => {
    const [x, y] = [fx.g(a), fx.g(b)];
    return { contig: "T", start: Math.min(x, y), end: Math.max(x, y), ref: "", alt: "", vcfAlt: "<SV>", sv: svOfClass(soClass) };
  };
  const insertionBefore = (k: number): Allele => {
    const start = strand === 1 ? fx.g(k) : fx.g(k - 1);
    return { contig: "T", start, end: start - 1, ref: "", alt: "", vcfAlt: "<INS>", sv: svOfClass("insertion") };
  };
  const on = (a: Allele) => {
    const e = structuralEffect(a, fx.transcript);
    if (e === null) throw new Error("no effect");
    const ann = toAnnotation(e);
    return { consequences: ann.consequences, impact: ann.impact, rank: ann.rank, hgvsC: ann.hgvsC, distance: ann.distance };
  };

  const cases: [string, Allele, string[], string][] = [
    ["a deletion covering the transcript ablates it, alone", sv("deletion", 1, 275), ["transcript_ablation"], "1-3/3"],
    ["a duplication covering it amplifies it, alone", sv("duplication", 50, 230), ["transcript_amplification"], "1-3/3"],
    [
      "an inversion covering it: the parts' terms and coding_transcript_variant",
      sv("inversion", 50, 230),
      ["5_prime_UTR_variant", "3_prime_UTR_variant", "intron_variant", "coding_transcript_variant"],
      "1-3/3",
    ],
    ["a 4-bp deletion inside a coding exon: frameshift", sv("deletion", 135, 138), ["frameshift_variant", "feature_truncation"], "2/3"],
    ["a 6-bp deletion inside the CDS: inframe deletion", sv("deletion", 135, 140), ["feature_truncation", "inframe_deletion"], "2/3"],
    [
      "a deletion from an intron into an exon",
      sv("deletion", 110, 140),
      ["feature_truncation", "coding_sequence_variant", "intron_variant"],
      "2/3",
    ],
    ["a deletion deep in an intron touches no cDNA: intron only", sv("deletion", 95, 110), ["intron_variant"], "1/2"],
    [
      "an Alu deletion reaching the polypyrimidine tract",
      sv("Alu_deletion", 100, 120),
      ["splice_polypyrimidine_tract_variant", "intron_variant"],
      "1/2",
    ],
    [
      "a deletion over the start codon, both ends exonic",
      sv("deletion", 65, 76),
      ["start_lost", "feature_truncation", "coding_sequence_variant", "5_prime_UTR_variant"],
      "1/3",
    ],
    [
      "a deletion over the stop codon",
      sv("deletion", 187, 195),
      ["stop_lost", "feature_truncation", "coding_sequence_variant", "3_prime_UTR_variant"],
      "3/3",
    ],
    [
      "a duplication over the 3′ end: the UTR it touches, no elongation (not inside)",
      sv("duplication", 200, 250),
      ["3_prime_UTR_variant"],
      "3/3",
    ],
    ["an insertion in a coding exon elongates it", insertionBefore(140), ["feature_elongation", "coding_sequence_variant"], "2/3"],
    [
      "a copy-number variant inside an exon: only the part's term",
      sv("copy_number_variation", 135, 140),
      ["coding_sequence_variant"],
      "2/3",
    ],
  ];
  for (const [name, allele, consequences, rank] of cases) {
    test(name, () => {
      const got = on(allele);
      expect(got).toMatchObject({ consequences, rank, hgvsC: "", distance: "" });
      expect(got.impact).toBe(
        consequences.some((c) => /ablation|amplification|frameshift|lost|truncation|elongation/.test(c)) ? "HIGH" : got.impact,
      );
    });
  }

  test("an SV 41 bases before the transcript's 5′ end is upstream, with its distance", () => {
    expect(on(sv("deletion", 10, 20))).toMatchObject({ consequences: ["upstream_gene_variant"], distance: "41", hgvsC: "" });
  });

  test("an SV more than 5 kb away gives no entry", () => {
    const far = sv("deletion", 1, 2);
    const shift = strand === 1 ? -6000 : 6000;
    expect(structuralEffect({ ...far, start: far.start + shift, end: far.end + shift }, fx.transcript)).toBeNull();
  });
});
