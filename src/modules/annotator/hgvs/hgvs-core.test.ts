/** Coordinate mapping, 3′ shifting and codon tables, checked on small hand-made inputs. */
import { expect, test } from "bun:test";
import type { Transcript } from "../model.ts";
import { isStart, isStop, translate, translateCodon } from "../consequence/codon-tables.ts";
import { cdnaBases, shift3Prime } from "./shift-3prime.ts";
import { formatTxPos, layoutOf, toTxPos } from "./transcript-coordinates.ts";

function tx(strand: 1 | -1, coding: Transcript["coding"]): Transcript {
  // Exons 101–110, 201–220, 301–305 (10 + 20 + 5 = 35 cDNA bases); introns 111–200 and 221–300.
  return {
    id: "T",
    version: null,
    geneId: "G",
    geneName: "G",
    biotype: "protein_coding",
    contig: "1",
    strand,
    start: 101,
    end: 305,
    exons: [
      { start: 101, end: 110 },
      { start: 201, end: 220 },
      { start: 301, end: 305 },
    ],
    coding,
    codonTable: 1,
    tags: [],
  };
}

test("plus strand: exonic, intronic (nearest boundary, middle base goes to +), flanks", () => {
  // CDS cDNA 6–32 (genomic 106 … 302).
  const l = layoutOf(tx(1, { start: 106, end: 302, startIncomplete: false, endIncomplete: false, startPhase: 0 }));
  const f = (g: number) => {
    const p = toTxPos(l, g);
    return formatTxPos(l, p.cdna, p.offset);
  };
  expect([l.cdsStart, l.cdsEnd, l.cdnaLength, l.featureId]).toEqual([6, 32, 35, "T"]);
  expect(f(106)).toBe("1"); // first CDS base
  expect(f(101)).toBe("-5"); // cDNA 1
  expect(f(305)).toBe("*3"); // cDNA 35, CDS ends at 32
  expect(f(111)).toBe("5+1"); // cDNA 10 = c.5
  expect(f(200)).toBe("6-1"); // cDNA 11 = c.6
  // Intron 111–200 has 90 bases: 155 is +45 from the donor and -46 from the acceptor; 156 is +46 / -45.
  expect(f(155)).toBe("5+45");
  expect(f(156)).toBe("6-45");
  expect(f(91)).toBe("-15"); // 10 bases 5′ of cDNA 1 (5′UTR is 5 bases)
  expect(f(310)).toBe("*8"); // 5 bases 3′ of cDNA 35
});

test("minus strand: the transcript starts at genomic 305", () => {
  const l = layoutOf(tx(-1, null));
  const f = (g: number) => {
    const p = toTxPos(l, g);
    return formatTxPos(l, p.cdna, p.offset);
  };
  expect(f(305)).toBe("1");
  expect(f(301)).toBe("5");
  expect(f(300)).toBe("5+1");
  expect(f(221)).toBe("6-1");
  expect(f(101)).toBe("35");
  expect(f(310)).toBe("-5");
  expect(f(95)).toBe("*6");
});

test("3′ shifting in a cDNA: deletion and insertion in a run, bounded by the region end", () => {
  const b = cdnaBases("GCAAAAGT"); // positions 1..8
  // Delete A at 3 (run 3–6): moves to 6.
  expect(shift3Prime(3, 3, "A", 8, b)).toEqual({ start: 6, end: 6, seq: "A", moved: 3 });
  // Same, bounded at 5: stops at 5.
  expect(shift3Prime(3, 3, "A", 5, b).start).toBe(5);
  // Insert AA before 3: moves to before 7 (4 bases of A follow).
  expect(shift3Prime(3, 2, "AA", 8, b)).toEqual({ start: 7, end: 6, seq: "AA", moved: 4 });
  // Rotation: delete "CA" at 2–3 in GCACAT → moves to 4–5 as "CA"; in GCACAG T: check rotation of "AC".
  expect(shift3Prime(3, 4, "AC", 6, cdnaBases("GCACAT"))).toEqual({ start: 4, end: 5, seq: "CA", moved: 1 });
});

test("codon tables: standard vs vertebrate mitochondrial", () => {
  expect(translate("ATGTGAAGATAA", 1)).toBe("M*R*");
  expect(translate("ATGTGAAGATAA", 2)).toBe("MW**");
  expect(translate("ATGAT", 1)).toBe("MX"); // partial codon
  expect(translateCodon("ANG", 1)).toBe("X");
  expect([isStop("AGG", 2), isStop("AGG", 1), isStart("ATA", 2), isStart("ATA", 1), isStart("ATG", 1)]).toEqual([
    true,
    false,
    true,
    false,
    true,
  ]);
});
