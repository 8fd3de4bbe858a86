/**
 * The annotated VCF read by the tools users feed it to, run live: SnpSift 5.1 (extractFields and
 * filter parse every ANN entry into SnpEff's types and abort on a term they do not know) and
 * bcftools +split-vep (reads CSQ by the header's Format). Inputs: every demo VCF and the demo
 * bundle's 115k known variants, each annotated by `gas annotate` with the demo bundle.
 * Skipped, with a message, where a tool is not installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SO_TERMS } from "./consequence/so-terms.ts";
import { openReference } from "./reference/bundle.ts";
import { parseAnnotatedVcf } from "../../../test/support/engine/annotated-vcf.ts";
import { BCFTOOLS, SNPSIFT, snpSift, splitVep, warnMissing } from "../../../test/support/engine/downstream-tools.ts";
import { DEMO_DIR, DEMO_VCF_DIR, runGas, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";

warnMissing("downstream-readers.spawn.test.ts", ["snpsift", "bcftools"]);

/**
 * Symbolic structural variants over the demo genes (issue 15, defect 3): MRPL39 and AP000223.42
 * deleted whole, ATP5J duplicated whole, JAM2 inverted over two exons, a CNV in an MRPL39 intron;
 * in GABPA's exons two insertions, a deletion given by SVLEN and a tandem duplication. REF bases
 * read from the genome.
 */
const SV_RECORDS: [number, string, string][] = [
  [25580000, "<DEL>", "SVTYPE=DEL;END=25610000"],
  [25600000, "<CNV>", "SVTYPE=CNV;END=25601000"],
  [25689900, "<INV>", "SVTYPE=INV;END=25693800"],
  [25700000, "<DUP>", "SVTYPE=DUP;END=25740000"],
  [25752100, "<INS>", "SVTYPE=INS;SVLEN=300"],
  [25758100, "<INS:ME:ALU>", "SVTYPE=INS;SVLEN=280"],
  [25762200, "<DEL>", "SVTYPE=DEL;SVLEN=-500"],
  [25764250, "<DUP:TANDEM>", "SVTYPE=DUP;END=25764300"],
];
const svVcf = join(tempDir("downstream-sv-input"), "structural_variants.vcf");
{
  const reference = await openReference({ bundleDir: DEMO_DIR, known: null });
  const lines = [
    "##fileformat=VCFv4.2",
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">',
    '##INFO=<ID=SVLEN,Number=A,Type=Integer,Description="Length of the variant">',
    "##contig=<ID=21,length=46709983>",
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
  ];
  for (const [pos, alt, info] of SV_RECORDS) {
    const ref = (await reference.genome.window("21", pos, pos)).slice(pos, pos);
    lines.push(`21\t${pos}\tsv${pos}\t${ref}\t${alt}\t.\tPASS\t${info}`);
  }
  await reference.close();
  writeFileSync(svVcf, `${lines.join("\n")}\n`);
}

const INPUTS = {
  "test.vcf": join(DEMO_VCF_DIR, "test.vcf"),
  "test3.vcf": join(DEMO_VCF_DIR, "test3.vcf"),
  "test_no_trans.vcf": join(DEMO_VCF_DIR, "test_no_trans.vcf"),
  "structural variants": svVcf,
  "known variants (115k)": join(DEMO_DIR, "known", "known_variants.chr21_25-26Mb.vcf.gz"),
};
type Name = keyof typeof INPUTS;
const NAMES = Object.keys(INPUTS) as Name[];

/** VEP's consequence vocabulary: what CSQ may contain. */
const VEP_TERMS = new Set(SO_TERMS.map((t) => t.term));

let dir: string;
const outputs = {} as Record<Name, string>;
beforeAll(async () => {
  dir = tempDir("downstream");
  if (!SNPSIFT && !BCFTOOLS) return; // only the --fields tests run, on their own outputs
  // The four runs at once: the large one takes most of the time, the others fit beside it.
  await Promise.all(
    NAMES.map(async (name) => {
      const out = join(dir, `${name.replace(/\W+/g, "_")}.vcf.gz`);
      const r = await runGas(["annotate", INPUTS[name], "-o", out, "--quiet"], { timeoutMs: 120_000 });
      if (r.exitCode !== 0) throw new Error(`gas annotate ${name}: ${r.stderr}`);
      outputs[name] = out;
    }),
  );
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Data lines of an output with their ANN and CSQ values. */
function records(name: Name): { pos: string; ann: string[][]; csq: string[][] }[] {
  const text = gunzipSync(readFileSync(outputs[name])).toString();
  const out: { pos: string; ann: string[][]; csq: string[][] }[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split("\t");
    const info = new Map(f[7]!.split(";").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const entries = (key: string) =>
      (info.get(key) ?? "")
        .split(",")
        .filter(Boolean)
        .map((e) => e.split("|"));
    out.push({ pos: f[1]!, ann: entries("ANN"), csq: entries("CSQ") });
  }
  return out;
}

describe.skipIf(!SNPSIFT)("SnpSift 5.1 reads ANN", () => {
  test.each(NAMES)(
    "extractFields: %s, every entry of every record, as written",
    (name) => {
      const r = snpSift(["extractFields", "-s", ",", "-e", ".", outputs[name], "POS", "ANN[*].EFFECT", "ANN[*].IMPACT", "ANN[*].HGVS_P"]);
      expect(r.stderr).not.toContain("Exception");
      expect(r.exitCode).toBe(0);
      const rows = r.stdout
        .trimEnd()
        .split("\n")
        .slice(1)
        .map((l) => l.split("\t"));
      const ours = records(name);
      expect(ours.length).toBeGreaterThan(0);
      expect(rows.map((row) => row[0])).toEqual(ours.map((rec) => rec.pos));
      // -e ".": an empty value, or a record without ANN (passed through: a contig not in the reference).
      const column = (rec: (typeof ours)[number], i: number, decode = (v: string) => v) =>
        rec.ann.length === 0 ? "." : rec.ann.map((e) => decode(e[i]!) || ".").join(",");
      expect(rows.map((row) => row[1])).toEqual(ours.map((rec) => column(rec, 1)));
      expect(rows.map((row) => row[2])).toEqual(ours.map((rec) => column(rec, 2)));
      expect(rows.map((row) => row[3])).toEqual(ours.map((rec) => column(rec, 10, decodeURIComponent)));
    },
    120_000,
  );

  test.each(NAMES)(
    "filter on impact and effect: %s, the records ANN says",
    (name) => {
      const r = snpSift(["filter", "(ANN[*].IMPACT = 'HIGH') | (ANN[*].EFFECT has 'missense_variant')", outputs[name]]);
      expect(r.stderr).not.toContain("Exception");
      expect(r.exitCode).toBe(0);
      const kept = r.stdout
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => l.split("\t")[1]);
      const expected = records(name)
        .filter((rec) => rec.ann.some((e) => e[2] === "HIGH" || e[1]!.split("&").includes("missense_variant")))
        .map((rec) => rec.pos);
      expect(kept).toEqual(expected);
      if (name === "test.vcf" || name === "known variants (115k)") expect(kept.length).toBeGreaterThan(0);
      // Ablation, amplification, truncation and elongation are HIGH: all but the CNV and the inversion.
      if (name === "structural variants") expect(kept.length).toBe(SV_RECORDS.length - 2);
    },
    120_000,
  );
});

describe.skipIf(!BCFTOOLS)("bcftools +split-vep reads CSQ", () => {
  test("-l lists VEP's columns from the header", () => {
    const r = splitVep(["-l", outputs["test.vcf"]]);
    expect(r.exitCode).toBe(0);
    const columns = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t")[1]);
    expect(columns.slice(0, 12)).toEqual([
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
    ]);
    expect(columns).toContain("Existing_variation");
    expect(columns).toContain("AF");
    expect(columns).toContain("CLIN_SIG");
    expect(columns).toEqual(parseAnnotatedVcf(gunzipSync(readFileSync(outputs["test.vcf"])).toString()).csqColumns);
  });

  test.each(NAMES)(
    "-d -f: %s, one line per CSQ entry, VEP's vocabulary, HGVS in VEP's form",
    (name) => {
      const r = splitVep(["-d", "-f", "%POS\\t%Consequence\\t%IMPACT\\t%Feature\\t%HGVSc\\t%HGVSp\\n", outputs[name]]);
      expect(r.exitCode).toBe(0);
      const lines = r.stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split("\t"));
      const ours = records(name);
      const entries = ours.flatMap((rec) => rec.csq.map((e) => ({ pos: rec.pos, e })));
      expect(lines.map((l) => `${l[0]} ${l[1]}`)).toEqual(entries.map(({ pos, e }) => `${pos} ${e[1]}`));
      // Checked in bulk (300k entries): the offending values are listed on failure.
      const bad = lines.filter(([, consequence, impact, feature, hgvsC, hgvsP]) => {
        if (!consequence!.split("&").every((term) => VEP_TERMS.has(term))) return true;
        if (!["HIGH", "MODERATE", "LOW", "MODIFIER"].includes(impact!)) return true;
        if (hgvsC !== "." && !/^(ENST\w+)(\.\d+)?:[cn]\.[-*\d]/.test(hgvsC!)) return true;
        if (hgvsC !== "." && !hgvsC!.startsWith(`${feature}.`) && !hgvsC!.startsWith(`${feature}:`)) return true;
        // HGVSp names the protein, as VEP does (Ensembl 84's GFF3 gives protein IDs without versions).
        return hgvsP !== "." && !/^ENSP\d{11}:p\.[A-Z]/.test(hgvsP!);
      });
      expect(bad).toEqual([]);
      // Every record has as many CSQ entries as ANN entries.
      for (const rec of ours) expect(rec.csq.length).toBe(rec.ann.length);
      if (name === "structural variants") {
        // Annotated, not passed through: VEP's SV terms, no HGVS (VEP writes none for SVs).
        expect(ours.every((rec) => rec.csq.length > 0)).toBe(true);
        const terms = new Set(lines.flatMap((l) => l[1]!.split("&")));
        for (const t of ["transcript_ablation", "transcript_amplification", "feature_truncation", "feature_elongation"])
          expect(terms).toContain(t);
        expect(lines.every((l) => l[4] === "." && l[5] === ".")).toBe(true);
      }
    },
    120_000,
  );
});

describe("--fields", () => {
  const run = async (fields: string) => {
    const out = join(dir, `fields-${fields.replace(/\W/g, "_")}.vcf`);
    const r = await runGas(["annotate", INPUTS["test.vcf"], "-o", out, "--quiet", "--fields", fields]);
    return { r, vcf: r.exitCode === 0 ? parseAnnotatedVcf(readFileSync(out, "utf8")) : null };
  };

  test("ann: ANN only; csq: CSQ only; both by default; the header declares what is written", async () => {
    const ann = await run("ann");
    const csq = await run("csq");
    const both = await run("csq,ann");
    for (const { r } of [ann, csq, both]) expect(r.exitCode).toBe(0);
    const declares = (v: typeof ann.vcf, id: string) => v!.meta.some((l) => l.startsWith(`##INFO=<ID=${id},`));
    expect([declares(ann.vcf, "ANN"), declares(ann.vcf, "CSQ")]).toEqual([true, false]);
    expect([declares(csq.vcf, "ANN"), declares(csq.vcf, "CSQ")]).toEqual([false, true]);
    expect([declares(both.vcf, "ANN"), declares(both.vcf, "CSQ")]).toEqual([true, true]);
    expect(ann.vcf!.records.every((rec) => rec.ann.length > 0 && !rec.info.has("CSQ"))).toBe(true);
    expect(csq.vcf!.records.every((rec) => rec.csq.length > 0 && !rec.info.has("ANN"))).toBe(true);
    // The default writes the same lines as --fields ann,csq.
    const dflt = join(dir, "default.vcf");
    expect((await runGas(["annotate", INPUTS["test.vcf"], "-o", dflt, "--quiet"])).exitCode).toBe(0);
    expect(parseAnnotatedVcf(readFileSync(dflt, "utf8")).records.map((rec) => rec.raw)).toEqual(both.vcf!.records.map((rec) => rec.raw));
  }, 60_000);

  test("re-annotating replaces the input's ANN and CSQ instead of adding a second of each", async () => {
    const first = join(dir, "first.vcf");
    const second = join(dir, "second.vcf");
    expect((await runGas(["annotate", INPUTS["test.vcf"], "-o", first, "--quiet"])).exitCode).toBe(0);
    expect((await runGas(["annotate", first, "-o", second, "--quiet"])).exitCode).toBe(0);
    const a = parseAnnotatedVcf(readFileSync(first, "utf8"));
    const b = parseAnnotatedVcf(readFileSync(second, "utf8"));
    expect(b.meta.filter((l) => l.startsWith("##INFO=<ID=CSQ,")).length).toBe(1);
    expect(b.records.map((rec) => rec.raw.split("\t").slice(7, 8))).toEqual(a.records.map((rec) => rec.raw.split("\t").slice(7, 8)));
  }, 60_000);

  test("anything but ann and csq is a usage error (exit 2) naming the option", async () => {
    const { r } = await run("ann,vep");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--fields");
  });
});
