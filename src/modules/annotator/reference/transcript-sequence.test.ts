import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Transcript } from "../model.ts";
import { createWindow, openGenome, type GenomeReader } from "./fasta-reader.ts";
import { parseGeneModels } from "./gene-model-parser.ts";
import { DEMO_FASTA, GENES_GFF3_GZ, GENES_GTF_GZ, translate } from "../../../../test/support/engine/reference-fixture.ts";
import { buildTranscriptSequence, cdnaOffset, createTranscriptSequenceCache, reverseComplement } from "./transcript-sequence.ts";

let genome: GenomeReader;
let gtf: Transcript[];
beforeAll(async () => {
  genome = await openGenome(DEMO_FASTA);
  gtf = (await parseGeneModels(GENES_GTF_GZ)).transcripts;
});
afterAll(() => genome.close());

describe("buildTranscriptSequence", () => {
  test("spliced cDNA in transcript orientation with CDS offsets, on a synthetic contig", () => {
    //            1234567890123456789012345
    const seq = "AAATGCCCGGGTTTAAAGGGCCCTAAA";
    const window = createWindow("c", seq.length, 1, seq.length, 1, seq);
    const plus: Transcript = {
      id: "P",
      version: null,
      geneId: "G",
      geneName: "G",
      biotype: "protein_coding",
      contig: "c",
      strand: 1,
      start: 2,
      end: 27,
      exons: [
        { start: 2, end: 9 },
        { start: 15, end: 27 },
      ],
      coding: { start: 3, end: 24, startIncomplete: false, endIncomplete: false, startPhase: 0 },
      codonTable: 1,
      tags: [],
    };
    expect(buildTranscriptSequence(plus, window)).toEqual({ cdna: "AATGCCCGAAAGGGCCCTAAA", cdsStart: 1, cdsEnd: 18 });
    const minus: Transcript = { ...plus, id: "M", strand: -1 };
    const s = buildTranscriptSequence(minus, window);
    expect(s.cdna).toBe(reverseComplement("AATGCCCGAAAGGGCCCTAAA"));
    // coding.end (24) is the 5' end on the minus strand: offset 3 of the reversed cDNA.
    expect([s.cdsStart, s.cdsEnd]).toEqual([3, 20]);
    expect(cdnaOffset(minus, 27)).toBe(0);
    expect(cdnaOffset(minus, 10)).toBe(-1);
  });

  test("the 16 fully covered protein-coding GTF transcripts translate to M…* without internal stops", async () => {
    const cache = createTranscriptSequenceCache(genome);
    const coding = gtf.filter((t) => t.coding !== null);
    await cache.ensure(coding);
    const covered = coding.filter((t) => !cache.get(t).cdna.includes("N"));
    const proteinCoding = covered.filter((t) => t.biotype === "protein_coding");
    expect(proteinCoding.length).toBe(16);
    expect(new Set(proteinCoding.map((t) => t.geneName))).toEqual(new Set(["MRPL39", "JAM2", "ATP5J", "GABPA"]));
    for (const t of covered) {
      const s = cache.get(t);
      const protein = translate(s.cdna.slice(s.cdsStart + t.coding!.startPhase, s.cdsEnd));
      const incomplete = t.coding!.startIncomplete || t.coding!.endIncomplete;
      if (t.id === "ENST00000460679") expect(t.coding!.startIncomplete).toBe(true);
      if (t.id.startsWith("ENST00000419219")) expect(t.coding!.endIncomplete).toBe(true);
      if (!incomplete) {
        expect(`${t.id} ${protein[0]}…${protein.at(-1)}`).toBe(`${t.id} M…*`);
        expect((s.cdsEnd - s.cdsStart) % 3).toBe(0);
      }
      expect(protein.slice(0, -1)).not.toContain("*");
    }
    expect(
      covered
        .filter((t) => t.coding!.startIncomplete || t.coding!.endIncomplete)
        .map((t) => t.id)
        .sort(),
    ).toEqual(["ENST00000419219", "ENST00000419219_1", "ENST00000460679"]);
    // MRPL39 ENST00000307301: 353 aa + stop; c.*18 (rs142513484) is cDNA position 1122 in VEP's output.
    const mrpl39 = gtf.find((t) => t.id === "ENST00000307301")!;
    const s = cache.get(mrpl39);
    expect((s.cdsEnd - s.cdsStart) / 3).toBe(354);
    expect(s.cdsEnd + 18).toBe(1122);
  });

  test("GFF3 and GTF models give the same sequences", async () => {
    const gff3 = (await parseGeneModels(GENES_GFF3_GZ)).transcripts.filter((t) => t.start >= 25_500_000 && t.end <= 25_800_000);
    const cache = createTranscriptSequenceCache(genome);
    const pairs = gff3
      .map((a) => [a, gtf.find((b) => b.id === a.id)] as const)
      .filter((p): p is readonly [Transcript, Transcript] => p[1] !== undefined);
    expect(pairs.length).toBeGreaterThan(20);
    await cache.ensure(pairs.flat());
    for (const [a, b] of pairs) expect(cache.get(a)).toEqual(cache.get(b));
  });
});

describe("createTranscriptSequenceCache", () => {
  test("get() needs ensure(); the cache stays bounded but never evicts the current batch", async () => {
    const cache = createTranscriptSequenceCache(genome, 4);
    const ts = gtf.slice(0, 10);
    expect(() => cache.get(ts[0]!)).toThrow(/not loaded; call ensure\(\)/);
    await cache.ensure(ts.slice(0, 3));
    await cache.ensure(ts.slice(3, 6));
    expect(cache.size).toBe(4);
    expect(() => cache.get(ts[0]!)).toThrow();
    expect(cache.get(ts[5]!).cdna.length).toBe(ts[5]!.exons.reduce((n, e) => n + e.end - e.start + 1, 0));
    await cache.ensure(ts); // a batch larger than the capacity
    for (const t of ts) expect(cache.get(t).cdna.length).toBeGreaterThan(0);
  });
});
