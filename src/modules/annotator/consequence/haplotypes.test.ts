/**
 * --phased: compound consequences per haplotype (issue 15 part 4), modelled on bcftools csq's
 * published compound cases, on CODING_SPEC's transcript on both strands.
 * CDS: ATG GCT AAA GGC CGT TGG … = M1 A2 K3 G4 R5 W6 …
 */
import { describe, expect, test } from "bun:test";
import type { Allele, Strand } from "../model.ts";
import { buildFixture, CODING_SPEC } from "../../../../test/support/engine/transcript-fixtures.ts";
import { haplotypeConsequences, type PhasedRecord } from "./haplotypes.ts";

describe.each([1, -1] as Strand[])("phased compounds, strand %d", (strand) => {
  const fx = buildFixture(CODING_SPEC, strand);
  const c = (n: number) => fx.cdna(n + 10);
  const record = (a: Allele, ...gts: string[]): PhasedRecord => ({
    pos: a.ref === "" || a.alt === "" ? a.start - 1 : a.start,
    ref: a.ref === "" || a.alt === "" ? fx.genome.slice(a.start - 1, a.start - 1) + a.ref : a.ref,
    alleles: [a],
    gts,
    transcripts: [fx.transcript],
  });
  const run = (records: PhasedRecord[]) => haplotypeConsequences(records, () => fx.seq);
  const field = (entry: string, i: number) => entry.split("|")[i];

  test("two SNVs in one codon on one haplotype: one missense call (GCT→ATT, Ala2Ile), @ on the other", () => {
    const records = [record(fx.allele(c(4), "G", "A"), "1|0"), record(fx.allele(c(5), "C", "T"), "1|0")];
    const r = run(records);
    const head = r.get(0)!;
    expect(head.entries).toHaveLength(1);
    expect(field(head.entries[0]!, 0)).toBe("missense_variant");
    expect(field(head.entries[0]!, 5)).toBe("2A>2I");
    expect(field(head.entries[0]!, 4)).toBe(strand === 1 ? "+" : "-");
    expect(head.masks).toEqual([0b01]); // entry 0 on the first haplotype
    expect(r.get(1)!.entries).toEqual([`@${records[0]!.pos}`]);
    expect(head.unphased).toEqual([]);
  });

  test("the same SNVs on different haplotypes: no compound, two separate calls stand", () => {
    const r = run([record(fx.allele(c(4), "G", "A"), "1|0"), record(fx.allele(c(5), "C", "T"), "0|1")]);
    expect(r.size).toBe(0);
  });

  test("a stop_gained SNV (AAA→TAA) with a second SNV in its codon is a missense (TCA, Lys3Ser)", () => {
    const r = run([record(fx.allele(c(7), "A", "T"), "0|1"), record(fx.allele(c(8), "A", "C"), "1|1")]);
    expect(field(r.get(0)!.entries[0]!, 0)).toBe("missense_variant");
    expect(field(r.get(0)!.entries[0]!, 5)).toBe("3K>3S");
    expect(r.get(0)!.masks).toEqual([0b10]); // only the second haplotype carries both
  });

  test("an insertion and a deletion restoring the frame: one in-frame change, not two frameshifts", () => {
    // +A before c.10, -T at c.16: GGC CGT TGG → AGG CCG TGG (G4R, R5P, W6 kept).
    const r = run([record(fx.allele(c(10), "", "A"), "1|1"), record(fx.allele(c(16), "T", ""), "1|1")]);
    const entry = r.get(0)!.entries[0]!;
    expect(field(entry, 0)).toBe("missense_variant&protein_altering_variant"); // bcftools: missense&inframe_altering
    // The window is every codon of the records as written: the insertion's VCF anchor (c.9, codon 3) is 5′ of it on the plus strand only.
    expect(field(entry, 5)).toBe(strand === 1 ? "3KGRW>3KRPW" : "4GRW>4RPW");
    expect(r.get(0)!.masks).toEqual([0b11]);
  });

  test("an unphased heterozygous call that would join a compound is flagged, not combined", () => {
    const r = run([record(fx.allele(c(4), "G", "A"), "0/1"), record(fx.allele(c(5), "C", "T"), "1|0")]);
    expect(r.get(0)!.entries).toEqual([]);
    expect(r.get(0)!.unphased).toEqual([0]);
    expect(r.get(1)!.unphased).toEqual([0]);
  });
});
