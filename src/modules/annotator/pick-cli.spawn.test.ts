/**
 * `gas annotate --pick | --pick-allele | --per-gene | --flag-pick` end to end: the demo's test.vcf
 * on the demo bundle (Ensembl 84: no MANE or canonical tags, so TSL, biotype, CCDS, consequence and
 * length decide), and on a copy of MRPL39's models with MANE and canonical tags added by hand,
 * where the tags must decide. bcftools +split-vep reads the PICK column where installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type AnnotatedVcf, parseAnnotatedVcf } from "../../../test/support/engine/annotated-vcf.ts";
import { BCFTOOLS, splitVep } from "../../../test/support/engine/downstream-tools.ts";
import { SO_TERMS } from "./consequence/so-terms.ts";
import { DEMO_FASTA, DEMO_GFF3, DEMO_VCF_DIR, runGas, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";

const TEST_VCF = join(DEMO_VCF_DIR, "test.vcf");
const TERM_RANK = new Map(SO_TERMS.map((t, i) => [t.term, i]));
let dir: string;
const runs = {} as Record<"all" | "pick" | "pickAllele" | "perGene" | "flag" | "mostSevere", AnnotatedVcf>;

const annotate = async (name: string, args: string[]) => {
  const out = join(dir, `${name}.vcf`);
  const r = await runGas(["annotate", TEST_VCF, "-o", out, "--quiet", ...args]);
  if (r.exitCode !== 0) throw new Error(`gas annotate ${args.join(" ")}: ${r.stderr}`);
  return { out, vcf: parseAnnotatedVcf(readFileSync(out, "utf8")) };
};

beforeAll(async () => {
  dir = tempDir("pick");
  const [all, pick, pickAllele, perGene, flag, mostSevere] = await Promise.all([
    annotate("all", []),
    annotate("pick", ["--pick"]),
    annotate("pick-allele", ["--pick-allele"]),
    annotate("per-gene", ["--per-gene"]),
    annotate("flag", ["--flag-pick"]),
    annotate("most-severe", ["--most-severe"]),
  ]);
  Object.assign(runs, {
    all: all.vcf,
    pick: pick.vcf,
    pickAllele: pickAllele.vcf,
    perGene: perGene.vcf,
    flag: flag.vcf,
    mostSevere: mostSevere.vcf,
  });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CSQ entry without its PICK column, as text, to compare runs with and without it. */
const entryText = (e: Record<string, string>) =>
  Object.entries(e)
    .filter(([k]) => k !== "PICK")
    .map(([, v]) => v)
    .join("|");

describe("gas annotate test.vcf on the demo bundle", () => {
  test("usage: one selection option at a time; --flag-pick needs CSQ; no choice for row formats", async () => {
    const both = await runGas(["annotate", TEST_VCF, "-o", join(dir, "x.vcf"), "--pick", "--per-gene"]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("--pick, --per-gene");
    const annOnly = await runGas(["annotate", TEST_VCF, "-o", join(dir, "y.vcf"), "--flag-pick", "--fields", "ann"]);
    expect(annOnly.exitCode).toBe(2);
    expect(annOnly.stderr).toContain("--flag-pick");
    const rows = await runGas(["annotate", TEST_VCF, "-o", join(dir, "z.tsv"), "--pick"]);
    expect(rows.exitCode).toBe(2);
    expect(rows.stderr).toContain("--format tsv|json rows list every transcript");
  });

  test("--flag-pick: VEP's PICK column after FLAGS, exactly one PICK=1 per record, entries otherwise unchanged", () => {
    const { all, flag } = runs;
    expect(flag.csqColumns).toEqual([
      ...all.csqColumns.slice(0, all.csqColumns.indexOf("FLAGS") + 1),
      "PICK",
      ...all.csqColumns.slice(all.csqColumns.indexOf("FLAGS") + 1),
    ]);
    expect(flag.records.length).toBe(all.records.length);
    for (let i = 0; i < flag.records.length; i++) {
      const f = flag.records[i]!;
      if (f.csq.length === 0) continue;
      expect(f.csq.filter((e) => e.PICK === "1").length).toBe(1);
      expect(f.csq.every((e) => e.PICK === "1" || e.PICK === "")).toBe(true);
      expect(f.csq.map(entryText)).toEqual(all.records[i]!.csq.map(entryText));
      expect(f.ann).toEqual(all.records[i]!.ann);
    }
  });

  test("--pick: one ANN and one CSQ entry per record, the one --flag-pick flags", () => {
    const { pick, flag } = runs;
    let annotated = 0;
    for (let i = 0; i < pick.records.length; i++) {
      const p = pick.records[i]!;
      if (flag.records[i]!.csq.length === 0) continue;
      annotated++;
      expect(p.csq.length).toBe(1);
      expect(p.ann.length).toBe(1);
      expect(entryText(p.csq[0]!)).toBe(entryText(flag.records[i]!.csq.find((e) => e.PICK === "1")!));
      expect(p.ann[0]!.featureId).toBe(p.csq[0]!.Feature!);
    }
    expect(annotated).toBeGreaterThan(50);
  });

  test("--pick-allele: one entry per ALT; --per-gene: one per gene, every gene of the full output kept", () => {
    const { all, pickAllele, perGene } = runs;
    for (let i = 0; i < all.records.length; i++) {
      const full = all.records[i]!;
      if (full.csq.length === 0) continue;
      const alleles = new Set(full.csq.map((e) => e.Allele));
      expect(pickAllele.records[i]!.csq.map((e) => e.Allele).sort()).toEqual([...alleles].sort());
      const genes = (entries: Record<string, string>[]) => entries.filter((e) => e.Feature_type === "Transcript").map((e) => e.Gene!);
      const perGeneGenes = genes(perGene.records[i]!.csq);
      expect(new Set(perGeneGenes).size).toBe(perGeneGenes.length);
      expect(perGeneGenes.sort()).toEqual([...new Set(genes(full.csq))].sort());
    }
  });

  test("--most-severe: one entry per ALT, carrying the ALT's most severe consequence and every field", () => {
    const { all, mostSevere } = runs;
    const rank = (e: Record<string, string>) => TERM_RANK.get(e.Consequence!.split("&")[0]!)!;
    for (let i = 0; i < all.records.length; i++) {
      const full = all.records[i]!;
      if (full.csq.length === 0) continue;
      const ms = mostSevere.records[i]!;
      expect(ms.csq.map((e) => e.Allele)).toEqual([...new Set(full.csq.map((e) => e.Allele))]);
      expect(ms.ann.length).toBe(ms.csq.length);
      for (const entry of ms.csq) {
        const ofAllele = full.csq.filter((e) => e.Allele === entry.Allele);
        expect(rank(entry)).toBe(Math.min(...ofAllele.map(rank)));
        expect(ofAllele.map(entryText)).toContain(entryText(entry));
      }
    }
  });

  test.skipIf(!BCFTOOLS)("bcftools +split-vep reads PICK: one flagged line per record", () => {
    const gz = join(dir, "flag.vcf");
    const r = splitVep(["-d", "-f", "%POS\\t%Feature\\t%PICK\\n", gz]);
    expect(r.exitCode).toBe(0);
    const picked = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t"))
      .filter((f) => f[2] === "1")
      .map((f) => f[0]);
    expect(picked).toEqual(runs.flag.records.filter((rec) => rec.csq.length > 0).map((rec) => String(rec.pos)));
  });
});

describe("hand-tagged MRPL39 models (MANE Select and canonical added to Ensembl 84's rows)", () => {
  let tagged: AnnotatedVcf;
  let genes: string;
  beforeAll(async () => {
    // MRPL39's rows, with ENST00000307301 (TSL 5) made MANE Select and ENST00000419219 canonical:
    // without tags the TSL-1 ENST00000352957 is picked.
    const rows = gunzipSync(readFileSync(DEMO_GFF3))
      .toString()
      .split("\n")
      .filter((l) => l.includes("ENSG00000154719") || /transcript:ENST00000(307301|352957|419219)\b/.test(l))
      .map((l) =>
        l.includes("ID=transcript:ENST00000307301;")
          ? l.replace("tag=basic", "tag=basic,MANE_Select")
          : l.includes("ID=transcript:ENST00000419219;")
            ? l.replace(/;transcript_id=/, ";tag=basic,Ensembl_canonical;transcript_id=")
            : l,
      );
    genes = join(dir, "mrpl39-tagged.gff3");
    writeFileSync(genes, `##gff-version 3\n${rows.join("\n")}\n`);
    const out = join(dir, "tagged.vcf");
    const r = await runGas([
      "annotate",
      TEST_VCF,
      "-o",
      out,
      "--quiet",
      "--fasta",
      DEMO_FASTA,
      "--genes",
      genes,
      "--known",
      "none",
      "--pick",
    ]);
    if (r.exitCode !== 0) throw new Error(r.stderr);
    tagged = parseAnnotatedVcf(readFileSync(out, "utf8"));
  }, 60_000);

  test("--pick chooses the MANE Select transcript for every MRPL39 variant; CSQ carries MANE, HGNC, the protein", () => {
    const inGene = tagged.records.filter((rec) => rec.csq.some((e) => e.Gene === "ENSG00000154719"));
    expect(inGene.length).toBeGreaterThan(10);
    for (const rec of inGene) {
      expect(rec.csq.length).toBe(1);
      const e = rec.csq[0]!;
      expect(e).toMatchObject({
        Feature: "ENST00000307301",
        MANE_SELECT: "ENST00000307301.11",
        HGNC_ID: "HGNC:14027",
        SYMBOL_SOURCE: "HGNC",
        CANONICAL: "",
      });
      if (e.HGVSp !== "") expect(e.HGVSp).toMatch(/^ENSP00000305682:p\./);
    }
    expect(inGene.some((rec) => rec.csq[0]!.HGVSp !== "")).toBe(true);
  });

  test("--pick-order tsl,rank: the TSL-1 transcript instead; without a selection option it is a usage error", async () => {
    const out = join(dir, "tagged-tsl.vcf");
    const base = ["annotate", TEST_VCF, "-o", out, "--quiet", "--fasta", DEMO_FASTA, "--genes", genes, "--known", "none"];
    const r = await runGas([...base, "--pick", "--pick-order", "tsl,rank"]);
    expect(r.exitCode).toBe(0);
    const inGene = parseAnnotatedVcf(readFileSync(out, "utf8")).records.filter((rec) => rec.csq.some((e) => e.Gene === "ENSG00000154719"));
    expect(new Set(inGene.map((rec) => rec.csq[0]!.Feature))).toEqual(new Set(["ENST00000352957"]));
    const alone = await runGas([...base, "--pick-order", "tsl"]);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain("--pick-order orders");
    const bad = await runGas([...base, "--pick", "--pick-order", "mane"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown criteria "mane"');
  }, 60_000);
});
