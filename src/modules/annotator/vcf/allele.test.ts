import { describe, expect, test } from "bun:test";
import type { Allele, GenomeWindow } from "../model.ts";
import { leftAlign, rightAlign, splitAlleles } from "./allele.ts";
import { VcfRecord } from "./vcf-reader.ts";

function record(pos: number, ref: string, alts: string[]): VcfRecord {
  return new VcfRecord(10, "chr21", pos, ".", ref, alts.join(","), ".", ".", ".", "");
}

/** A genome whose contig is `seq` (position 1 = seq[0]); N outside, as GenomeWindow promises. */
function genomeOf(seq: string): GenomeWindow {
  return {
    contig: "21",
    slice(start, end) {
      let out = "";
      for (let p = start; p <= end; p++) out += p >= 1 && p <= seq.length ? seq[p - 1] : "N";
      return out;
    },
  };
}

function allele(start: number, end: number, ref: string, alt: string): Allele {
  return { contig: "21", start, end, ref, alt, vcfAlt: "x" };
}

describe("splitAlleles trims each ALT to its minimal form", () => {
  const cases: [string, number, string, string, Omit<Allele, "contig" | "vcfAlt">][] = [
    ["SNV", 100, "C", "T", { start: 100, end: 100, ref: "C", alt: "T" }],
    ["MNP", 100, "AC", "GT", { start: 100, end: 101, ref: "AC", alt: "GT" }],
    ["MNP with shared flanks is an SNV", 100, "ACG", "ATG", { start: 101, end: 101, ref: "C", alt: "T" }],
    ["insertion", 100, "A", "AT", { start: 101, end: 100, ref: "", alt: "T" }],
    ["insertion written with a suffix anchor", 100, "A", "TA", { start: 100, end: 99, ref: "", alt: "T" }],
    ["deletion", 100, "ATG", "A", { start: 101, end: 102, ref: "TG", alt: "" }],
    ["deletion by common suffix", 100, "TGA", "A", { start: 100, end: 101, ref: "TG", alt: "" }],
    ["delins", 100, "ATG", "C", { start: 100, end: 102, ref: "ATG", alt: "C" }],
    ["delins after an anchor", 100, "ATG", "AC", { start: 101, end: 102, ref: "TG", alt: "C" }],
    [
      "prefix first, then suffix (repeat); the leftmost placement inside the REF beside it",
      100,
      "ATTT",
      "ATT",
      {
        start: 103,
        end: 103,
        ref: "T",
        alt: "",
        spanLeft: { contig: "21", start: 101, end: 101, ref: "T", alt: "", vcfAlt: "ATT" },
      },
    ],
    ["lower-case ALT", 100, "C", "t", { start: 100, end: 100, ref: "C", alt: "T" }],
  ];
  for (const [name, pos, ref, alt, want] of cases) {
    test(name, () => {
      const { alleles, skipped } = splitAlleles(record(pos, ref, [alt]), "21");
      expect(skipped).toEqual([]);
      expect(alleles).toEqual([{ contig: "21", vcfAlt: alt, ...want }]);
    });
  }

  test("multi-allelic records give one allele per ALT, each trimmed on its own", () => {
    const { alleles } = splitAlleles(record(25585770, "ATTT", ["ATT", "AT", "C"]), "21");
    expect(alleles).toEqual([
      {
        contig: "21",
        start: 25585773,
        end: 25585773,
        ref: "T",
        alt: "",
        vcfAlt: "ATT",
        spanLeft: { contig: "21", start: 25585771, end: 25585771, ref: "T", alt: "", vcfAlt: "ATT" },
      },
      {
        contig: "21",
        start: 25585772,
        end: 25585773,
        ref: "TT",
        alt: "",
        vcfAlt: "AT",
        spanLeft: { contig: "21", start: 25585771, end: 25585772, ref: "TT", alt: "", vcfAlt: "AT" },
      },
      { contig: "21", start: 25585770, end: 25585773, ref: "ATTT", alt: "C", vcfAlt: "C" },
    ]);
  });

  test("non-sequence ALTs are skipped with a reason, the rest kept (structural variants are alleles)", () => {
    const { alleles, skipped } = splitAlleles(
      record(100, "A", ["<DEL>", "G", "*", ".", "A[chr2:100[", "]2:5]A", "A.", "R", "A", "<INS:ME>", "<NON_REF>"]),
      "21",
    );
    expect(alleles.map((a) => a.vcfAlt)).toEqual(["G", "<INS:ME>"]);
    expect(skipped).toEqual([
      { alt: "<DEL>", reason: "structural variant <DEL> has no END or SVLEN" },
      { alt: "*", reason: "spanning-deletion allele (*) is symbolic" },
      { alt: ".", reason: "no ALT allele (.)" },
      { alt: "A[chr2:100[", reason: "breakend allele is not supported" },
      { alt: "]2:5]A", reason: "breakend allele is not supported" },
      { alt: "A.", reason: "single breakend allele is not supported" },
      { alt: "R", reason: 'ALT "R" is not a DNA sequence' },
      { alt: "A", reason: "ALT equals REF (no change)" },
      { alt: "<NON_REF>", reason: "symbolic allele <NON_REF> is not a supported structural variant type" },
    ]);
  });
});

describe("leftAlign / rightAlign", () => {
  //                     1234567890123456789
  const genome = genomeOf("AGCTCACACAGGTTTTCCA");

  test("a deletion in a dinucleotide repeat moves to the repeat's 5' end", () => {
    expect(leftAlign(allele(9, 10, "CA", ""), genome)).toMatchObject({ start: 5, end: 6, ref: "CA", alt: "" });
    expect(rightAlign(allele(5, 6, "CA", ""), genome)).toMatchObject({ start: 9, end: 10, ref: "CA", alt: "" });
  });

  test("an insertion rotates its sequence while moving", () => {
    expect(leftAlign(allele(11, 10, "", "CA"), genome)).toMatchObject({ start: 5, end: 4, ref: "", alt: "CA" });
    expect(leftAlign(allele(10, 9, "", "AC"), genome)).toMatchObject({ start: 5, end: 4, ref: "", alt: "CA" });
    expect(rightAlign(allele(5, 4, "", "CA"), genome)).toMatchObject({ start: 11, end: 10, ref: "", alt: "CA" });
  });

  test("homopolymer insertions and deletions", () => {
    expect(leftAlign(allele(17, 16, "", "T"), genome)).toMatchObject({ start: 13, end: 12, alt: "T" });
    expect(leftAlign(allele(17, 16, "", "TT"), genome)).toMatchObject({ start: 13, end: 12, alt: "TT" });
    expect(leftAlign(allele(15, 16, "TT", ""), genome)).toMatchObject({ start: 13, end: 14, ref: "TT" });
    expect(rightAlign(allele(13, 13, "T", ""), genome)).toMatchObject({ start: 16, end: 16, ref: "T" });
  });

  test("already normalized, substitutions, position 1 and N runs stay put", () => {
    const gt = allele(12, 13, "GT", "");
    expect(leftAlign(gt, genome)).toBe(gt);
    const snv = allele(5, 5, "C", "T");
    expect(leftAlign(snv, genome)).toBe(snv);
    expect(rightAlign(snv, genome)).toBe(snv);
    const first = allele(1, 1, "A", "");
    expect(leftAlign(first, genome)).toBe(first);
    expect(leftAlign(allele(8, 8, "A", ""), genomeOf("NNNNAAAAC"))).toMatchObject({ start: 5, end: 5 });
    expect(rightAlign(allele(5, 5, "A", ""), genomeOf("NNNNAAAA"))).toMatchObject({ start: 8, end: 8 });
    expect(leftAlign(allele(3, 2, "", "N"), genomeOf("NNNN"))).toMatchObject({ start: 3 });
  });

  test("long repeats are scanned across several genome slices", () => {
    const seq = `T${"CAG".repeat(100)}T`;
    const g = genomeOf(seq);
    const end = seq.length - 1; // last base of the repeat
    expect(leftAlign(allele(end - 2, end, "CAG", ""), g)).toMatchObject({ start: 2, end: 4, ref: "CAG" });
    expect(rightAlign(allele(2, 1, "", "CAG"), g)).toMatchObject({ start: end + 1, end, alt: "CAG" });
  });
});
