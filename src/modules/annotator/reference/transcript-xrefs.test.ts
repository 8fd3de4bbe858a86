import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transcript } from "../model.ts";
import { parseGeneModels } from "./gene-model-parser.ts";
import { loadPreparedIndex, writePreparedIndex } from "./prepared-index.ts";
import { apprisOfTag, normalizeHgncId, parseTsl } from "./transcript-xrefs.ts";

// Hand-made models carrying what Ensembl 84 lacks: Ensembl ≥ 104 / GENCODE tags (MANE, canonical,
// APPRIS, TSL), GENCODE's hgnc_id, NCBI RefSeq's `MANE Select` tag and Dbxrefs. Each on both strands.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-xrefs-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, lines: string[]) => {
  const path = join(dir, name);
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
};
const byId = (ts: Transcript[], id: string) => {
  const t = ts.find((x) => x.id === id);
  if (!t) throw new Error(`${id} not parsed`);
  return t;
};

/** An Ensembl-style GFF3 gene with one MANE transcript and one alternative, on `strand`. */
function ensemblGff3(strand: "+" | "-", n: number): string[] {
  const g = `ENSG0000000000${n}`;
  return [
    `21\tensembl_havana\tgene\t1000\t3000\t.\t${strand}\t.\tID=gene:${g};Name=APP${n};biotype=protein_coding;description=amyloid beta precursor protein [Source:HGNC Symbol%3BAcc:HGNC:62${n}];gene_id=${g};version=4`,
    `21\tensembl_havana\tmRNA\t1000\t3000\t.\t${strand}\t.\tID=transcript:ENST0000000010${n};Parent=gene:${g};biotype=protein_coding;tag=basic,Ensembl_canonical,MANE_Select;transcript_id=ENST0000000010${n};transcript_support_level=1 (assigned to previous version 5);ccdsid=CCDS1357${n}.1;version=6`,
    `21\tensembl_havana\texon\t1000\t1500\t.\t${strand}\t.\tParent=transcript:ENST0000000010${n}`,
    `21\tensembl_havana\tCDS\t1100\t1500\t.\t${strand}\t0\tID=CDS:ENSP0000000020${n};Parent=transcript:ENST0000000010${n};protein_id=ENSP0000000020${n}`,
    `21\tensembl_havana\texon\t2000\t3000\t.\t${strand}\t.\tParent=transcript:ENST0000000010${n}`,
    `21\tensembl_havana\tCDS\t2000\t2900\t.\t${strand}\t1\tID=CDS:ENSP0000000020${n};Parent=transcript:ENST0000000010${n};protein_id=ENSP0000000020${n}`,
    `21\thavana\tmRNA\t1000\t3000\t.\t${strand}\t.\tID=transcript:ENST0000000030${n};Parent=gene:${g};biotype=protein_coding;tag=basic,MANE_Plus_Clinical;transcript_support_level=NA;version=1`,
    `21\thavana\texon\t1000\t3000\t.\t${strand}\t.\tParent=transcript:ENST0000000030${n}`,
  ];
}

describe("Ensembl / GENCODE GFF3", () => {
  for (const [strand, n] of [
    ["+", 1],
    ["-", 2],
  ] as const) {
    test(`strand ${strand}: protein ID, HGNC from the description, MANE, canonical, TSL, CCDS`, async () => {
      const path = await write(`ensembl${n}.gff3`, ["##gff-version 3", ...ensemblGff3(strand, n)]);
      const { transcripts, warnings } = await parseGeneModels(path);
      expect(warnings).toEqual([]);
      const mane = byId(transcripts, `ENST0000000010${n}`);
      expect(mane).toMatchObject({
        strand: strand === "+" ? 1 : -1,
        proteinId: `ENSP0000000020${n}`,
        hgncId: `HGNC:62${n}`,
        symbolSource: "HGNC",
        maneSelect: `ENST0000000010${n}.6`,
        tsl: 1,
        ccds: `CCDS1357${n}.1`,
      });
      expect(mane.proteinVersion).toBeUndefined(); // Ensembl's GFF3 gives no protein version
      expect(mane.tags).toContain("Ensembl_canonical");
      const alt = byId(transcripts, `ENST0000000030${n}`);
      expect(alt).toMatchObject({ manePlusClinical: `ENST0000000030${n}.1`, hgncId: `HGNC:62${n}` });
      for (const absent of ["maneSelect", "tsl", "ccds", "proteinId", "appris"] as const) expect(alt[absent]).toBeUndefined();
    });
  }

  test("a gene described by another source: its symbol source, no HGNC ID", async () => {
    const path = await write("rfam.gff3", [
      "21\tensembl\tRNA\t500\t600\t.\t-\t.\tID=gene:ENSG00000277777;Name=Y_RNA;biotype=misc_RNA;description=Y RNA [Source:RFAM%3BAcc:RF00019];gene_id=ENSG00000277777",
      "21\tensembl\ttranscript\t500\t600\t.\t-\t.\tID=transcript:ENST00000617050;Parent=gene:ENSG00000277777;biotype=misc_RNA",
      "21\tensembl\texon\t500\t600\t.\t-\t.\tParent=transcript:ENST00000617050",
    ]);
    const t = byId((await parseGeneModels(path)).transcripts, "ENST00000617050");
    expect(t.symbolSource).toBe("RFAM");
    expect(t.hgncId).toBeUndefined();
  });
});

/** NCBI RefSeq GFF3: `tag=MANE Select`, HGNC and the Ensembl counterpart in Dbxref, CCDS on CDS rows. */
function refseqGff3(strand: "+" | "-", n: number): string[] {
  return [
    `NC_000021.9\tBestRefSeq\tgene\t1000\t3000\t.\t${strand}\t.\tID=gene-MRPL${n};Dbxref=GeneID:5414${n},HGNC:HGNC:1402${n},MIM:611845;Name=MRPL${n};gene_biotype=protein_coding`,
    `NC_000021.9\tBestRefSeq\tmRNA\t1000\t3000\t.\t${strand}\t.\tID=rna-NM_01744${n}.3;Parent=gene-MRPL${n};Dbxref=Ensembl:ENST0000035295${n}.8,GeneID:5414${n},HGNC:HGNC:1402${n};Name=NM_01744${n}.3;gbkey=mRNA;tag=MANE Select;transcript_id=NM_01744${n}.3`,
    `NC_000021.9\tBestRefSeq\texon\t1000\t3000\t.\t${strand}\t.\tID=exon-NM_01744${n}.3-1;Parent=rna-NM_01744${n}.3`,
    `NC_000021.9\tBestRefSeq\tCDS\t1100\t2900\t.\t${strand}\t0\tID=cds-NP_05914${n}.2;Parent=rna-NM_01744${n}.3;Dbxref=CCDS:CCDS1357${n}.1,GeneID:5414${n},HGNC:HGNC:1402${n};Name=NP_05914${n}.2;protein_id=NP_05914${n}.2`,
    `NC_000021.9\tGnomon\tmRNA\t1000\t3000\t.\t${strand}\t.\tID=rna-XM_0115279${n}.1;Parent=gene-MRPL${n};Dbxref=GeneID:5414${n};Name=XM_0115279${n}.1;gbkey=mRNA;transcript_id=XM_0115279${n}.1`,
    `NC_000021.9\tGnomon\texon\t1000\t3000\t.\t${strand}\t.\tParent=rna-XM_0115279${n}.1`,
  ];
}

describe("NCBI RefSeq GFF3", () => {
  for (const [strand, n] of [
    ["+", 1],
    ["-", 2],
  ] as const) {
    test(`strand ${strand}: NP_ protein ID with its version, HGNC from Dbxref, MANE names its ENST`, async () => {
      const path = await write(`refseq${n}.gff3`, ["##gff-version 3", ...refseqGff3(strand, n)]);
      const { transcripts } = await parseGeneModels(path);
      const nm = byId(transcripts, `NM_01744${n}.3`);
      expect(nm).toMatchObject({
        proteinId: `NP_05914${n}.2`,
        hgncId: `HGNC:1402${n}`,
        symbolSource: "HGNC",
        maneSelect: `ENST0000035295${n}.8`,
        ccds: `CCDS1357${n}.1`,
      });
      expect(nm.proteinVersion).toBeUndefined();
      expect(nm.tags).toContain("MANE_Select");
      const xm = byId(transcripts, `XM_0115279${n}.1`);
      expect(xm.maneSelect).toBeUndefined();
      expect(xm.hgncId).toBe(`HGNC:1402${n}`); // the gene's
    });
  }

  test("a RefSeq gene without an HGNC ID: EntrezGene named the symbol", async () => {
    const path = await write("entrez.gff3", [
      "NC_000021.9\tBestRefSeq\tgene\t100\t900\t.\t+\t.\tID=gene-LOC1;Dbxref=GeneID:101927869;Name=LOC101927869;gene_biotype=lncRNA",
      "NC_000021.9\tBestRefSeq\tlnc_RNA\t100\t900\t.\t+\t.\tID=rna-NR_1.1;Parent=gene-LOC1;Dbxref=GeneID:101927869;transcript_id=NR_1.1",
      "NC_000021.9\tBestRefSeq\texon\t100\t900\t.\t+\t.\tParent=rna-NR_1.1",
    ]);
    const t = byId((await parseGeneModels(path)).transcripts, "NR_1.1");
    expect(t).toMatchObject({ geneId: "101927869", geneName: "LOC101927869", symbolSource: "EntrezGene" });
    expect(t.hgncId).toBeUndefined();
  });
});

/** GENCODE-style GTF: tags repeated, appris, TSL, protein_id + protein_version on CDS rows, hgnc_id. */
function gencodeGtf(strand: "+" | "-", n: number): string[] {
  const g = `gene_id "ENSG0000014215${n}.16"; gene_name "PDXK${n}"; hgnc_id "HGNC:881${n}";`;
  const t1 = `${g} transcript_id "ENST0000039189${n}.7"; transcript_type "protein_coding"; tag "basic"; tag "Ensembl_canonical"; tag "MANE_Select"; tag "appris_principal_1"; tag "CCDS"; ccdsid "CCDS1369${n}.1"; transcript_support_level "1";`;
  const t2 = `${g} transcript_id "ENST0000046803${n}.1"; transcript_type "protein_coding"; tag "basic"; tag "appris_alternative_2"; transcript_support_level "3 (assigned to previous version 2)";`;
  return [
    `chr21\tHAVANA\tgene\t1000\t3000\t.\t${strand}\t.\t${g}`,
    `chr21\tHAVANA\ttranscript\t1000\t3000\t.\t${strand}\t.\t${t1}`,
    `chr21\tHAVANA\texon\t1000\t3000\t.\t${strand}\t.\t${t1}`,
    `chr21\tHAVANA\tCDS\t1100\t2900\t.\t${strand}\t0\t${t1} protein_id "ENSP0000037556${n}.3";`,
    `chr21\tHAVANA\ttranscript\t1200\t3000\t.\t${strand}\t.\t${t2}`,
    `chr21\tHAVANA\texon\t1200\t3000\t.\t${strand}\t.\t${t2}`,
    `chr21\tHAVANA\tCDS\t1300\t2900\t.\t${strand}\t0\t${t2} protein_id "ENSP0000041875${n}"; protein_version "5";`,
  ];
}

describe("GENCODE / Ensembl GTF", () => {
  for (const [strand, n] of [
    ["+", 1],
    ["-", 2],
  ] as const) {
    test(`strand ${strand}: protein ID and version, HGNC, MANE, APPRIS, TSL, CCDS tag`, async () => {
      const path = await write(`gencode${n}.gtf`, gencodeGtf(strand, n));
      const { transcripts } = await parseGeneModels(path);
      expect(byId(transcripts, `ENST0000039189${n}`)).toMatchObject({
        version: 7,
        proteinId: `ENSP0000037556${n}`,
        proteinVersion: 3,
        hgncId: `HGNC:881${n}`,
        symbolSource: "HGNC",
        maneSelect: `ENST0000039189${n}.7`,
        appris: "P1",
        tsl: 1,
        ccds: `CCDS1369${n}.1`,
      });
      const alt = byId(transcripts, `ENST0000046803${n}`);
      expect(alt).toMatchObject({ proteinId: `ENSP0000041875${n}`, proteinVersion: 5, appris: "A2", tsl: 3 });
      expect(alt.maneSelect).toBeUndefined();
      expect(alt.ccds).toBeUndefined();
    });
  }
});

test("the prepared index keeps every field, and absent ones stay absent", async () => {
  const path = await write("both.gff3", ["##gff-version 3", ...ensemblGff3("-", 2), ...refseqGff3("+", 1)]);
  const { transcripts, warnings } = await parseGeneModels(path);
  const source = { genesPath: path, contigs: [{ name: "21", length: 10_000 }], aliases: {} };
  const indexPath = join(dir, "both.gas-index.json.gz");
  await writePreparedIndex(indexPath, transcripts, warnings, source);
  const loaded = await loadPreparedIndex(indexPath, source);
  if (loaded.status !== "fresh") throw new Error(loaded.reason);
  expect(loaded.models.contigs.flatMap((c) => loaded.models.load(c))).toEqual(transcripts);
  expect(loaded.models.contigs.flatMap((c) => loaded.models.load(c)).filter((t) => t.maneSelect !== undefined).length).toBe(2);
});

test("value forms", () => {
  expect([parseTsl("1"), parseTsl("5 (assigned to previous version 3)"), parseTsl("NA"), parseTsl("tsl2"), parseTsl(null)]).toEqual([
    1,
    5,
    null,
    2,
    null,
  ]);
  expect([apprisOfTag("appris_principal_4"), apprisOfTag("appris_alternative_1"), apprisOfTag("basic")]).toEqual(["P4", "A1", null]);
  expect([normalizeHgncId("HGNC:HGNC:14027"), normalizeHgncId("HGNC:620"), normalizeHgncId("MGI:1")]).toEqual([
    "HGNC:14027",
    "HGNC:620",
    null,
  ]);
});
