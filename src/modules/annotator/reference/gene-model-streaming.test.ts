/**
 * A GFF3 or GTF grouped by gene is read gene by gene (streamed) and gives exactly what holding
 * every row gives; a file that is not grouped (the demo's position-sorted Ensembl files, a row
 * that refers back to a finished gene) is read again whole, with the same result. The inputs are
 * the demo's Ensembl 84 and RefSeq chr21 rows, regrouped here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { GENES_GFF3_GZ, GENES_GTF_GZ, REFSEQ_GFF3_GZ } from "../../../../test/support/engine/reference-fixture.ts";
import { parseGeneModels } from "./gene-model-parser.ts";
import { rawAttribute } from "./gff3-parser.ts";

const toFasta21 = (n: string) => (n === "21" || n === "NC_000021.9" ? "21" : null);

/** One attribute of a row (column 9). */
const attribute = (row: string, key: string) => rawAttribute(row.split("\t")[8] ?? "", key);

/** The file's data rows, grouped by their top ancestor in order of first appearance. */
async function groupsOf(gzPath: string): Promise<string[][]> {
  const rows = new TextDecoder()
    .decode(gunzipSync(await readFile(gzPath)))
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
  const parentOf = new Map<string, string>();
  for (const l of rows) {
    const id = attribute(l, "ID");
    const parent = attribute(l, "Parent");
    if (id !== null && parent !== null && !parentOf.has(id)) parentOf.set(id, parent.split(",")[0]!);
  }
  const top = (id: string) => {
    for (let i = 0; i < 10 && parentOf.has(id); i++) id = parentOf.get(id)!;
    return id;
  };
  const groups = new Map<string, string[]>();
  rows.forEach((l, i) => {
    const parent = attribute(l, "Parent");
    const id = attribute(l, "ID");
    const key = parent !== null ? top(parent.split(",")[0]!) : id !== null ? top(id) : `row ${i}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(l);
  });
  return [...groups.values()];
}

/** Rows without a Parent first, then other features, then parts: GENCODE's order within a gene. */
const gencodeOrder = (g: string[]) => {
  const rank = (l: string) => (attribute(l, "Parent") === null ? 0 : /\t(exon|CDS|\w*UTR\w*|\w+_codon)\t/i.test(l) ? 2 : 1);
  return [...g].sort((a, b) => rank(a) - rank(b));
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-gff3-streaming-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Parses `text` streamed (as parseGeneModels does by default) and holding every row. */
async function both(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  const streamed = await parseGeneModels(path, { resolveContig: toFasta21 });
  const whole = await parseGeneModels(path, { resolveContig: toFasta21, streaming: false });
  expect(whole.streamed).toBe(false);
  return { streamed, whole };
}

describe.each([
  ["Ensembl 84", GENES_GFF3_GZ, 2414],
  ["RefSeq", REFSEQ_GFF3_GZ, 81],
])("%s chr21 GFF3", (_name, source, transcripts) => {
  test("grouped by `###`, parts before their gene: streamed, same transcripts and warnings", async () => {
    const groups = await groupsOf(source);
    const { streamed, whole } = await both("hashes.gff3", `##gff-version 3\n${groups.map((g) => `${g.join("\n")}\n###\n`).join("")}`);
    expect(streamed.streamed).toBe(true);
    expect(streamed.transcripts.length).toBe(transcripts);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    expect(streamed.warnings).toEqual(whole.warnings);
  });

  test("grouped without `###`, each gene's rows in GENCODE order: streamed, the same", async () => {
    const groups = await groupsOf(source);
    const { streamed, whole } = await both("gencode-order.gff3", `${groups.map((g) => `${gencodeOrder(g).join("\n")}\n`).join("")}`);
    expect(streamed.streamed).toBe(true);
    expect(streamed.transcripts.length).toBe(transcripts);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    expect(streamed.warnings).toEqual(whole.warnings);
  });

  test("as shipped (position-sorted, genes overlapping): read whole, the same", async () => {
    const { streamed, whole } = await both("as-shipped.gff3", new TextDecoder().decode(gunzipSync(await readFile(source))));
    expect(streamed.streamed).toBe(false);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    expect(streamed.warnings).toEqual(whole.warnings);
  });
});

describe("rows that refer back to a finished gene", () => {
  const gene = [
    "21\tx\tgene\t100\t900\t.\t+\t.\tID=gene:G1;Name=ONE;biotype=protein_coding",
    "21\tx\tmRNA\t100\t900\t.\t+\t.\tID=transcript:T1;Parent=gene:G1;biotype=protein_coding",
    "21\tx\texon\t100\t200\t.\t+\t.\tParent=transcript:T1",
  ];
  const next = [
    "21\tx\tgene\t1000\t1900\t.\t-\t.\tID=gene:G2;Name=TWO;biotype=lncRNA",
    "21\tx\ttranscript\t1000\t1900\t.\t-\t.\tID=transcript:T2;Parent=gene:G2",
    "21\tx\texon\t1000\t1900\t.\t-\t.\tParent=transcript:T2",
  ];
  const late = "21\tx\texon\t800\t900\t.\t+\t.\tParent=transcript:T1";

  test.each([
    ["an exon after `###`", [...gene, "###", ...next, "###", late]],
    ["an exon after the next gene (no `###`)", [...gene, ...next, late]],
    [
      "a transcript defined after its gene's group",
      [
        ...gene,
        ...next,
        "21\tx\tmRNA\t300\t400\t.\t+\t.\tID=transcript:T3;Parent=gene:G1",
        "21\tx\texon\t300\t400\t.\t+\t.\tParent=transcript:T3",
      ],
    ],
    ["a gene defined after its transcripts", [...next.slice(1), ...gene, next[0]!]],
    [
      "an orphan's Parent defined later",
      [
        ...gene,
        "21\tx\texon\t950\t960\t.\t+\t.\tParent=transcript:T9",
        ...next,
        "21\tx\tmRNA\t950\t960\t.\t+\t.\tID=transcript:T9;Parent=gene:G2",
      ],
    ],
  ])("%s: read whole, nothing lost", async (_what, rows) => {
    const { streamed, whole } = await both("late.gff3", `${rows.join("\n")}\n`);
    expect(streamed.streamed).toBe(false);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    expect(streamed.warnings).toEqual(whole.warnings);
  });

  test("the exon after `###` belongs to its transcript", async () => {
    const { streamed } = await both("late-exon.gff3", `${[...gene, "###", ...next, "###", late].join("\n")}\n`);
    expect(streamed.transcripts.find((t) => t.id === "T1")!.exons).toEqual([
      { start: 100, end: 200 },
      { start: 800, end: 900 },
    ]);
  });

  test("orphans stay orphans when streamed: one warning, in the order first seen", async () => {
    const rows = [
      ...gene,
      "21\tx\texon\t950\t960\t.\t+\t.\tParent=transcript:T9",
      "###",
      ...next,
      "21\tx\texon\t970\t980\t.\t+\t.\tParent=transcript:T8",
    ];
    const { streamed, whole } = await both("orphans.gff3", `${rows.join("\n")}\n`);
    expect(streamed.streamed).toBe(true);
    expect(streamed.warnings).toEqual(whole.warnings);
    expect(streamed.warnings.join("\n")).toContain(
      "2 Parent IDs have no row of their own, their exons/CDS are ignored: transcript:T9 (line 4), transcript:T8 (line 9)",
    );
  });
});

describe("GTF", () => {
  const gtfRows = async () =>
    new TextDecoder()
      .decode(gunzipSync(await readFile(GENES_GTF_GZ)))
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"));
  const geneOf = (l: string) => /gene_id "([^"]+)"/.exec(l)![1]!;

  test("grouped by gene_id, gene and transcript rows first: streamed, the same", async () => {
    const byGene = new Map<string, string[]>();
    for (const l of await gtfRows()) {
      let g = byGene.get(geneOf(l));
      if (!g) byGene.set(geneOf(l), (g = []));
      g.push(l);
    }
    const rank = (l: string) => (/\tgene\t/.test(l) ? 0 : /\ttranscript\t/.test(l) ? 1 : 2);
    const text = [...byGene.values()].map((g) => `${[...g].sort((a, b) => rank(a) - rank(b)).join("\n")}\n`).join("");
    const { streamed, whole } = await both("grouped.gtf", text);
    expect(streamed.streamed).toBe(true);
    expect(streamed.transcripts.length).toBe(103);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    expect(streamed.warnings).toEqual(whole.warnings);
  });

  test("as shipped (position-sorted): the same", async () => {
    const { streamed, whole } = await both("as-shipped.gtf", `${(await gtfRows()).join("\n")}\n`);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    expect(streamed.warnings).toEqual(whole.warnings);
  });

  const a = (gene: string, tx?: string) => `gene_id "${gene}";${tx ? ` transcript_id "${tx}";` : ""}`;
  test.each([
    [
      "an exon after the next gene",
      [
        `21\tx\tgene\t100\t900\t.\t+\t.\t${a("G1")} gene_name "ONE"; gene_biotype "lncRNA";`,
        `21\tx\texon\t100\t200\t.\t+\t.\t${a("G1", "T1")}`,
        `21\tx\tgene\t1000\t1900\t.\t+\t.\t${a("G2")} gene_name "TWO";`,
        `21\tx\texon\t1000\t1900\t.\t+\t.\t${a("G2", "T2")}`,
        `21\tx\texon\t800\t900\t.\t+\t.\t${a("G1", "T1")}`,
      ],
      { id: "T1", exons: 2, geneName: "ONE" },
    ],
    [
      "a gene row after its transcripts",
      [
        `21\tx\texon\t100\t200\t.\t+\t.\t${a("G1", "T1")}`,
        `21\tx\tgene\t1000\t1900\t.\t+\t.\t${a("G2")} gene_name "TWO";`,
        `21\tx\texon\t1000\t1900\t.\t+\t.\t${a("G2", "T2")}`,
        `21\tx\tgene\t100\t900\t.\t+\t.\t${a("G1")} gene_name "ONE"; gene_biotype "lncRNA";`,
      ],
      { id: "T1", exons: 1, geneName: "ONE" },
    ],
  ])("%s: read whole, nothing lost", async (_what, rows, want) => {
    const { streamed, whole } = await both("late.gtf", `${rows.join("\n")}\n`);
    expect(streamed.streamed).toBe(false);
    expect(streamed.transcripts).toEqual(whole.transcripts);
    const t = streamed.transcripts.find((x) => x.id === want.id)!;
    expect([t.exons.length, t.geneName]).toEqual([want.exons, want.geneName]);
  });
});
