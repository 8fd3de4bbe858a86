/**
 * End-to-end tests of the engine's library entry point, annotateFile (what the annotator role
 * calls), on the demo bundle: per-ALT annotation and pass-through of what cannot be annotated,
 * the count log against the VCF it describes, and known variants.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AnnotationInputError, annotateFile, DEFAULT_BUNDLE_DIR, openReference, type Reference } from "./index.ts";
import { type AnnotatedVcf, dataLines, type OutputRecord, parseAnnotatedVcf } from "../../../test/support/engine/annotated-vcf.ts";
import { DEMO_VCF_DIR, listDir, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";

const TEST_VCF = join(DEMO_VCF_DIR, "test.vcf");
const REF_MISMATCH = "WARNING_REF_DOES_NOT_MATCH_GENOME";

let root: string;
let withKnown: Reference;
let noKnown: Reference;
beforeAll(async () => {
  root = tempDir("annotate-file");
  [withKnown, noKnown] = await Promise.all([
    openReference({ bundleDir: DEFAULT_BUNDLE_DIR }),
    openReference({ bundleDir: DEFAULT_BUNDLE_DIR, known: null }),
  ]);
});
afterAll(async () => {
  await Promise.all([withKnown?.close(), noKnown?.close()]);
  rmSync(root, { recursive: true, force: true });
});

let runs = 0;
/** Annotates `input` (a path, or VCF text written to a file) into a fresh folder. */
async function annotate(input: string, reference: Reference, opts: { text?: boolean; log?: boolean } = {}) {
  const dir = join(root, `run-${++runs}`);
  mkdirSync(dir);
  const inputPath = opts.text ? join(dir, "input.vcf") : input;
  if (opts.text) writeFileSync(inputPath, input);
  const vcfPath = join(dir, "out.vcf");
  const logPath = join(dir, "out.log");
  const summary = await annotateFile({ input: inputPath, reference, outputs: { vcf: vcfPath, ...(opts.log ? { log: logPath } : {}) } });
  const vcf = parseAnnotatedVcf(readFileSync(vcfPath, "utf8"));
  return { summary, vcf, log: opts.log ? readFileSync(logPath, "utf8") : "" };
}

describe("per-ALT annotation and pass-through", () => {
  // Genome at 21:25585733 is C, at 25587701 T, at 25587758 G (all three are test.vcf SNVs).
  const EDGE_VCF = [
    "##fileformat=VCFv4.2",
    '##INFO=<ID=ANN,Number=.,Type=String,Description="an older annotation">',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2",
    "21\t25585733\t.\tC\tT,G\t50\tPASS\tDP=3\tGT\t0/1\t1/2", // line 6: multi-allelic
    "21\t25585733\tsv1\tC\t<DEL>\t.\t.\tSVTYPE=DEL;END=25585800\tGT\t0/1\t0/0", // line 7: structural variant
    "21\t25585733\tstar1\tC\tT,*\t.\t.\t.\tGT\t0/1\t0/0", // line 8: spanning deletion
    "21\t25585733\tmismatch1\tA\tT\t.\t.\t.\tGT\t0/1\t0/0", // line 9: REF is not the genome's
    "chr21\t25587701\tlower1\tt\tc\t.\t.\t.\tGT\t0/1\t0/0", // line 10: chr prefix, lower case
    "21\t25587758\treann1\tG\tA\t.\t.\tANN=A|old_term|MODIFIER|||||||||||||;DP=4\tGT\t0/1\t0/0", // line 11
    "21\t25587701\tupper1\tT\tC\t.\t.\t.\tGT\t0/1\t0/0", // line 12: line 10 in upper case
  ];
  let out: AnnotatedVcf;
  let warnings: string[];
  const rec = (id: string) => out.records.find((r) => r.id.split(";").includes(id))!;
  const allelesOf = (r: OutputRecord) => [...new Set(r.ann.map((a) => a.allele))];

  beforeAll(async () => {
    const r = await annotate(`${EDGE_VCF.join("\n")}\n`, withKnown, { text: true });
    out = r.vcf;
    warnings = r.summary.warnings;
    expect(r.summary.records).toBe(7);
  });

  test("records in input order, sample columns unchanged", () => {
    const input = EDGE_VCF.slice(5).map((l) => l.split("\t"));
    expect(out.records.map((r) => r.pos)).toEqual(input.map((c) => Number(c[1])));
    expect(out.records.map((r) => r.samples)).toEqual(input.map((c) => c.slice(8).join("\t")));
    expect(out.columnLine).toBe(EDGE_VCF[4]!);
  });

  test("a multi-allelic record is annotated per ALT, Allele exactly as the ALT", () => {
    const r = out.records[0]!;
    expect(r.alts).toEqual(["T", "G"]);
    expect(allelesOf(r)).toEqual(["T", "G"]);
    const onMrpl39 = (alt: string) => r.ann.find((a) => a.allele === alt && a.featureId === "ENST00000352957")!;
    expect(onMrpl39("T")).toMatchObject({ consequences: ["missense_variant"], hgvsC: "c.991G>A", hgvsP: "p.Ala331Thr" });
    expect(onMrpl39("G")).toMatchObject({ consequences: ["missense_variant"], hgvsC: "c.991G>C", hgvsP: "p.Ala331Pro" });
    expect(r.info.get("DP")).toBe("3"); // the input's INFO is kept
    // Known variants are per ALT (Number=A): only T is rs142513484.
    expect(r.id).toBe("rs142513484");
    expect(r.info.get("KNOWN_AF")?.split(",")).toEqual([expect.stringMatching(/^[\d.e-]+$/), "."]);
  });

  test("a structural-variant ALT is annotated over its span (END), without HGVS and without a warning", () => {
    const sv = rec("sv1");
    expect(allelesOf(sv)).toEqual(["<DEL>"]);
    // ANN speaks SnpEff: VEP's feature_truncation of an exon is SnpEff's exon_loss_variant.
    const onMrpl39 = sv.ann.find((a) => a.featureId === "ENST00000352957");
    expect(onMrpl39?.consequences).toContain("exon_loss_variant");
    expect(onMrpl39?.impact).toBe("HIGH");
    expect(sv.csq.find((c) => c.Feature === "ENST00000352957")?.Consequence?.split("&")).toContain("feature_truncation");
    for (const a of sv.ann) expect([a.hgvsC, a.hgvsP]).toEqual(["", ""]);
    expect(warnings.filter((w) => /line 7:/.test(w))).toEqual([]);
  });

  test("other symbolic ALTs pass through with a warning naming the line; other ALTs are annotated", () => {
    const star = rec("star1");
    expect(star.alts).toEqual(["T", "*"]);
    expect(allelesOf(star)).toEqual(["T"]);
    expect(warnings.some((w) => /line 8: .*"\*"/.test(w))).toBe(true);
  });

  test("REF not matching the genome: flagged in every ANN entry of that record and warned, not fatal", () => {
    const r = rec("mismatch1");
    expect(r.ann.length).toBeGreaterThan(0);
    for (const a of r.ann) expect(a.messages).toContain(REF_MISMATCH);
    expect(warnings.some((w) => /line 9: REF "A" does not match the reference genome at 21:25585733/.test(w))).toBe(true);
    for (const other of out.records.filter((x) => x !== r)) for (const a of other.ann) expect(a.messages).not.toContain(REF_MISMATCH);
  });

  test("chr21 resolves to 21 and lower-case alleles are annotated like upper-case ones", () => {
    const lower = out.records[4]!;
    const upper = rec("upper1");
    expect(lower.chrom).toBe("chr21"); // the input's naming is kept in the output
    expect(lower.ann.length).toBeGreaterThan(0);
    expect(lower.ann.map((a) => a.allele)).toEqual(lower.ann.map(() => "c"));
    expect(lower.ann.map((a) => ({ ...a, allele: "C" }))).toEqual(upper.ann);
    expect(warnings.filter((w) => /line 1[02]:/.test(w))).toEqual([]);
  });

  test("an already annotated VCF is re-annotated: ANN replaced, not duplicated", () => {
    const r = rec("reann1");
    expect(r.annCount).toBe(1);
    expect(r.ann.some((a) => a.consequences.includes("old_term"))).toBe(false);
    expect(r.ann.some((a) => a.consequences.includes("missense_variant"))).toBe(true);
    expect(r.info.get("DP")).toBe("4");
    const annHeaders = out.meta.filter((l) => l.startsWith("##INFO=<ID=ANN,"));
    expect(annHeaders).toHaveLength(1);
    expect(annHeaders[0]).not.toContain("an older annotation");
  });

  test("exactly the expected warnings", () => {
    expect(warnings.map((w) => /line (\d+):/.exec(w)?.[1])).toEqual(["8", "9"]);
  });
});

/** Parses the count log into its figures and `In term N` tables. */
function parseCountLog(log: string) {
  const num = (label: string) => Number(new RegExp(`^${label}: (\\d+)`, "m").exec(log)?.[1]);
  const tables: Record<string, Record<string, number>> = {};
  let section = "";
  for (const line of log.split("\n")) {
    const row = /^ {2}In (\S+)\s+(\d+)$/.exec(line);
    if (row) (tables[section] ??= {})[row[1]!] = Number(row[2]);
    else if (/^\S.*:$/.test(line)) section = line;
  }
  return {
    total: num("Total"),
    records: num("Records"),
    known: num("Known variants"),
    novel: num("Novel variants"),
    byTerm: tables["Consequences (every term, all isoforms counted):"] ?? {},
    byMostSevere: tables["Most severe consequence per variant:"] ?? {},
    byImpact: tables["Impact (highest per variant):"] ?? {},
    warnings: num("Warnings"),
    seconds: Number(/^Time: ([\d.]+) s$/m.exec(log)?.[1]),
    speed: Number(/^Speed: (\d+) variants\/s$/m.exec(log)?.[1]),
  };
}

/** The same figures, counted from the annotated VCF itself. */
function countFromVcf(vcf: AnnotatedVcf) {
  const byTerm: Record<string, number> = {};
  const byMostSevere: Record<string, number> = {};
  const byImpact: Record<string, number> = { HIGH: 0, MODERATE: 0, LOW: 0, MODIFIER: 0 };
  let total = 0;
  let known = 0;
  for (const r of vcf.records) {
    const knownAf = r.info.get("KNOWN_AF")?.split(",");
    r.alts.forEach((alt, i) => {
      // The log counts VEP's terms: CSQ's vocabulary (ANN has SnpEff's). CSQ writes the ALT as VEP
      // does, so an allele's entries are told by the matching ANN entry, the two in the same order.
      const entries = r.csq.filter((_, k) => r.ann[k]!.allele === alt);
      if (entries.length === 0) return;
      total++;
      if (knownAf && knownAf[i] !== ".") known++;
      for (const a of entries) for (const t of a.Consequence!.split("&")) byTerm[t] = (byTerm[t] ?? 0) + 1;
      // Entries of an allele come most severe first.
      const first = entries[0]!;
      const mostSevere = first.Consequence!.split("&")[0]!;
      byMostSevere[mostSevere] = (byMostSevere[mostSevere] ?? 0) + 1;
      byImpact[first.IMPACT!]!++;
    });
  }
  return { total, known, byTerm, byMostSevere, byImpact };
}

describe("count log", () => {
  test("test.vcf: totals, known/novel, per-consequence and impact counts match the VCF output; time and speed", async () => {
    const { summary, vcf, log } = await annotate(TEST_VCF, withKnown, { log: true });
    const figures = parseCountLog(log);
    const counted = countFromVcf(vcf);
    expect(log).toStartWith("## GAS annotation log: test.vcf\n");
    expect(figures.records).toBe(vcf.records.length);
    expect(figures.total).toBe(counted.total);
    expect(figures.known).toBe(counted.known);
    expect(figures.novel).toBe(counted.total - counted.known);
    expect(figures.byTerm).toEqual(counted.byTerm);
    expect(figures.byMostSevere).toEqual(counted.byMostSevere);
    expect(figures.byImpact).toEqual(counted.byImpact);
    expect(Object.keys(figures.byTerm).length).toBeGreaterThan(5);
    expect(figures.warnings).toBe(0);
    expect(figures.seconds).toBeGreaterThan(0);
    expect(figures.speed).toBe(Math.round(counted.total / summary.seconds));
    expect(figures.speed).toBeGreaterThan(0);
  });

  test("warnings are listed with their line numbers", async () => {
    const text = `${readFileSync(join(DEMO_VCF_DIR, "test3.vcf"), "utf8")}21\t25769093\tbad_ref\tC\tG\t.\tPASS\t.\tGT\t0|1\n`;
    const { log } = await annotate(text, noKnown, { text: true, log: true });
    const figures = parseCountLog(log);
    expect(figures.warnings).toBe(2);
    expect(log).toMatch(/^ {2}\S*input\.vcf: line 7: contig "22" is not in the reference/m);
    expect(log).toMatch(/^ {2}\S*input\.vcf: line 8: REF "C" does not match the reference genome at 21:25769093/m);
    expect(figures.records).toBe(5);
    expect(figures.total).toBe(4); // the contig-22 record is not counted as an annotated allele
  });
});

describe("known variants", () => {
  test("test.vcf: 132/132 known, KNOWN_ fields declared per ALT", async () => {
    const { summary, vcf } = await annotate(TEST_VCF, withKnown);
    expect(summary.known).toBe(132);
    expect(summary.novel).toBe(0);
    const declared = new Map(
      vcf.meta.flatMap((l) => {
        const m = /^##INFO=<ID=(KNOWN_[^,]+),Number=([^,]+),/.exec(l);
        return m ? [[m[1]!, m[2]!] as const] : [];
      }),
    );
    expect(declared.get("KNOWN_AF")).toBe("A");
    for (const r of vcf.records) {
      expect(r.info.has("KNOWN_AF")).toBe(true);
      for (const key of r.info.keys()) if (key.startsWith("KNOWN_")) expect(declared.has(key)).toBe(true);
    }
  });

  test("without known variants: no KNOWN_ fields anywhere, IDs untouched", async () => {
    const input = readFileSync(TEST_VCF, "utf8").replace(/\trs\d+\t/g, "\t.\t");
    const { summary, vcf } = await annotate(input, noKnown, { text: true });
    expect(summary.known).toBe(0);
    expect(vcf.meta.some((l) => l.includes("KNOWN_"))).toBe(false);
    for (const r of vcf.records) {
      expect(r.id).toBe(".");
      expect([...r.info.keys()].filter((k) => k.startsWith("KNOWN_"))).toEqual([]);
    }
  });

  test("IDs: '.' gets the rsID filled in; an input ID is kept first", async () => {
    const original = dataLines(readFileSync(TEST_VCF, "utf8")).map((l) => l.split("\t")[2]!);
    let n = 0;
    const input = readFileSync(TEST_VCF, "utf8").replace(/\trs\d+\t/g, () => (n++ === 0 ? "\tmy_id\t" : "\t.\t"));
    const { vcf } = await annotate(input, withKnown, { text: true });
    expect(vcf.records[0]!.id).toBe(`my_id;${original[0]}`);
    expect(vcf.records.slice(1).map((r) => r.id)).toEqual(original.slice(1));
  });
});

/** Ensembl VEP's consequence order, most severe first (ensembl.org "Calculated variant consequences"). */
const VEP_ORDER = [
  "transcript_ablation",
  "splice_acceptor_variant",
  "splice_donor_variant",
  "stop_gained",
  "frameshift_variant",
  "stop_lost",
  "start_lost",
  "transcript_amplification",
  "feature_elongation",
  "feature_truncation",
  "inframe_insertion",
  "inframe_deletion",
  "missense_variant",
  "protein_altering_variant",
  "splice_donor_5th_base_variant",
  "splice_region_variant",
  "splice_donor_region_variant",
  "splice_polypyrimidine_tract_variant",
  "incomplete_terminal_codon_variant",
  "start_retained_variant",
  "stop_retained_variant",
  "synonymous_variant",
  "coding_sequence_variant",
  "mature_miRNA_variant",
  "5_prime_UTR_variant",
  "3_prime_UTR_variant",
  "non_coding_transcript_exon_variant",
  "intron_variant",
  "NMD_transcript_variant",
  "non_coding_transcript_variant",
  "coding_transcript_variant",
  "upstream_gene_variant",
  "downstream_gene_variant",
  "TFBS_ablation",
  "TFBS_amplification",
  "TF_binding_site_variant",
  "regulatory_region_ablation",
  "regulatory_region_amplification",
  "regulatory_region_variant",
  "intergenic_variant",
  "sequence_variant",
];
const vepRank = (term: string) => {
  const i = VEP_ORDER.indexOf(term);
  if (i < 0) throw new Error(`term not in VEP's table: ${term}`);
  return i;
};

describe("severity order", () => {
  // Variants where transcripts of equal impact (MODIFIER) give different terms: intron vs
  // downstream, non-coding exon vs intron, UTR vs upstream, … (REF bases from the demo FASTA).
  const TIES = [
    [25057758, "T", "A"],
    [24992708, "C", "G"],
    [25585790, "A", "G"],
    [25366842, "C", "T"],
    [25061635, "A", "T"],
    [25714689, "A", "T"],
    [43810339, "C", "T"],
    [25735046, "G", "A"],
    [25711480, "A", "T"],
    [25734358, "C", "G"],
    [43789516, "G", "A"],
    [25585659, "T", "A"],
  ] as const;
  const text = `##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n${[...TIES]
    .sort((a, b) => a[0] - b[0])
    .map(([pos, ref, alt]) => `21\t${pos}\t.\t${ref}\t${alt}\t.\t.\t.`)
    .join("\n")}\n`;

  test("each allele's first entry has its most severe term (VEP order, in CSQ), and the log counts that term", async () => {
    const { vcf, log } = await annotate(text, noKnown, { text: true, log: true });
    const expectedMostSevere: Record<string, number> = {};
    for (const r of vcf.records) {
      expect(r.csq.length).toBeGreaterThan(1);
      expect(r.csq.length).toBe(r.ann.length);
      const terms = r.csq.map((a) => a.Consequence!.split("&"));
      const best = terms.flat().sort((x, y) => vepRank(x) - vepRank(y))[0]!;
      expect({ pos: r.pos, first: terms[0]![0] }).toEqual({ pos: r.pos, first: best });
      for (const t of terms) expect(t).toEqual([...t].sort((x, y) => vepRank(x) - vepRank(y)));
      expectedMostSevere[best] = (expectedMostSevere[best] ?? 0) + 1;
    }
    expect(parseCountLog(log).byMostSevere).toEqual(expectedMostSevere);
  });
});

describe("line endings", () => {
  test("CRLF input gives the same records as LF input, without carriage returns", async () => {
    const lf = readFileSync(join(DEMO_VCF_DIR, "test3.vcf"), "utf8");
    const a = await annotate(lf, noKnown, { text: true });
    const b = await annotate(lf.replace(/\n/g, "\r\n"), noKnown, { text: true });
    expect(b.vcf.records.map((r) => r.raw)).toEqual(a.vcf.records.map((r) => r.raw));
    expect(b.vcf.records.some((r) => r.raw.includes("\r"))).toBe(false);
  });
});

describe("failure", () => {
  test("bad input rejects with AnnotationInputError naming file and line; nothing is left in the output folder", async () => {
    const dir = join(root, "failure");
    mkdirSync(dir);
    const input = join(dir, "in.vcf");
    writeFileSync(input, `${readFileSync(TEST_VCF, "utf8")}21\t25x\t.\tC\tT\t.\t.\t.\tGT\t0|1\n`);
    const outDir = join(dir, "out");
    mkdirSync(outDir);
    const run = annotateFile({
      input,
      reference: withKnown,
      outputs: { vcf: join(outDir, "o.vcf.gz"), log: join(outDir, "o.log"), tsv: join(outDir, "o.tsv") },
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AnnotationInputError);
    expect((err as Error).message).toMatch(/in\.vcf: line 140: /);
    expect(listDir(outDir)).toEqual([]);
  });
});

describe("--phased beside structural variants", () => {
  test("a phased record set with an SV is annotated (the SV joins no compound), two SNVs of one codon combine", async () => {
    const dir = join(root, "phased-sv");
    mkdirSync(dir);
    const input = join(dir, "in.vcf");
    // 25585732 G>A and 25585733 C>T: c.992 and c.991 of MRPL39's ENST00000352957 (minus strand),
    // one codon (Ala331), both on haplotype 2; and a whole-gene <DEL> on haplotype 1.
    writeFileSync(
      input,
      [
        "##fileformat=VCFv4.2",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1",
        "21\t25580000\tsv\tT\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=25610000\tGT\t1|0",
        "21\t25585732\tb\tG\tA\t.\tPASS\t.\tGT\t0|1",
        "21\t25585733\ta\tC\tT\t.\tPASS\t.\tGT\t0|1",
        "",
      ].join("\n"),
    );
    const out = join(dir, "out.vcf");
    await annotateFile({ input, reference: noKnown, outputs: { vcf: out }, fields: { ann: true, csq: true, phased: true } });
    const vcf = parseAnnotatedVcf(readFileSync(out, "utf8"));
    expect(vcf.records[0]!.info.has("HCSQ")).toBe(false);
    const hcsq = vcf.records.map((r) => r.info.get("HCSQ") ?? "");
    // The entry sits on the 5′-most record in transcript orientation (c.991, 25585733).
    expect(hcsq[1]!.split(",")).toContain("@25585733");
    expect(hcsq[2]).toContain("missense_variant|MRPL39|ENST00000352957|protein_coding|-|331A>331");
    expect(vcf.records[2]!.samples).toMatch(/^GT:HCSQ\t0\|1:\d+$/);
  });
});
