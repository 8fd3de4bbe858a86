import { describe, expect, test } from "bun:test";
import { splitAlleles } from "./allele.ts";
import { svClassOf } from "./structural-allele.ts";
import { VcfRecord } from "./vcf-reader.ts";

const rec = (pos: number, alts: string, info: string) => new VcfRecord(7, "21", pos, ".", "T", alts, ".", ".", info, "");

describe("symbolic structural-variant ALTs, read as VEP reads them", () => {
  test("classes: VEP's get_SO_term and %SO_TERMS", () => {
    const classes = [
      "<DEL>",
      "<DUP>",
      "<DUP:TANDEM>",
      "<INV>",
      "<INS>",
      "<INS:ME>",
      "<INS:ME:ALU>",
      "<INS:ME:L1>",
      "<DEL:ME:SVA>",
      "<CNV>",
      "<CN0>",
      "<CN2>",
      "<CN3>",
    ];
    expect(classes.map(svClassOf)).toEqual([
      "deletion",
      "duplication",
      "tandem_duplication",
      "inversion",
      "insertion",
      "mobile_element_insertion",
      "Alu_insertion",
      "LINE1_insertion",
      "SVA_deletion",
      "copy_number_variation",
      "deletion",
      "duplication",
      "copy_number_variation",
    ]);
    expect(svClassOf("<NON_REF>")).toBeNull();
    expect(svClassOf("<CPX>")).toBeNull();
  });

  test("span: POS + 1 to END (VEP's t/Parser_VCF.t: T <DUP> END=25587769 at 25587758)", () => {
    const [a] = splitAlleles(rec(25587758, "<DUP>", "SVTYPE=DUP;END=25587769"), "21").alleles;
    expect(a).toMatchObject({ start: 25587759, end: 25587769, vcfAlt: "<DUP>", sv: { soClass: "duplication", gain: true, loss: false } });
  });

  test("without END, POS + |SVLEN| (per ALT)", () => {
    const { alleles } = splitAlleles(rec(25587758, "<DEL>,<DUP>", "SVLEN=-11,20"), "21");
    expect(alleles.map((a) => [a.start, a.end, a.sv?.loss])).toEqual([
      [25587759, 25587769, true],
      [25587759, 25587778, false],
    ]);
  });

  test("an insertion is a point between POS and POS + 1 whatever SVLEN says", () => {
    const [a] = splitAlleles(rec(1000, "<INS:ME:ALU>", "SVTYPE=INS;SVLEN=300"), "21").alleles;
    expect(a).toMatchObject({ start: 1001, end: 1000, sv: { soClass: "Alu_insertion", insertion: true } });
  });

  test("a deletion with neither END nor SVLEN, or ending before it starts, is skipped with the reason", () => {
    expect(splitAlleles(rec(1000, "<DEL>", "."), "21").skipped).toEqual([
      { alt: "<DEL>", reason: "structural variant <DEL> has no END or SVLEN" },
    ]);
    expect(splitAlleles(rec(1000, "<INV>", "END=900"), "21").skipped[0]?.reason).toBe(
      "structural variant <INV> ends (END=900) before it starts (1001)",
    );
  });
});
