/**
 * VEP's pick order on hand-made transcripts carrying the tags Ensembl 84 lacks (MANE, canonical,
 * APPRIS, TSL, CCDS), on both strands. Each test isolates one criterion: the transcripts tie on
 * every earlier one and differ on it, and a later criterion would pick another.
 */
import { describe, expect, test } from "bun:test";
import type { Allele, Strand, Transcript } from "../model.ts";
import { AlleleEffect } from "./allele-effect.ts";
import { choose, criterionValue, keepChosen, parsePickOrder, pickOne } from "./pick.ts";
import { finishTerms, SO } from "./so-terms.ts";

const A: Allele = { contig: "21", start: 1100, end: 1100, ref: "C", alt: "T", vcfAlt: "T" };
const G: Allele = { contig: "21", start: 1100, end: 1100, ref: "C", alt: "G", vcfAlt: "G" };

describe.each([1, -1] as Strand[])("strand %d", (strand) => {
  /** A two-exon transcript; `cdsEnd` sets its CDS length (longer CDS = longer). */
  const tx = (id: string, extra: Partial<Transcript> = {}, cdsEnd = 1650): Transcript => ({
    id,
    version: 1,
    geneId: "ENSG1",
    geneName: "GENE1",
    biotype: "protein_coding",
    contig: "21",
    strand,
    start: 1000,
    end: 1700,
    exons: [
      { start: 1000, end: 1200 },
      { start: 1500, end: 1700 },
    ],
    coding: { start: 1050, end: cdsEnd, startIncomplete: false, endIncomplete: false, startPhase: 0 },
    codonTable: 1,
    tags: [],
    ...extra,
  });
  const fx = (t: Transcript | null, term: number = SO.missense, allele = A) => {
    const e = new AlleleEffect(allele, finishTerms([term]));
    e.transcript = t;
    return e;
  };
  const picked = (effects: AlleleEffect[]) =>
    effects[
      pickOne(
        effects,
        effects.map((_, i) => i),
      )
    ]!.transcript?.id;

  test("MANE Select first, over canonical, APPRIS, TSL and a more severe consequence", () => {
    const effects = [
      fx(tx("ENST1", { tags: ["Ensembl_canonical"], appris: "P1", tsl: 1 }), SO.stopGained),
      fx(tx("ENST2", { tags: ["MANE_Select", "basic"], maneSelect: "NM_1.1" }), SO.synonymous),
      fx(tx("ENST3", { tags: ["MANE_Plus_Clinical"] }), SO.frameshift),
    ];
    expect(picked(effects)).toBe("ENST2");
    expect(picked(effects.filter((e) => e.transcript!.id !== "ENST2"))).toBe("ENST3"); // MANE Plus Clinical next
  });

  test("canonical over APPRIS principal; APPRIS principal 1 < principal 2 < alternative 1 < none", () => {
    expect(picked([fx(tx("ENST1", { appris: "P1" })), fx(tx("ENST2", { tags: ["Ensembl_canonical"] }))])).toBe("ENST2");
    expect(
      picked([
        fx(tx("ENST1")),
        fx(tx("ENST2", { appris: "A1" }), SO.stopGained),
        fx(tx("ENST3", { appris: "P2" })),
        fx(tx("ENST4", { appris: "P1" })),
      ]),
    ).toBe("ENST4");
    expect(picked([fx(tx("ENST1"), SO.stopGained), fx(tx("ENST2", { appris: "A1" }))])).toBe("ENST2");
  });

  test("then TSL (1 best; none worst), then protein_coding, then CCDS", () => {
    expect(picked([fx(tx("ENST1", { tsl: 3 }), SO.stopGained), fx(tx("ENST2", { tsl: 1 })), fx(tx("ENST3"), SO.stopGained)])).toBe("ENST2");
    expect(picked([fx(tx("ENST1", { biotype: "retained_intron", coding: null }), SO.stopGained), fx(tx("ENST2"), SO.synonymous)])).toBe(
      "ENST2",
    );
    expect(picked([fx(tx("ENST1"), SO.stopGained), fx(tx("ENST2", { ccds: "CCDS1.1" }), SO.synonymous)])).toBe("ENST2");
  });

  test("then the most severe consequence (VEP's SO rank), then the longest CDS, then Ensembl over RefSeq", () => {
    expect(picked([fx(tx("ENST1"), SO.synonymous), fx(tx("ENST2"), SO.missense)])).toBe("ENST2");
    expect(picked([fx(tx("ENST1", {}, 1600)), fx(tx("ENST2", {}, 1660))])).toBe("ENST2");
    expect(picked([fx(tx("NM_000001.1")), fx(tx("ENST2"))])).toBe("ENST2");
    expect(picked([fx(tx("LOC1")), fx(tx("NM_000001.1"))])).toBe("NM_000001.1");
    // All tied: the first in list order.
    expect(picked([fx(tx("ENST1")), fx(tx("ENST2"))])).toBe("ENST1");
  });

  test("an intergenic effect gets VEP's defaults: any transcript with a better value wins", () => {
    expect(criterionValue(fx(null, SO.intergenic), "tsl")).toBe(100);
    expect(criterionValue(fx(null, SO.intergenic), "length")).toBe(0);
    expect(picked([fx(null, SO.intergenic), fx(tx("ENST1", { tags: ["Ensembl_canonical"] }), SO.downstream)])).toBe("ENST1");
  });

  test("modes: pick one per variant, pick-allele one per allele, per-gene one per gene, flag-pick marks", () => {
    const g2 = (id: string, extra: Partial<Transcript> = {}) => tx(id, { geneId: "ENSG2", ...extra });
    const effects = [
      fx(tx("ENST1", { tags: ["Ensembl_canonical"] }), SO.synonymous, A),
      fx(tx("ENST2"), SO.missense, A),
      fx(g2("ENST3", { tags: ["MANE_Select"] }), SO.downstream, A),
      fx(tx("ENST1", { tags: ["Ensembl_canonical"] }), SO.synonymous, G),
      fx(g2("ENST4", { tsl: 1 }), SO.upstream, G),
    ];
    expect([...choose(effects, "pick")]).toEqual([0, 0, 1, 0, 0]);
    expect([...choose(effects, "flag-pick")]).toEqual([0, 0, 1, 0, 0]);
    expect([...choose(effects, "pick-allele")]).toEqual([0, 0, 1, 1, 0]);
    expect([...choose(effects, "per-gene")]).toEqual([1, 0, 1, 0, 0]);
    expect([...choose(effects, "none")]).toEqual([1, 1, 1, 1, 1]);
    // most-severe: per allele, the consequence before MANE and canonical (missense over synonymous and downstream).
    expect([...choose(effects, "most-severe")]).toEqual([0, 1, 0, 1, 0]);
    // per-gene keeps every intergenic effect.
    expect([...choose([fx(null, SO.intergenic, A), fx(null, SO.intergenic, G)], "per-gene")]).toEqual([1, 1]);
  });

  test("--pick-order: the user's order (a subset) replaces VEP's; bad names are named", () => {
    const effects = [fx(tx("ENST1", { tags: ["MANE_Select"] }), SO.synonymous), fx(tx("ENST2", { tsl: 1 }), SO.missense)];
    expect([...choose(effects, "pick")]).toEqual([1, 0]);
    expect([...choose(effects, "pick", parsePickOrder("tsl,mane_select"))]).toEqual([0, 1]);
    expect([...choose(effects, "pick", parsePickOrder("RANK"))]).toEqual([0, 1]);
    expect(() => parsePickOrder("mane,tsl")).toThrow('--pick-order: unknown criteria "mane"');
    expect(() => parsePickOrder("tsl,tsl")).toThrow("twice");
  });

  test("keepChosen keeps the marked effects in order", () => {
    const all = [
      fx(tx("ENST1"), SO.missense, A),
      fx(tx("ENST2", { tags: ["Ensembl_canonical"] }), SO.synonymous, A),
      fx(tx("ENST3"), SO.missense, G),
    ];
    expect(keepChosen(all, choose(all, "pick-allele")).map((e) => `${e.allele.alt}:${e.transcript!.id}`)).toEqual(["T:ENST2", "G:ENST3"]);
    expect(keepChosen(all, choose(all, "pick")).map((e) => e.transcript!.id)).toEqual(["ENST2"]);
    expect(keepChosen(all, choose(all, "none")).length).toBe(3);
  });
});
