/**
 * `gas annotate --phased` against bcftools csq's haplotype-aware calls (`-p a`: genotypes taken
 * as phased), on a synthetic reference holding CODING_SPEC's transcript on both strands, with
 * inputs modelled on bcftools csq's compound cases (Bioinformatics 2017; test/csq in bcftools):
 * two SNVs in one codon on one haplotype, a stop-gain rescued by a second SNV in its codon on one
 * haplotype only, an insertion and a deletion restoring the frame, the same two SNVs on the minus
 * strand, and two SNVs of one codon on different haplotypes (no compound). Every compound entry and
 * `@POS` reference bcftools writes must be ours, and no other. Skipped when bcftools is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BCFTOOLS } from "../../../test/support/engine/bcftools-csq-runner.ts";
import { runGas, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { CODING_SPEC } from "../../../test/support/engine/transcript-fixtures.ts";
import { reverseComplement } from "./hgvs/nucleotides.ts";

if (!BCFTOOLS) console.warn("phased-bcftools.spawn.test.ts: bcftools not installed (apt-get install bcftools): the comparison is skipped");

const WRITTEN = [
  CODING_SPEC.upstream,
  CODING_SPEC.exons[0],
  CODING_SPEC.introns[0],
  CODING_SPEC.exons[1],
  CODING_SPEC.introns[1],
  CODING_SPEC.exons[2],
  CODING_SPEC.downstream,
].join("");
const PLUS_AT = 1001; // genomic position of written index 1, plus-strand copy
const MINUS_AT = 3001; // genomic start of the reverse-complemented copy
const LENGTH = 4000;

/** bcftools' consequence names → VEP's (the terms HCSQ writes). */
const BCFTOOLS_TO_SO: Record<string, string> = {
  missense: "missense_variant",
  synonymous: "synonymous_variant",
  stop_gained: "stop_gained",
  stop_lost: "stop_lost",
  frameshift: "frameshift_variant",
  inframe_insertion: "inframe_insertion",
  inframe_deletion: "inframe_deletion",
  inframe_altering: "protein_altering_variant",
  start_lost: "start_lost",
};

let dir: string;
let fasta: string;
let gff: string;
let vcf: string;

beforeAll(() => {
  dir = tempDir("phased");
  // A filler without N (seeded), the plus copy at 1001, the minus copy at 3001.
  let x = 7;
  const bases = Array.from({ length: LENGTH }, () => "ACGT"[(x = (x * 1103515245 + 12345) % 2147483648) % 4]);
  const put = (at: number, s: string) => bases.splice(at - 1, s.length, ...s);
  put(PLUS_AT, WRITTEN);
  put(MINUS_AT, reverseComplement(WRITTEN));
  const genome = bases.join("");
  fasta = join(dir, "t.fa");
  writeFileSync(fasta, `>T\n${genome.replace(/(.{60})/g, "$1\n")}\n`);
  // Exon and CDS bounds of the written sequence: exons 61–90, 131–154, 185–215; CDS 71–191.
  const exons: [number, number][] = [
    [61, 90],
    [131, 154],
    [185, 215],
  ];
  const rows: string[] = ["##gff-version 3"];
  for (const [strand, name, map] of [
    ["+", "P", (k: number) => PLUS_AT + k - 1],
    ["-", "M", (k: number) => MINUS_AT + WRITTEN.length - k],
  ] as const) {
    const span = (a: number, b: number) => [Math.min(map(a), map(b)), Math.max(map(a), map(b))].join("\t");
    rows.push(`T\t.\tgene\t${span(61, 215)}\t.\t${strand}\t.\tID=gene:G${name};Name=GENE${name};biotype=protein_coding`);
    rows.push(`T\t.\tmRNA\t${span(61, 215)}\t.\t${strand}\t.\tID=transcript:TX${name};Parent=gene:G${name};biotype=protein_coding`);
    for (const [a, b] of exons) rows.push(`T\t.\texon\t${span(a, b)}\t.\t${strand}\t.\tParent=transcript:TX${name}`);
    const cds: [number, number][] = [
      [71, 90],
      [131, 154],
      [185, 191],
    ];
    let phase = 0;
    for (const [a, b] of cds) {
      rows.push(`T\t.\tCDS\t${span(a, b)}\t.\t${strand}\t${phase}\tID=CDS:P${name};Parent=transcript:TX${name}`);
      phase = (3 - ((b - a + 1 - phase) % 3)) % 3;
    }
  }
  gff = join(dir, "t.gff3");
  writeFileSync(gff, `${rows.join("\n")}\n`);
  // c.n of the plus copy is at 1070 + n (exon 1), 1110 + n (exon 2); of the minus copy at 3206 - n.
  const base = (pos: number) => genome[pos - 1]!;
  const snv = (pos: number, alt: string, gt: string) => [pos, base(pos), alt, gt] as const;
  const records = [
    snv(1074, "A", "1|0"), // c.4G>A  } GCT→ATT: Ala2Ile on haplotype 1
    snv(1075, "T", "1|0"), // c.5C>T  }
    snv(1077, "T", "0|1"), // c.7A>T: TAA stop on its own…
    snv(1078, "C", "1|1"), // c.8A>C: …TCA Ser with it on haplotype 2; ACA Thr alone on haplotype 1
    [1134, base(1134), `${base(1134)}C`, "0|1"] as const, // +C after c.24 } frame restored: K9Q, K10E
    [1139, `${base(1139)}${base(1140)}`, base(1139), "0|1"] as const, // −G (c.30) }
    snv(1144, "T", "1|0"), // c.34C>T } one codon, different haplotypes: no compound
    snv(1146, "A", "0|1"), // c.36G>A }
    snv(3202, reverseComplement("A"), "0|1"), // minus strand c.4G>A } Ala2Ile
    snv(3201, reverseComplement("T"), "0|1"), // minus strand c.5C>T }
  ].sort((a, b) => a[0] - b[0]);
  vcf = join(dir, "in.vcf");
  writeFileSync(
    vcf,
    `${[
      "##fileformat=VCFv4.2",
      `##contig=<ID=T,length=${LENGTH}>`,
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1",
      ...records.map(([pos, ref, alt, gt]) => `T\t${pos}\t.\t${ref}\t${alt}\t.\tPASS\t.\tGT\t${gt}`),
    ].join("\n")}\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per position: the compound entries (`term|transcript|strand|aa|dna`) and `@POS` references of an INFO field. */
function compounds(text: string, key: string, mapTerm: (t: string) => string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cols = line.split("\t");
    const value = cols[7]!.split(";").find((kv) => kv.startsWith(`${key}=`));
    const kept = (value?.slice(key.length + 1).split(",") ?? [])
      .filter((e) => e.startsWith("@") || e.split("|")[6]?.includes("+"))
      .map((e) => {
        if (e.startsWith("@")) return e;
        const f = e.split("|");
        return [mapTerm(f[0]!), f[2], f[4], f[5], f[6]].join("|");
      })
      .sort();
    out.set(Number(cols[1]), kept);
  }
  return out;
}

describe.skipIf(!BCFTOOLS)("--phased reproduces bcftools csq -p a's compound calls", () => {
  test("same compound entries and @ references at every record", async () => {
    const ours = join(dir, "gas.vcf");
    const r = await runGas(["annotate", vcf, "--fasta", fasta, "--genes", gff, "--known", "none", "-o", ours, "--phased", "--quiet"]);
    expect(r.stderr).not.toContain("gas annotate:");
    expect(r.exitCode).toBe(0);
    const proc = Bun.spawnSync([BCFTOOLS!, "csq", "-p", "a", "-f", fasta, "-g", gff, vcf], { stderr: "pipe" });
    expect(proc.exitCode).toBe(0);
    const theirs = compounds(proc.stdout.toString(), "BCSQ", (t) =>
      t
        .split("&")
        .map((x) => BCFTOOLS_TO_SO[x] ?? x)
        .join("&"),
    );
    const mine = compounds(readFileSync(ours, "utf8"), "HCSQ", (t) => t);
    expect(mine).toEqual(theirs);
    // The cases above are all there: three plus-strand compounds and one on the minus strand.
    expect([...theirs.values()].flat().filter((e) => !e.startsWith("@"))).toHaveLength(4);
  });

  test("the header declares HCSQ; FORMAT/HCSQ says which haplotype carries it", async () => {
    const text = readFileSync(join(dir, "gas.vcf"), "utf8");
    expect(text).toContain("##INFO=<ID=HCSQ,");
    expect(text).toContain("##FORMAT=<ID=HCSQ,");
    const line = text.split("\n").find((l) => l.startsWith("T\t1074\t"))!;
    expect(line.split("\t").slice(8)).toEqual(["GT:HCSQ", "1|0:1"]);
  });
});
