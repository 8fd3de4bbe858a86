import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Transcript } from "../model.ts";
import { parseGeneModels } from "./gene-model-parser.ts";
import { GENES_GFF3_GZ, GENES_GTF_GZ, REFSEQ_GFF3_GZ } from "../../../../test/support/engine/reference-fixture.ts";

const toFasta21 = (n: string) => (n === "21" || n === "NC_000021.9" ? "21" : n === "chrM" || n === "MT" ? "MT" : null);
const byId = (ts: Transcript[], id: string) => {
  const t = ts.find((x) => x.id === id);
  if (!t) throw new Error(`${id} not parsed`);
  return t;
};

let gff3: Transcript[];
let gtf: Transcript[];
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-genes-"));
  gtf = (await parseGeneModels(GENES_GTF_GZ)).transcripts;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the real Ensembl 84 chr21 files", () => {
  test("GFF3 (BGZF): 835 genes and 2,414 transcripts, parsed well under 2 s", async () => {
    const t0 = performance.now();
    const r = await parseGeneModels(GENES_GFF3_GZ);
    const ms = performance.now() - t0;
    console.log(`parse GFF3 (4.96 MB, BGZF): ${ms.toFixed(0)} ms`);
    gff3 = r.transcripts;
    expect(r.format).toBe("gff3");
    expect(gff3.length).toBe(2414);
    expect(new Set(gff3.map((t) => t.geneId)).size).toBe(835);
    expect(gff3.reduce((n, t) => n + t.exons.length, 0)).toBeGreaterThan(13_000);
    expect(gff3.some((t) => /[:]/.test(t.id) || /[:]/.test(t.geneId))).toBe(false);
    expect(ms).toBeLessThan(2000);
  });

  test("Ensembl 84 feature types act as transcripts, biotype from biotype=", () => {
    const biotypes = new Map<string, number>();
    for (const t of gff3) biotypes.set(t.biotype, (biotypes.get(t.biotype) ?? 0) + 1);
    // lincRNA rows, NMD_transcript_variant, aberrant_processed_transcript (retained_intron), pseudogenic_transcript
    expect(biotypes.get("lincRNA")).toBe(377);
    expect(biotypes.get("nonsense_mediated_decay")).toBe(95);
    expect(biotypes.get("retained_intron")).toBe(235);
    expect(biotypes.get("protein_coding")).toBe(839);
    expect(gff3.filter((t) => t.biotype.includes("pseudogene")).length).toBeGreaterThan(150);
  });

  test("GTF in coordinate order: 103 transcripts", () => {
    expect(gtf.length).toBe(103);
    expect(new Set(gtf.map((t) => t.geneId)).size).toBe(42);
  });

  test("ENST00000307301 (MRPL39) agrees between GFF3 and GTF, stop codon inside the coding span", () => {
    const a = byId(gff3, "ENST00000307301");
    const b = byId(gtf, "ENST00000307301");
    expect(a).toMatchObject({
      geneName: "MRPL39",
      geneId: "ENSG00000154719",
      strand: -1,
      version: 11,
      contig: "21",
      start: 25585656,
      end: 25607517,
      codonTable: 1,
    });
    expect(a.exons.length).toBe(11);
    // GFF3 CDS rows include the stop codon (25585751-3); GTF CDS rows stop at 25585754 plus a stop_codon row.
    expect(a.coding).toEqual({ start: 25585751, end: 25607475, startIncomplete: false, endIncomplete: false, startPhase: 0 });
    // The files differ only in what each dialect carries: the GFF3 gene description names the HGNC
    // ID ([Source:HGNC Symbol;Acc:HGNC:14027]), the GTF gives protein_version; the GFF3's ccdsid
    // has a version, the GTF's ccds_id none.
    expect(a).toMatchObject({ proteinId: "ENSP00000305682", hgncId: "HGNC:14027", symbolSource: "HGNC", tsl: 5, ccds: "CCDS33522.1" });
    expect(b).toMatchObject({ proteinId: "ENSP00000305682", proteinVersion: 7, tsl: 5, ccds: "CCDS33522" });
    const { tags: _t1, hgncId: _h, symbolSource: _s, ccds: _c1, ...restA } = a;
    const { tags: _t2, proteinVersion: _v, ccds: _c2, ...restB } = b;
    expect(restB).toEqual(restA);
    expect(b.tags.sort()).toEqual(["CCDS", "basic"]);
  });

  test("multi-parent ENST00000419219 / ENST00000419219_1: both present, same model, in GFF3 and GTF", () => {
    for (const ts of [gff3, gtf]) {
      const a = byId(ts, "ENST00000419219");
      const b = byId(ts, "ENST00000419219_1");
      expect(a.exons.length).toBe(8);
      expect(b.exons).toEqual(a.exons);
      expect(b.coding!.start).toBe(a.coding!.start);
    }
    // The GTF says cds_end_NF; the GFF3 does not (bundle.ts infers it from the sequence).
    expect(byId(gtf, "ENST00000419219").coding!.endIncomplete).toBe(true);
    expect(byId(gtf, "ENST00000419219_1").coding!.endIncomplete).toBe(true);
  });

  test("cds_start_NF: from the GTF tag and from the GFF3 phase of the first CDS segment", () => {
    for (const ts of [gff3, gtf]) {
      const t = byId(ts, "ENST00000460679");
      expect(t.coding).toMatchObject({ startIncomplete: true, startPhase: 2, endIncomplete: false });
    }
    expect(byId(gtf, "ENST00000460679").tags).toContain("cds_start_NF");
  });

  test("RefSeq GFF3: NC_000021.9 maps to 21, 37 mRNA + 31 ncRNA, names from gene=/Name=, IDs from transcript_id=", async () => {
    const r = await parseGeneModels(REFSEQ_GFF3_GZ, { resolveContig: toFasta21 });
    const ts = r.transcripts;
    expect(ts.every((t) => t.contig === "21")).toBe(true);
    const mrna = ts.filter((t) => /^[NX]M_/.test(t.id));
    expect(mrna.length).toBe(37);
    expect(mrna.every((t) => t.biotype === "protein_coding" && t.coding !== null)).toBe(true);
    expect(ts.filter((t) => t.biotype === "lncRNA" || t.biotype === "miRNA").length).toBe(31);
    const nm = byId(ts, "NM_017446.3");
    expect(nm).toMatchObject({ geneName: "MRPL39", geneId: "54148", strand: -1 });
    expect(nm.coding!.end).toBe(25607475);
    expect(r.warnings).toEqual([]);
  });

  test("unresolvable contigs are kept as written, with a warning", async () => {
    const r = await parseGeneModels(REFSEQ_GFF3_GZ, { resolveContig: () => null });
    expect(r.transcripts.every((t) => t.contig === "NC_000021.9")).toBe(true);
    expect(r.warnings.join("\n")).toMatch(/contig 'NC_000021.9' \(81 transcripts\) is not in the genome FASTA/);
  });

  test("format told by content: a GTF named .gff3 and a GFF3 named .gtf", async () => {
    await copyFile(GENES_GTF_GZ, join(dir, "looks-like.gff3"));
    await copyFile(REFSEQ_GFF3_GZ, join(dir, "looks-like.gtf"));
    const a = await parseGeneModels(join(dir, "looks-like.gff3"));
    const b = await parseGeneModels(join(dir, "looks-like.gtf"));
    expect([a.format, a.transcripts.length]).toEqual(["gtf", 103]);
    expect([b.format, b.transcripts.length]).toEqual(["gff3", 81]);
  });
});

describe("synthetic gene models", () => {
  const write = async (name: string, text: string, gzip = false) => {
    const path = join(dir, name);
    await writeFile(path, gzip ? gzipSync(text) : text);
    return path;
  };

  test("GTF without exon rows: exons come from CDS + UTR + stop_codon; multi-ID rows; gene name falls back to the ID", async () => {
    const a = 'gene_id "G1"; transcript_id "T1,T2"; transcript_biotype "protein_coding";';
    const path = await write(
      "no-exons.gtf.gz",
      [
        `chrM\tx\tfive_prime_utr\t100\t109\t.\t+\t.\t${a}`,
        `chrM\tx\tCDS\t110\t199\t.\t+\t0\t${a}`,
        `chrM\tx\tstop_codon\t200\t202\t.\t+\t0\t${a}`,
        `chrM\tx\tthree_prime_utr\t203\t250\t.\t+\t.\t${a}`,
        `chrM\tx\tCDS\t300\t330\t.\t+\t2\t${a}`,
        "",
      ].join("\n"),
      true,
    );
    const r = await parseGeneModels(path, { resolveContig: toFasta21 });
    expect(r.format).toBe("gtf");
    expect(r.transcripts.map((t) => t.id)).toEqual(["T1", "T2"]);
    const t = r.transcripts[0]!;
    expect(t).toMatchObject({ contig: "MT", codonTable: 2, geneName: "G1", start: 100, end: 330 });
    expect(t.exons).toEqual([
      { start: 100, end: 250 },
      { start: 300, end: 330 },
    ]);
    expect(t.coding).toEqual({ start: 110, end: 330, startIncomplete: false, endIncomplete: false, startPhase: 0 });
  });

  test("GFF3: prefixes stripped, transcript:… parents with commas, minus-strand phase, tags, MT table", async () => {
    const path = await write(
      "model.gff",
      [
        "##gff-version 3",
        "MT\te\tgene\t1000\t2000\t.\t-\t.\tID=gene:G9;biotype=protein_coding",
        "MT\te\tmRNA\t1000\t2000\t.\t-\t.\tID=transcript:T9;Parent=gene:G9;tag=basic,cds_end_NF;version=3",
        "MT\te\tNMD_transcript_variant\t1000\t1200\t.\t-\t.\tID=transcript:T8;Parent=gene:G9;biotype=nonsense_mediated_decay",
        "MT\te\texon\t1000\t1200\t.\t-\t.\tParent=transcript:T9,transcript:T8",
        "MT\te\texon\t1500\t2000\t.\t-\t.\tParent=transcript:T9",
        "MT\te\tCDS\t1100\t1200\t.\t-\t0\tParent=transcript:T9",
        "MT\te\tCDS\t1500\t1900\t.\t-\t1\tParent=transcript:T9",
        "",
      ].join("\n"),
    );
    const [t8, t] = (await parseGeneModels(path)).transcripts;
    expect(t8).toMatchObject({ id: "T8", biotype: "nonsense_mediated_decay", exons: [{ start: 1000, end: 1200 }], coding: null });
    expect(t).toMatchObject({
      id: "T9",
      version: 3,
      geneId: "G9",
      geneName: "G9",
      codonTable: 2,
      strand: -1,
      tags: ["basic", "cds_end_NF"],
    });
    // The 5' CDS segment of a minus-strand transcript is the highest one (phase 1).
    expect(t!.coding).toEqual({ start: 1100, end: 1900, startIncomplete: true, endIncomplete: true, startPhase: 1 });
  });

  // Issue 15 §2.1: coordinates shifted below 1 on a few rows (`gene -15 38015`) must not reject the
  // file. bcftools csq reads such files and tabix only warns: rows the annotator does not need for
  // coordinates are kept for their attributes, transcripts with an invalid exon/CDS row are refused
  // by name, everything else is annotated.
  const shiftedGff3 = (strand: string) =>
    [
      "##gff-version 3",
      "21\te\tchromosome\t-15\t46709983\t.\t.\t.\tID=chromosome:21",
      `21\te\tgene\t-15\t38015\t.\t${strand}\t.\tID=gene:G1;Name=GENE1;biotype=protein_coding`,
      `21\te\tmRNA\t100\t900\t.\t${strand}\t.\tID=transcript:T1;Parent=gene:G1;biotype=protein_coding`,
      `21\te\texon\t100\t300\t.\t${strand}\t.\tParent=transcript:T1`,
      `21\te\texon\t500\t900\t.\t${strand}\t.\tParent=transcript:T1`,
      `21\te\tCDS\t151\t300\t.\t${strand}\t0\tParent=transcript:T1`,
      `21\te\tCDS\t500\t800\t.\t${strand}\t0\tParent=transcript:T1`,
      "21\te\tlnc_RNA\t-15\t900\t.\t*\t.\tID=transcript:T2;Parent=gene:G1;biotype=lincRNA",
      `21\te\texon\t100\t900\t.\t${strand}\t.\tParent=transcript:T2`,
      `21\te\tmRNA\t100\t900\t.\t${strand}\t.\tID=transcript:T3;Parent=gene:G1`,
      `21\te\texon\t-15\t300\t.\t${strand}\t.\tParent=transcript:T3`,
      `21\te\texon\t500\t900\t.\t${strand}\t.\tParent=transcript:T3`,
      `21\te\tmRNA\t100\t900\t.\t${strand}\t.\tID=transcript:T4;Parent=gene:G1`,
      `21\te\texon\t100\t900\t.\t${strand}\t.\tParent=transcript:T4`,
      `21\te\tCDS\t800\t151\t.\t${strand}\t0\tParent=transcript:T4`,
      `21\te\tCDS\t151\t300\t.\t${strand}\tx\tParent=transcript:T4`,
      "",
    ].join("\n");

  test.each(["+", "-"])(
    "GFF3 with invalid rows (strand %s): gene/chromosome rows warned and kept for attributes, bad exon/CDS rows refuse their transcript by name",
    async (strand) => {
      const path = await write(`shifted${strand}.gff3`, shiftedGff3(strand));
      const r = await parseGeneModels(path);
      expect(r.transcripts.map((t) => t.id)).toEqual(["T1", "T2"]);
      const [t1, t2] = r.transcripts;
      const s = strand === "+" ? 1 : -1;
      expect(t1).toMatchObject({ geneId: "G1", geneName: "GENE1", strand: s, start: 100, end: 900, coding: { start: 151, end: 800 } });
      // T2's own row is unusable (start -15, strand *): its span and strand come from its exon.
      expect(t2).toMatchObject({ geneId: "G1", geneName: "GENE1", biotype: "lincRNA", strand: s, start: 100, end: 900, coding: null });
      expect(r.warnings).toEqual([
        `${path}:2: start/end must be positive integers, got "-15" and "46709983" (chromosome row: its coordinates are ignored)`,
        `${path}:3: start/end must be positive integers, got "-15" and "38015" (gene row: its coordinates are ignored)`,
        `${path}:9: start/end must be positive integers, got "-15" and "900" (lnc_RNA row: its coordinates are ignored)`,
        `${path}:12: start/end must be positive integers, got "-15" and "300" (exon row: transcript T3 refused)`,
        `${path}:16: bad interval 800-151 (1-based, start <= end) (CDS row: transcript T4 refused)`,
      ]);
    },
  );

  test.each(["+", "-"])("GTF with invalid rows (strand %s): the same rules", async (strand) => {
    const a = (t: string) => `gene_id "G1"; gene_name "GENE1"; transcript_id "${t}"; transcript_biotype "protein_coding";`;
    const path = await write(
      `shifted${strand}.gtf.gz`,
      [
        `21\te\tgene\t-15\t38015\t.\t${strand}\t.\tgene_id "G1"; gene_name "GENE1";`,
        `21\te\ttranscript\t0\t900\t.\t${strand}\t.\t${a("T1")}`,
        `21\te\texon\t100\t900\t.\t${strand}\t.\t${a("T1")}`,
        `21\te\tCDS\t151\t897\t.\t${strand}\t0\t${a("T1")}`,
        `21\te\tstop_codon\t898\t900\t.\t${strand}\t0\t${a("T1")}`,
        `21\te\texon\t100\t900\t.\t${strand}\t.\t${a("T2")}`,
        `21\te\tCDS\t151\t897\t.\t*\t0\t${a("T2")}`,
        `21\te\texon\t100\t900\t.\t${strand}\t.\t${a("T3")}`,
        `21\te\tCDS\t151\t897\t.\t${strand}\t3\t${a("T3")}`,
        "",
      ].join("\n"),
      true,
    );
    const r = await parseGeneModels(path);
    expect(r.transcripts.map((t) => [t.id, t.geneName, t.strand, t.start, t.end, t.coding?.start, t.coding?.end])).toEqual([
      ["T1", "GENE1", strand === "+" ? 1 : -1, 100, 900, 151, 900],
    ]);
    expect(r.warnings).toEqual([
      `${path}:1: start/end must be positive integers, got "-15" and "38015" (gene row: its coordinates are ignored)`,
      `${path}:2: bad interval 0-900 (1-based, start <= end) (transcript row: its coordinates are ignored)`,
      `${path}:7: strand must be +, -, . or ?, got "*" (CDS row: transcript T2 refused)`,
      `${path}:9: phase must be 0, 1, 2 or ., got "3" (CDS row: transcript T3 refused)`,
    ]);
  });

  test("many refused transcripts: the first 20 in full, the rest named in one line", async () => {
    const rows = ["##gff-version 3"];
    for (let i = 1; i <= 25; i++)
      rows.push(`21\te\tmRNA\t100\t900\t.\t+\t.\tID=transcript:R${i}`, `21\te\texon\t-5\t900\t.\t+\t.\tParent=transcript:R${i}`);
    rows.push("21\te\tmRNA\t100\t900\t.\t+\t.\tID=transcript:OK", "21\te\texon\t100\t900\t.\t+\t.\tParent=transcript:OK", "");
    const path = await write("many.gff3", rows.join("\n"));
    const r = await parseGeneModels(path);
    expect(r.transcripts.map((t) => t.id)).toEqual(["OK"]);
    expect(r.warnings.length).toBe(21);
    expect(r.warnings[19]).toBe(`${path}:41: start/end must be positive integers, got "-5" and "900" (exon row: transcript R20 refused)`);
    expect(r.warnings[20]).toBe(`${path}: 5 more transcripts refused for invalid exon/CDS rows: R21, R22, R23, R24, R25`);
  });

  test("corrupt and empty files give errors with file and line", async () => {
    const empty = await write("empty.gff3", "");
    await expect(parseGeneModels(empty)).rejects.toThrow(`${empty}: no gene model rows (empty file, or only comments)`);
    const comments = await write("comments.gtf", "#!genome-build GRCh38\n#only\n");
    await expect(parseGeneModels(comments)).rejects.toThrow(/comments\.gtf: no gene model rows/);
    const short = await write("short.gff3", "##gff-version 3\n21\tx\texon\t1\t10\t.\t+\t.\tParent=t1\n21\tx\texon\t20\n");
    await expect(parseGeneModels(short)).rejects.toThrow(`${short}:3: expected 9 tab-separated columns (GFF3/GTF), found 4`);
    // Its only transcript refused: no transcript left, and the error says why.
    const badStart = await write("bad.gtf", '21\tx\texon\tone\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n');
    await expect(parseGeneModels(badStart)).rejects.toThrow(
      `${badStart}: no transcripts found in 1 gtf rows: 1 refused for invalid rows, first: ${badStart}:1: start/end must be positive integers, got "one" and "10" (exon row: transcript t refused)`,
    );
    const badAttr = await write(
      "bad-attr.gtf",
      '21\tx\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n21\tx\texon\t20\t30\t.\t+\t.\tgene_id "g"; transcript_id "t"; "oops\n',
    );
    await expect(parseGeneModels(badAttr)).rejects.toThrow(`${badAttr}:2: cannot parse GTF attributes`);
    const fasta = await write("genome.gtf", ">21\nACGT\n");
    await expect(parseGeneModels(fasta)).rejects.toThrow(`${fasta}:1: expected 9 tab-separated columns`);
    const truncated = join(dir, "truncated.gff3.gz");
    await Bun.write(truncated, gzipSync(await Bun.file(GENES_GTF_GZ).bytes()).subarray(0, 300));
    await expect(parseGeneModels(truncated)).rejects.toThrow(/truncated\.gff3\.gz: cannot decompress/);
    const noTranscripts = await write("genes-only.gff3", "21\tx\tgene\t1\t10\t.\t+\t.\tID=gene:G1\n");
    await expect(parseGeneModels(noTranscripts)).rejects.toThrow(/genes-only\.gff3: no transcripts found in 1 gff3 rows/);
    await expect(parseGeneModels(join(dir, "nope.gtf"))).rejects.toThrow(/nope\.gtf: gene model file not found/);
  });
});
