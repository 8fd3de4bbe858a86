/**
 * The CSQ field as Ensembl VEP writes it, on the hand-built transcript of CODING_SPEC, both
 * strands (variants written in transcript orientation, so one expectation serves both):
 *
 * CDS (c.1–51): ATG GCT AAA GGC CGT TGG CA|G GAA AAG AAG GAC CTG TCC CAT TT|C TGG TAA
 *               M1  A2  K3  G4  R5  W6  Q7   E8  K9  K10 D11 L12 S13 H14 F15  W16 *17
 * cDNA = c. + 10 inside the CDS; exon 1 ends at c.20, exon 2 is c.21–44; 3′UTR GCT CAG TAG ….
 * Expected values follow VEP's OutputFactory and ensembl-variation's TranscriptVariationAllele
 * (format_coords, pep_allele_string, display_codon_allele_string, hgvs_protein).
 */
import { describe, expect, test } from "bun:test";
import { finishTerms, SO } from "../consequence/so-terms.ts";
import { transcriptEffect } from "../consequence/annotate-transcript.ts";
import { AlleleEffect } from "../consequence/allele-effect.ts";
import { buildFixture, CODING_SPEC, type Fixture } from "../../../../test/support/engine/transcript-fixtures.ts";
import { layoutOf } from "../hgvs/transcript-coordinates.ts";
import type { Allele, Strand } from "../model.ts";
import { ByteBuilder } from "../io/byte-builder.ts";
import { exonRange, intronRange, txSpan } from "./csq-coding.ts";
import { HgvsCSpans, writeEffects } from "./ann-field.ts";
import { csqHeaderLine, csqKnownKeys, CsqWriter, vepAllele, vepEscape } from "./csq-field.ts";

/** VEP 115's column order for these flags (OutputFactory/VCF.pm columns, then Constants.pm's flag columns). */
const VEP_COLUMNS = [
  "Allele",
  "Consequence",
  "IMPACT",
  "SYMBOL",
  "Gene",
  "Feature_type",
  "Feature",
  "BIOTYPE",
  "EXON",
  "INTRON",
  "HGVSc",
  "HGVSp",
  "cDNA_position",
  "CDS_position",
  "Protein_position",
  "Amino_acids",
  "Codons",
  "Existing_variation",
  "DISTANCE",
  "STRAND",
  "FLAGS",
  "SYMBOL_SOURCE",
  "HGNC_ID",
  "CANONICAL",
  "MANE_SELECT",
];

/** Splits a CSQ value by the header's Format, as bcftools +split-vep does. */
function parseCsq(header: string, value: string): Record<string, string>[] {
  const names = /Format: ([^"]+)"/.exec(header)![1]!.split("|");
  return value.split(",").map((entry) => {
    const values = entry.split("|");
    expect(values.length).toBe(names.length);
    return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
  });
}

function csqOf(fx: Fixture, alleles: Allele[], ref = "N", altText = alleles.map((a) => a.vcfAlt).join(",")): Record<string, string>[] {
  const writer = new CsqWriter([], () => fx.seq);
  const effects = alleles.map((a) => transcriptEffect(a, fx.transcript, fx.seq, fx.genome, 5000)!);
  const out = new ByteBuilder(64);
  writer.write(out, ref, altText, effects, []);
  return parseCsq(csqHeaderLine([]), out.toString());
}

test("the header names VEP's columns in VEP's order, the known-variant columns under VEP's names after them", () => {
  expect(csqHeaderLine([])).toBe(
    `##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: ${VEP_COLUMNS.join("|")}">`,
  );
  const keys = csqKnownKeys([
    '##INFO=<ID=KNOWN_AF,Number=A,Type=Float,Description="x">',
    '##INFO=<ID=KNOWN_gnomADe_AF,Number=A,Type=Float,Description="y">',
    '##INFO=<ID=KNOWN_CLIN_SIG,Number=A,Type=String,Description="z">',
  ]);
  expect(keys).toEqual(["KNOWN_AF", "KNOWN_gnomADe_AF", "KNOWN_CLIN_SIG"]);
  expect(csqHeaderLine(keys)).toEndWith(`|MANE_SELECT|AF|gnomADe_AF|CLIN_SIG">`);
});

test("VEP's escaping: , and | become &, ; becomes %3B, white space _", () => {
  expect(vepEscape("likely_benign|pathogenic")).toBe("likely_benign&pathogenic");
  expect(vepEscape("a,b;c d\te")).toBe("a&b%3Bc_d_e");
  expect(vepEscape("rs123")).toBe("rs123");
});

test("Allele: VEP drops the shared first base of indel records only", () => {
  expect(vepAllele("C", "T", "T")).toBe("T");
  expect(vepAllele("CA", "C", "C")).toBe("-");
  expect(vepAllele("C", "CTT", "CTT")).toBe("TT");
  expect(vepAllele("CA", "C,CAA", "CAA")).toBe("AA");
  // A SNV ALT beside an indel ALT with another first base: nothing is dropped.
  expect(vepAllele("C", "CT,G", "CT")).toBe("CT");
  // MNV record (no length change): as written.
  expect(vepAllele("CA", "TG", "TG")).toBe("TG");
  expect(vepAllele("CA", "C,*", "*")).toBe("*");
});

describe.each([1, -1] as Strand[])("CSQ on a coding transcript, strand %d", (strand) => {
  const fx = buildFixture(CODING_SPEC, strand);
  const c = (n: number) => fx.cdna(n + 10);
  const one = (k: number, ref: string, alt: string) => csqOf(fx, [fx.allele(k, ref, alt)])[0]!;
  const pick = (e: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, e[k]]));
  const CODING = ["EXON", "INTRON", "HGVSc", "HGVSp", "cDNA_position", "CDS_position", "Protein_position", "Amino_acids", "Codons"];

  test("missense SNV: every column", () => {
    expect(one(c(5), "C", "A")).toEqual({
      Allele: strand === 1 ? "A" : "T",
      Consequence: "missense_variant",
      IMPACT: "MODERATE",
      SYMBOL: "TESTG",
      Gene: "ENSGTEST",
      Feature_type: "Transcript",
      Feature: "ENSTTEST",
      BIOTYPE: "protein_coding",
      EXON: "1/3",
      INTRON: "",
      HGVSc: "ENSTTEST.1:c.5C>A",
      HGVSp: "ENSTTEST.1:p.Ala2Asp",
      cDNA_position: "15",
      CDS_position: "5",
      Protein_position: "2",
      Amino_acids: "A/D",
      Codons: "gCt/gAt",
      Existing_variation: "",
      DISTANCE: "",
      STRAND: String(strand),
      FLAGS: "",
      SYMBOL_SOURCE: "",
      HGNC_ID: "",
      CANONICAL: "",
      MANE_SELECT: "",
    });
  });

  test("synonymous: one amino acid, p.= escaped as %3D", () => {
    expect(pick(one(c(6), "T", "C"), ["Consequence", "HGVSp", "Amino_acids", "Codons"])).toEqual({
      Consequence: "synonymous_variant",
      HGVSp: "ENSTTEST.1:p.Ala2%3D",
      Amino_acids: "A",
      Codons: "gcT/gcC",
    });
  });

  test("frameshift deletion: VEP's long HGVSp form (no stop in the new frame: Ter?), partial codon X", () => {
    expect(pick(one(c(9), "A", ""), ["Consequence", "HGVSp", "cDNA_position", "Amino_acids", "Codons"])).toEqual({
      Consequence: "frameshift_variant",
      HGVSp: "ENSTTEST.1:p.Gly4AlafsTer?",
      cDNA_position: "19",
      Amino_acids: "K/X",
      Codons: "aaA/aa",
    });
    expect(pick(one(c(43), "TT", ""), ["cDNA_position", "CDS_position", "Protein_position", "Amino_acids", "Codons"])).toEqual({
      cDNA_position: "53-54",
      CDS_position: "43-44",
      Protein_position: "15",
      Amino_acids: "F/X",
      Codons: "TTc/c",
    });
  });

  test("insertion inside a codon and between codons; in-frame deletion of a codon", () => {
    expect(pick(one(c(8), "", "GGG"), ["HGVSc", "cDNA_position", "CDS_position", "Protein_position", "Amino_acids", "Codons"])).toEqual({
      HGVSc: "ENSTTEST.1:c.7_8insGGG",
      cDNA_position: "17-18",
      CDS_position: "7-8",
      Protein_position: "3",
      Amino_acids: "K/RE",
      Codons: "aaa/aGGGaa",
    });
    expect(pick(one(c(7), "", "GGG"), ["Consequence", "HGVSp", "CDS_position", "Protein_position", "Amino_acids", "Codons"])).toEqual({
      Consequence: "inframe_insertion",
      HGVSp: "ENSTTEST.1:p.Ala2_Lys3insGly",
      CDS_position: "6-7",
      Protein_position: "2-3",
      Amino_acids: "-/G",
      Codons: "-/GGG",
    });
    expect(pick(one(c(7), "AAA", ""), ["Consequence", "HGVSp", "CDS_position", "Amino_acids", "Codons"])).toEqual({
      Consequence: "inframe_deletion",
      HGVSp: "ENSTTEST.1:p.Lys3del",
      CDS_position: "7-9",
      Amino_acids: "K/-",
      Codons: "AAA/-",
    });
  });

  test("stop lost: the extension counted as VEP and HGVS do (the new stop is the 3rd codon after position 17)", () => {
    // c.50A>C: TAA → TCA (Ser), then GCT CAG TAG: Ala, Gln, stop at *3.
    expect(pick(one(c(50), "A", "C"), ["Consequence", "HGVSp", "Amino_acids", "Codons", "Protein_position"])).toEqual({
      Consequence: "stop_lost",
      HGVSp: "ENSTTEST.1:p.Ter17SerextTer3",
      Amino_acids: "*/S",
      Codons: "tAa/tCa",
      Protein_position: "17",
    });
  });

  test("intron and exon/intron boundary: INTRON, EXON and INTRON, positions with ? for the intronic end", () => {
    expect(pick(one(fx.intron(1, 5), "G", "C"), ["Consequence", ...CODING])).toEqual({
      Consequence: "splice_donor_5th_base_variant&intron_variant",
      EXON: "",
      INTRON: "1/2",
      HGVSc: "ENSTTEST.1:c.20+5G>C",
      HGVSp: "",
      cDNA_position: "",
      CDS_position: "",
      Protein_position: "",
      Amino_acids: "",
      Codons: "",
    });
    expect(pick(one(c(19), "CAGT", ""), CODING)).toEqual({
      EXON: "1/3",
      INTRON: "1/2",
      HGVSc: "ENSTTEST.1:c.19_20+2del",
      HGVSp: "",
      cDNA_position: "29-?",
      CDS_position: "19-?",
      Protein_position: "7-?",
      Amino_acids: "",
      Codons: "",
    });
  });

  test("upstream: DISTANCE, and no positions or HGVS (VEP gives them only within the transcript)", () => {
    const e = one(50, CODING_SPEC.upstream[49]!, CODING_SPEC.upstream[49] === "A" ? "C" : "A");
    expect(pick(e, ["Consequence", "DISTANCE", "STRAND", ...CODING])).toEqual({
      Consequence: "upstream_gene_variant",
      DISTANCE: "11",
      STRAND: String(strand),
      EXON: "",
      INTRON: "",
      HGVSc: "",
      HGVSp: "",
      cDNA_position: "",
      CDS_position: "",
      Protein_position: "",
      Amino_acids: "",
      Codons: "",
    });
  });

  test("SNVs at every position: the rank / consequence-code shortcut gives what the general computation gives", () => {
    const l = layoutOf(fx.transcript);
    const range = { lo: 0, hi: 0 };
    const text = (r: { lo: number; hi: number }, total: number) =>
      r.lo === 0 ? "" : `${r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`}/${total}`;
    const pos = (a: number, b: number) => (a === 0 && b === 0 ? "" : a === b ? String(a) : `${a || "?"}-${b || "?"}`);
    const written = fx.transcript.end - fx.transcript.start + 1 + CODING_SPEC.upstream.length + CODING_SPEC.downstream.length;
    let exonic = 0;
    for (let k = CODING_SPEC.upstream.length + 1; k <= written - CODING_SPEC.downstream.length; k++) {
      const g = fx.g(k);
      const base = fx.genome.slice(g, g);
      const allele: Allele = { contig: "T", start: g, end: g, ref: base, alt: base === "A" ? "C" : "A", vcfAlt: base === "A" ? "C" : "A" };
      const [e] = csqOf(fx, [allele]);
      const s = txSpan(l, allele, { cdna5: 0, cdna3: 0, cds5: 0, cds3: 0 });
      expect([k, e!.EXON, e!.INTRON, e!.cDNA_position, e!.CDS_position]).toEqual([
        k,
        text(exonRange(l, g, g, range), 3),
        text(intronRange(l, g, g, range), 2),
        pos(s.cdna5, s.cdna3),
        pos(s.cds5, s.cds3),
      ]);
      if (e!.EXON) exonic++;
    }
    expect(exonic).toBe(85);
  });

  test("a multi-allelic record: entries in allele order, each with its VEP allele", () => {
    const ins = fx.allele(c(8), "", "GGG");
    const snv = fx.allele(c(5), "C", "A");
    const entries = csqOf(fx, [ins, snv], "N", `${ins.vcfAlt},${snv.vcfAlt}`);
    expect(entries.map((e) => e.Consequence)).toEqual(["protein_altering_variant", "missense_variant"]);
    expect(entries.map((e) => e.Allele)).toEqual([ins.vcfAlt, snv.vcfAlt]);
  });

  test("HGVSc copied from the ANN entries just written is what CSQ writes on its own; spans of other effects are ignored", () => {
    const writer = new CsqWriter([], () => fx.seq);
    const csqAlone = (effects: AlleleEffect[]) => {
      const out = new ByteBuilder(64);
      writer.write(out, "N", "A", effects, []);
      return out.toString();
    };
    const afterAnn = (effects: AlleleEffect[], spansFor: AlleleEffect[]) => {
      const out = new ByteBuilder(64);
      const spans = new HgvsCSpans();
      writeEffects(out, spansFor, spans);
      const from = out.length;
      writer.write(out, "N", "A", effects, [], null, spans);
      return out.toString().slice(out.toString().length - (out.length - from));
    };
    const upstream = CODING_SPEC.upstream.length;
    const last = fx.transcript.end - fx.transcript.start + 1 + upstream + CODING_SPEC.downstream.length;
    let compared = 0;
    for (let k = 1; k <= last - 3; k++) {
      const g = fx.g(k);
      const base = fx.genome.slice(g, g);
      const snv: Allele = { contig: "T", start: g, end: g, ref: base, alt: base === "A" ? "C" : "A", vcfAlt: base === "A" ? "C" : "A" };
      // SNVs, deletions and insertions in the flanks, exons and introns (both strands: describe.each).
      const del: Allele = { contig: "T", start: g, end: g + 1, ref: fx.genome.slice(g, g + 1), alt: "", vcfAlt: "A" };
      const ins: Allele = { contig: "T", start: g, end: g - 1, ref: "", alt: "TG", vcfAlt: "ATG" };
      for (const allele of [snv, del, ins]) {
        const e = transcriptEffect(allele, fx.transcript, fx.seq, fx.genome, 5000);
        if (e === null) continue;
        const effects = [e];
        const alone = csqAlone(effects);
        expect(afterAnn(effects, effects)).toBe(alone);
        // Spans recorded for another effects array (ANN written with --pick's choice) are not used.
        const other = transcriptEffect(fx.allele(c(5), "C", "A"), fx.transcript, fx.seq, fx.genome, 5000)!;
        expect(afterAnn(effects, [other])).toBe(alone);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });
});

describe("transcript flags, tags and known variants", () => {
  test("FLAGS from an incomplete CDS, CANONICAL from the Ensembl_canonical tag", () => {
    const fx = buildFixture({ ...CODING_SPEC, cds: { start: 11, end: 61, startIncomplete: true, endIncomplete: true } }, 1);
    fx.transcript.tags.push("Ensembl_canonical");
    const e = csqOf(fx, [fx.allele(fx.cdna(15), "C", "A")])[0]!;
    expect([e.FLAGS, e.CANONICAL]).toEqual(["cds_start_NF&cds_end_NF", "YES"]);
  });

  test("a frameshift whose new frame reaches a stop: p.Ala2LeufsTer3", () => {
    // CDS ATG GCT AAA GTA ACT TGG TAA; deleting c.4 G gives ATG CTA AAG TAA: Leu at 2, stop at codon 4.
    const fx = buildFixture(
      { upstream: "CCCCC", exons: ["GGATGGCTAAAGTAACTTGGTAAGGCC"], introns: [], downstream: "CCCCC", cds: { start: 3, end: 23 } },
      -1,
    );
    const e = csqOf(fx, [fx.allele(5 + 2 + 4, "G", "")])[0]!;
    expect([e.Consequence, e.HGVSp, e.Amino_acids]).toEqual(["frameshift_variant", "ENSTTEST.1:p.Ala2LeufsTer3", "A/X"]);
  });

  test("known variants: Existing_variation and the frequency / ClinVar columns per allele, empty for a novel allele", () => {
    const fx = buildFixture(CODING_SPEC, 1);
    const keys = ["KNOWN_AF", "KNOWN_CLIN_SIG"];
    const writer = new CsqWriter(keys, () => fx.seq);
    const a = fx.allele(fx.cdna(15), "C", "A");
    const b = fx.allele(fx.cdna(15), "C", "G");
    const effects = [a, b].map(
      (x) => transcriptEffect(x, fx.transcript, fx.seq, fx.genome, 5000, new AlleleEffect(x, finishTerms([SO.intergenic])))!,
    );
    const out = new ByteBuilder(64);
    writer.write(out, "C", "A,G", effects, [
      { ids: ["rs1", "COSV2"], info: { KNOWN_AF: "0.25", KNOWN_CLIN_SIG: "benign|likely_benign" } },
      null,
    ]);
    const entries = parseCsq(csqHeaderLine(keys), out.toString());
    expect(entries.map((e) => [e.Allele, e.Existing_variation, e.AF, e.CLIN_SIG])).toEqual([
      ["A", "rs1&COSV2", "0.25", "benign&likely_benign"],
      ["G", "", "", ""],
    ]);
  });

  test("an intergenic entry: the consequence, every other transcript column empty", () => {
    const allele: Allele = { contig: "T", start: 100, end: 100, ref: "C", alt: "A", vcfAlt: "A" };
    const out = new ByteBuilder(64);
    new CsqWriter([], () => null).write(out, "C", "A", [new AlleleEffect(allele, finishTerms([SO.intergenic]))], []);
    const [e] = parseCsq(csqHeaderLine([]), out.toString());
    expect(Object.entries(e!).filter(([, v]) => v !== "")).toEqual([
      ["Allele", "A"],
      ["Consequence", "intergenic_variant"],
      ["IMPACT", "MODIFIER"],
    ]);
  });
});

describe.each([1, -1] as Strand[])("identity columns from the models, strand %d", (strand) => {
  const fx = buildFixture(CODING_SPEC, strand);
  const withXrefs = (extra: Partial<typeof fx.transcript>) => ({
    ...fx.transcript,
    ...extra,
    tags: [...fx.transcript.tags, ...(extra.tags ?? [])],
  });
  const entryOn = (
    t: typeof fx.transcript,
    writer = new CsqWriter([], () => fx.seq),
    picked: number[] | null = null,
    header = csqHeaderLine([]),
  ) => {
    const a = fx.allele(fx.cdna(15), "C", "A");
    const out = new ByteBuilder(64);
    const effects = [transcriptEffect(a, t, fx.seq, fx.genome, 5000)!];
    writer.write(out, "N", "A", effects, [], picked);
    return parseCsq(header, out.toString())[0]!;
  };

  test("HGVSp names the protein (ENSP….version:p.) as VEP does; no version when the models give none", () => {
    expect(entryOn(withXrefs({ proteinId: "ENSP00000284967", proteinVersion: 6 })).HGVSp).toBe("ENSP00000284967.6:p.Ala2Asp");
    expect(entryOn(withXrefs({ proteinId: "ENSP00000284967" })).HGVSp).toBe("ENSP00000284967:p.Ala2Asp");
    expect(entryOn(withXrefs({ proteinId: "NP_059142.2" })).HGVSp).toBe("NP_059142.2:p.Ala2Asp");
    // HGVSc keeps the transcript.
    expect(entryOn(withXrefs({ proteinId: "ENSP00000284967", proteinVersion: 6 })).HGVSc).toBe("ENSTTEST.1:c.5C>A");
  });

  test("SYMBOL_SOURCE, HGNC_ID, CANONICAL, MANE_SELECT", () => {
    const e = entryOn(
      withXrefs({ hgncId: "HGNC:14027", symbolSource: "HGNC", maneSelect: "NM_017446.3", tags: ["Ensembl_canonical", "MANE_Select"] }),
    );
    expect([e.SYMBOL_SOURCE, e.HGNC_ID, e.CANONICAL, e.MANE_SELECT]).toEqual(["HGNC", "HGNC:14027", "YES", "NM_017446.3"]);
  });

  test("--flag-pick: a PICK column after FLAGS, 1 on the chosen entry and empty on the others", () => {
    const header = csqHeaderLine([], true);
    expect(header).toContain("|STRAND|FLAGS|PICK|SYMBOL_SOURCE|");
    const writer = new CsqWriter([], () => fx.seq, "flag-pick");
    const t = withXrefs({ hgncId: "HGNC:1", symbolSource: "HGNC" });
    expect(entryOn(t, writer, [1], header)).toMatchObject({ FLAGS: "", PICK: "1", SYMBOL_SOURCE: "HGNC", HGNC_ID: "HGNC:1" });
    expect(entryOn(t, writer, [0], header)).toMatchObject({ PICK: "", SYMBOL_SOURCE: "HGNC" });
    const allele: Allele = { contig: "T", start: 100, end: 100, ref: "C", alt: "A", vcfAlt: "A" };
    const out = new ByteBuilder(64);
    writer.write(out, "C", "A", [new AlleleEffect(allele, finishTerms([SO.intergenic]))], [], [1]);
    expect(parseCsq(header, out.toString())[0]).toMatchObject({
      Consequence: "intergenic_variant",
      PICK: "1",
      STRAND: "",
      MANE_SELECT: "",
    });
  });
});

test("--pick / --pick-allele / --per-gene: only the chosen entries, each allele with its own known-variant columns", () => {
  const fx = buildFixture(CODING_SPEC, -1);
  const keys = ["KNOWN_AF"];
  const a = fx.allele(fx.cdna(15), "C", "A");
  const b = fx.allele(fx.cdna(15), "C", "G");
  const effects = [a, b].map(
    (x) => transcriptEffect(x, fx.transcript, fx.seq, fx.genome, 5000, new AlleleEffect(x, finishTerms([SO.intergenic])))!,
  );
  const matches = [
    { ids: ["rs1"], info: { KNOWN_AF: "0.25" } },
    { ids: ["rs2"], info: { KNOWN_AF: "0.5" } },
  ];
  const write = (mode: "pick" | "none", picked: number[] | null) => {
    const out = new ByteBuilder(64);
    new CsqWriter(keys, () => fx.seq, mode).write(out, "G", "T,C", effects, matches, picked);
    return parseCsq(csqHeaderLine(keys), out.toString()).map((e) => [e.Allele, e.Existing_variation, e.AF]);
  };
  // The first allele's entry dropped: the second keeps its own rsID and AF.
  expect(write("pick", [0, 1])).toEqual([["C", "rs2", "0.5"]]);
  expect(write("pick", [1, 0])).toEqual([["T", "rs1", "0.25"]]);
  expect(write("none", [0, 1])).toEqual([
    ["T", "rs1", "0.25"],
    ["C", "rs2", "0.5"],
  ]);
});
