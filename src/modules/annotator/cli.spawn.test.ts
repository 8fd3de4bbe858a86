/**
 * End-to-end tests of `gas annotate` as other tools call it: `bun src/main.ts annotate …` in a
 * child process, checked by exit code, stderr and the files it leaves. Bad input and memory
 * tests are in cli-failure.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ANN_STANDARD_FIELDS, type AnnotatedVcf, dataLines, parseAnnotatedVcf } from "../../../test/support/engine/annotated-vcf.ts";
import {
  BCFTOOLS,
  firstChangedResidue,
  hgvsFirstResidue,
  runBcftoolsCsq,
  sameTerm,
} from "../../../test/support/engine/bcftools-csq-runner.ts";
import { BGZF_EOF, bgzfBytes, gzipBytes, looksLikeBgzf } from "../../../test/support/engine/compressed-fixtures.ts";
import {
  DEMO_FASTA,
  DEMO_GFF3,
  DEMO_GTF,
  DEMO_REFSEQ_GFF3,
  DEMO_VCF_DIR,
  listDir,
  runGas,
  tempDir,
} from "../../../test/support/engine/gas-cli-runner.ts";

const TEST_VCF = join(DEMO_VCF_DIR, "test.vcf");
const TEST3_VCF = join(DEMO_VCF_DIR, "test3.vcf");
const dirs: string[] = [];
const dir = (label: string) => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The file without its `##GAS_command` line (the only line that names the output path). */
const withoutCommand = (text: string) => text.replace(/^##GAS_command=.*\n/m, "");

// test.vcf annotated once with the default demo bundle; several tests read this output.
let main: { dir: string; path: string; text: string; vcf: AnnotatedVcf; stderr: string };
const inputText = readFileSync(TEST_VCF, "utf8");
const inputLines = dataLines(inputText).map((l) => l.split("\t"));

beforeAll(async () => {
  const d = dir("main");
  const path = join(d, "out.vcf");
  const r = await runGas(["annotate", TEST_VCF, "-o", path]);
  expect(r.stderr).not.toContain("error");
  expect(r.exitCode).toBe(0);
  const text = readFileSync(path, "utf8");
  main = { dir: d, path, text, vcf: parseAnnotatedVcf(text), stderr: r.stderr };
}, 30_000);

describe("gas annotate test.vcf -o OUT.vcf (default demo reference)", () => {
  test("declares ANN with the 16 standard field names", () => {
    const annLines = main.vcf.meta.filter((l) => l.startsWith("##INFO=<ID=ANN,"));
    expect(annLines).toHaveLength(1);
    const names = /Description="Functional annotations: '([^']*)'/
      .exec(annLines[0]!)?.[1]
      ?.split("|")
      .map((s) => s.trim());
    expect(names).toEqual([...ANN_STANDARD_FIELDS]);
    expect(main.vcf.meta[0]).toBe("##fileformat=VCFv4.1"); // the input's header comes first, kept
    expect(main.vcf.columnLine).toBe(inputText.split("\n").find((l) => l.startsWith("#CHROM"))!);
  });

  test("every record annotated, in input order, with IDs, fixed columns and samples unchanged", () => {
    const out = main.vcf.records;
    expect(out).toHaveLength(inputLines.length);
    expect(inputLines.length).toBe(132);
    for (let i = 0; i < out.length; i++) {
      const rec = out[i]!;
      const cols = inputLines[i]!;
      expect([rec.chrom, String(rec.pos), rec.id, rec.ref, rec.alts.join(","), rec.qual, rec.filter]).toEqual(cols.slice(0, 7));
      expect(rec.id).toMatch(/^rs\d+$/);
      expect(rec.samples).toBe(cols.slice(8).join("\t"));
      expect(rec.annCount).toBe(1);
      expect(rec.ann.length).toBeGreaterThan(0);
      for (const a of rec.ann) {
        expect(a.allele).toBe(rec.alts[0]!);
        expect(a.impact).toMatch(/^(HIGH|MODERATE|LOW|MODIFIER)$/);
        expect(a.featureType).toMatch(/^(transcript|intergenic_region)$/);
        if (a.featureType === "transcript") expect(a.featureId).toMatch(/^ENST\d+(_1)?$/); // no `transcript:` prefix, no version (the GFF3 has an ENST00000419219_1)
      }
    }
  });

  test("a known missense variant gets its MRPL39 annotation", () => {
    const rec = main.vcf.records.find((r) => r.id === "rs142513484")!;
    const mrpl39 = rec.ann.find((a) => a.featureId === "ENST00000352957")!;
    expect(mrpl39).toMatchObject({
      geneName: "MRPL39",
      consequences: ["missense_variant"],
      impact: "MODERATE",
      hgvsC: "c.991G>A",
      hgvsP: "p.Ala331Thr",
      rank: "10/10",
      aaPos: "331/338",
    });
    // SnpEff's c.*18G>A on the other MRPL39 transcript (see data/demo/README.md).
    expect(rec.ann.find((a) => a.featureId === "ENST00000307301")).toMatchObject({ hgvsC: "c.*18G>A", cdnaPos: "1122/1199" });
  });

  test("stderr is quiet on a pipe: no progress bar, a one-line summary", () => {
    expect(main.stderr).not.toContain("\r");
    expect(main.stderr).toContain("annotated 132 alleles in 132 records");
  });

  test("-o OUT.vcf.gz writes BGZF whose content is the plain output, and its tabix index", async () => {
    const d = dir("bgzf-out");
    const path = join(d, "out.vcf.gz");
    const r = await runGas(["annotate", TEST_VCF, "-o", path]);
    expect(r.exitCode).toBe(0);
    const bytes = new Uint8Array(readFileSync(path));
    expect(looksLikeBgzf(bytes)).toBe(true);
    expect(bytes.subarray(bytes.length - 28)).toEqual(BGZF_EOF);
    expect(withoutCommand(gunzipSync(bytes).toString("utf8"))).toBe(withoutCommand(main.text));
    if (BCFTOOLS) {
      const view = Bun.spawnSync([BCFTOOLS, "view", "-H", path], { stderr: "pipe" });
      expect(view.exitCode).toBe(0);
      expect(dataLines(view.stdout.toString())).toHaveLength(132);
      // The region query reads our out.vcf.gz.tbi (bcftools refuses a region without an index).
      const region = Bun.spawnSync([BCFTOOLS, "view", "-H", "-r", "21:25000000-26000000", path], { stderr: "pipe" });
      expect(region.exitCode).toBe(0);
      const inRegion = dataLines(main.text).filter((l) => {
        const [, pos = "0", , ref = ""] = l.split("\t");
        return Number(pos) <= 26_000_000 && Number(pos) + ref.length - 1 >= 25_000_000;
      });
      expect(dataLines(region.stdout.toString()).length).toBe(inRegion.length);
    }
    expect(listDir(d)).toEqual(["out.vcf.gz", "out.vcf.gz.tbi"]);
  }, 30_000);

  test("without -o, writes <name>.annot.vcf and <name>.vcf.count.log beside the input", async () => {
    const d = dir("pair");
    copyFileSync(TEST_VCF, join(d, "test.vcf"));
    const r = await runGas(["annotate", join(d, "test.vcf")]);
    expect(r.exitCode).toBe(0);
    expect(listDir(d)).toEqual(["test.annot.vcf", "test.vcf", "test.vcf.count.log"]);
    expect(withoutCommand(readFileSync(join(d, "test.annot.vcf"), "utf8"))).toBe(withoutCommand(main.text));
    expect(readFileSync(join(d, "test.vcf.count.log"), "utf8")).toContain("Total: 132");
  }, 30_000);

  test("the same input as gzip and as BGZF gives identical annotations", async () => {
    const d = dir("gz-in");
    const raw = new Uint8Array(readFileSync(TEST_VCF));
    writeFileSync(join(d, "plain-gzip.vcf.gz"), gzipBytes(raw));
    writeFileSync(join(d, "bgzf.vcf.gz"), await bgzfBytes(raw));
    expect(looksLikeBgzf(readFileSync(join(d, "bgzf.vcf.gz")))).toBe(true);
    for (const name of ["plain-gzip", "bgzf"]) {
      const out = join(d, `${name}.out.vcf`);
      const r = await runGas(["annotate", join(d, `${name}.vcf.gz`), "-o", out]);
      expect(r.exitCode).toBe(0);
      expect(dataLines(readFileSync(out, "utf8"))).toEqual(dataLines(main.text));
    }
  }, 30_000);

  test("re-annotating the output is idempotent: same records, one ANN, header lines not repeated", async () => {
    const d = dir("again");
    const out = join(d, "again.vcf");
    const r = await runGas(["annotate", main.path, "-o", out]);
    expect(r.exitCode).toBe(0);
    const again = readFileSync(out, "utf8");
    expect(dataLines(again)).toEqual(dataLines(main.text));
    expect(
      withoutCommand(again)
        .split("\n")
        .filter((l) => l.startsWith("##")),
    ).toEqual(
      withoutCommand(main.text)
        .split("\n")
        .filter((l) => l.startsWith("##")),
    );
  }, 30_000);

  test("`bun run gas -- annotate …` is the same command", async () => {
    const d = dir("bun-run");
    const out = join(d, "out.vcf");
    const r = await runGas(["annotate", TEST_VCF, "-o", out], { prefix: ["run", "gas", "--"] });
    expect(r.exitCode).toBe(0);
    expect(dataLines(readFileSync(out, "utf8"))).toEqual(dataLines(main.text));
  }, 30_000);
});

/** The columns of `--format tsv|json`, one row per variant × feature. */
const BROWSE_COLUMNS = [
  "line",
  "chrom",
  "pos",
  "id",
  "ref",
  "alt",
  "consequence",
  "impact",
  "gene",
  "geneId",
  "featureType",
  "feature",
  "biotype",
  "rank",
  "hgvsC",
  "hgvsP",
  "cdnaPos",
  "cdsPos",
  "aaPos",
  "distance",
  "known",
  "af",
  "messages",
];

describe("--format tsv and json", () => {
  /**
   * Every ANN entry of the VCF output, flattened in file order, as the browse columns name them;
   * the rows keep VEP's vocabulary, which the VCF writes in CSQ (entries in ANN's order).
   */
  const expectedRows = () =>
    main.vcf.records.flatMap((rec) =>
      rec.ann.map((a, i) => ({
        chrom: rec.chrom,
        pos: rec.pos,
        id: rec.id,
        ref: rec.ref,
        alt: a.allele,
        consequence: rec.csq[i]!.Consequence,
        impact: a.impact,
        gene: a.geneName,
        geneId: a.geneId,
        featureType: a.featureType,
        feature: a.featureId,
        biotype: a.biotype,
        rank: a.rank,
        hgvsC: a.hgvsC,
        hgvsP: a.hgvsP,
        cdnaPos: a.cdnaPos,
        cdsPos: a.cdsPos,
        aaPos: a.aaPos,
        distance: a.distance,
        af: rec.info.get("KNOWN_AF") ?? "",
      })),
    );

  test("tsv: documented columns, one row per ANN entry of the VCF output", async () => {
    const d = dir("tsv");
    const out = join(d, "out.tsv");
    const r = await runGas(["annotate", TEST_VCF, "-o", out, "--format", "tsv"]);
    expect(r.exitCode).toBe(0);
    const [header, ...lines] = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(header).toBe(`#${BROWSE_COLUMNS.join("\t")}`);
    const rows = lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [BROWSE_COLUMNS[i]!, v])));
    const expected = expectedRows();
    expect(rows).toHaveLength(expected.length);
    expect(rows.length).toBeGreaterThan(132);
    for (let i = 0; i < rows.length; i++) {
      const { pos, ...rest } = expected[i]!;
      expect(rows[i]).toMatchObject({ ...rest, pos: String(pos), known: "true" });
      expect(Number(rows[i]!.line)).toBeGreaterThan(7); // input line numbers: test.vcf has a 7-line header
    }
    expect(listDir(d)).toEqual(["out.tsv"]);
  }, 30_000);

  test("json: parses, one row per ANN entry, typed values", async () => {
    const d = dir("json");
    const out = join(d, "out.json");
    const r = await runGas(["annotate", TEST_VCF, "-o", out, "--format", "json"]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8")) as { rows: Record<string, unknown>[] };
    const expected = expectedRows();
    expect(doc.rows).toHaveLength(expected.length);
    for (let i = 0; i < doc.rows.length; i++) {
      expect(Object.keys(doc.rows[i]!)).toEqual(BROWSE_COLUMNS);
      expect(doc.rows[i]).toMatchObject({ ...expected[i], known: true });
      expect(typeof doc.rows[i]!.line).toBe("number");
    }
  }, 30_000);
});

describe("--fasta F --genes G: loose reference files, format told by content", () => {
  const mrpl39Check = (vcf: AnnotatedVcf, transcriptPrefix: RegExp) => {
    expect(vcf.records).toHaveLength(132);
    const rec = vcf.records.find((r) => r.id === "rs142513484")!;
    const hit = rec.ann.find((a) => a.geneName === "MRPL39" && a.consequences.includes("missense_variant"));
    expect(hit).toBeDefined();
    expect(hit!.featureId).toMatch(transcriptPrefix);
    expect(hit!.hgvsP).toBe("p.Ala331Thr");
    // Every record in MRPL39's span gets an MRPL39 annotation.
    const inGene = vcf.records.filter((r) => r.pos >= 25585656 && r.pos <= 25608000);
    expect(inGene.length).toBeGreaterThan(10);
    for (const r of inGene) expect(r.ann.some((a) => a.geneName === "MRPL39")).toBe(true);
  };

  const annotateWith = async (genes: string, label: string) => {
    const d = dir(label);
    const out = join(d, "out.vcf");
    const r = await runGas(["annotate", TEST_VCF, "-o", out, "--fasta", DEMO_FASTA, "--genes", genes]);
    expect(r.stderr).toContain("annotated 132 alleles");
    expect(r.exitCode).toBe(0);
    return readFileSync(out, "utf8");
  };

  test("Ensembl GTF", async () => {
    const text = await annotateWith(DEMO_GTF, "gtf");
    mrpl39Check(parseAnnotatedVcf(text), /^ENST\d+$/);
    // No known-variants file was given: no KNOWN_ fields, IDs as in the input.
    expect(text).not.toContain("KNOWN_");
  }, 30_000);

  test("RefSeq GFF3 (contig NC_000021.9 resolves to 21)", async () => {
    mrpl39Check(parseAnnotatedVcf(await annotateWith(DEMO_REFSEQ_GFF3, "refseq")), /^[NX]M_\d+/);
  }, 30_000);

  test("misleading extensions: a GTF named .gff3.gz and a plain GFF3 named .gtf", async () => {
    const d = dir("misnamed");
    const gtfAsGff = join(d, "genes.gff3.gz");
    copyFileSync(DEMO_GTF, gtfAsGff);
    const gffAsGtf = join(d, "genes.gtf");
    writeFileSync(gffAsGtf, gunzipSync(readFileSync(DEMO_REFSEQ_GFF3)));
    expect(dataLines(await annotateWith(gtfAsGff, "misnamed-gtf"))).toEqual(dataLines(await annotateWith(DEMO_GTF, "named-gtf")));
    expect(dataLines(await annotateWith(gffAsGtf, "misnamed-gff"))).toEqual(dataLines(await annotateWith(DEMO_REFSEQ_GFF3, "named-gff")));
  }, 60_000);
});

describe("test3.vcf: GABPA indels and a record on contig 22", () => {
  test("exit 0; the 22 record passes through with a warning naming line and contig in stderr and the log", async () => {
    const d = dir("test3");
    const input = join(d, "test3.vcf");
    copyFileSync(TEST3_VCF, input);
    const r = await runGas(["annotate", input]);
    expect(r.exitCode).toBe(0);
    const warning = /test3\.vcf: line 7: contig "22" is not in the reference/;
    expect(r.stderr).toMatch(warning);
    const log = readFileSync(join(d, "test3.vcf.count.log"), "utf8");
    expect(log).toMatch(warning);
    const inLines = dataLines(readFileSync(TEST3_VCF, "utf8"));
    const out = parseAnnotatedVcf(readFileSync(join(d, "test3.annot.vcf"), "utf8"));
    expect(out.records.map((x) => x.id)).toEqual(["var2_chr21", "var3_chr21", "var4_chr21", "var5_chr22"]);
    expect(out.records[3]!.raw).toBe(inLines[3]!); // unannotated, byte for byte
    const gabpa = (id: string) => out.records.find((x) => x.id === id)!.ann.filter((a) => a.geneName === "GABPA");
    for (const a of gabpa("var2_chr21")) {
      expect(a.consequences[0]).toBe("frameshift_variant");
      expect(a.hgvsC).toMatch(/^c\.\d+del$/);
      expect(a.hgvsP).toMatch(/^p\.\(?Ile407(fs|[A-Z][a-z]{2}fsTer\d+)\)?$/);
    }
    for (const a of gabpa("var3_chr21")) {
      expect(a.consequences[0]).toBe("frameshift_variant");
      expect(a.hgvsC).toMatch(/^c\.\d+dup$/);
    }
    for (const a of gabpa("var4_chr21")) expect(a).toMatchObject({ consequences: ["missense_variant"], hgvsP: "p.Tyr409Cys" });
    expect(
      gabpa("var2_chr21")
        .map((a) => a.featureId)
        .sort(),
    ).toEqual(["ENST00000354828", "ENST00000400075"]);
  }, 30_000);

  // test3's GABPA records (without the 22 record, on which bcftools aborts) plus more indel
  // kinds in the same exon, positions sorted as bcftools requires; REF bases from the demo FASTA.
  const CROSS_CHECK_RECORDS = [
    ...dataLines(readFileSync(TEST3_VCF, "utf8"))
      .filter((l) => !l.startsWith("22\t"))
      .map((l) => l.split("\t").slice(0, 8).join("\t")),
    "21\t25769089\tdel2_frameshift\tGGA\tG\t.\t.\t.",
    "21\t25769096\tdel3_inframe\tGTGC\tG\t.\t.\t.",
    "21\t25769100\tins3_inframe\tA\tAGGC\t.\t.\t.",
    "21\t25769103\tmnp_delins\tGG\tTA\t.\t.\t.",
    "21\t25769107\tdup3_stop\tT\tTAGT\t.\t.\t.",
    "21\t25769110\tsnv_missense\tA\tT\t.\t.\t.",
    "21\t25769112\tsnv_synonymous\tC\tT\t.\t.\t.",
  ].sort((a, b) => Number(a.split("\t")[1]) - Number(b.split("\t")[1]));
  const HGVS_C_FORM: Record<string, RegExp> = {
    var2_chr21: /^c\.\d+del$/,
    var3_chr21: /^c\.\d+dup$/,
    var4_chr21: /^c\.\d+A>G$/,
    del2_frameshift: /^c\.\d+_\d+del$/,
    del3_inframe: /^c\.\d+_\d+del$/,
    ins3_inframe: /^c\.\d+_\d+ins[ACGT]{3}$/,
    mnp_delins: /^c\.\d+_\d+delinsTA$/,
    dup3_stop: /^c\.\d+_\d+dup$/,
    snv_missense: /^c\.\d+A>T$/,
    snv_synonymous: /^c\.\d+C>T$/,
  };

  test.skipIf(!BCFTOOLS)(
    "consequence class and amino-acid change agree with bcftools csq -l, run live",
    async () => {
      const d = dir("bcftools");
      const vcf = join(d, "gabpa.vcf");
      writeFileSync(
        vcf,
        `##fileformat=VCFv4.2\n##contig=<ID=21,length=46709983>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n${CROSS_CHECK_RECORDS.join("\n")}\n`,
      );
      const out = join(d, "gabpa.out.vcf");
      const r = await runGas(["annotate", vcf, "-o", out, "--known", "none"]);
      expect(r.exitCode).toBe(0);
      const ours = parseAnnotatedVcf(readFileSync(out, "utf8"));
      const peer = await runBcftoolsCsq(vcf, DEMO_FASTA, DEMO_GFF3);
      const compared = new Set<string>();
      for (const b of peer.filter((e) => e.gene === "GABPA")) {
        const rec = ours.records.find((x) => x.id === b.recordId)!;
        const a = rec.ann.find((x) => x.featureId === b.transcript);
        expect(a, `${b.recordId} ${b.transcript}`).toBeDefined();
        expect(sameTerm(b.terms[0]!, a!.consequences), `${b.recordId}: bcftools ${b.terms[0]} vs ${a!.consequences}`).toBe(true);
        const theirs = firstChangedResidue(b.aaChange);
        const mine = hgvsFirstResidue(a!.hgvsP);
        expect(theirs).not.toBeNull();
        expect({ id: b.recordId, pos: mine?.pos, ref: mine?.ref }).toEqual({ id: b.recordId, pos: theirs!.pos, ref: theirs!.ref });
        if (mine!.alt !== null && a!.consequences.includes("missense_variant")) expect(mine!.alt).toBe(theirs!.alt);
        expect(a!.hgvsC, b.recordId).toMatch(HGVS_C_FORM[b.recordId]!);
        compared.add(b.recordId);
      }
      expect([...compared].sort()).toEqual(Object.keys(HGVS_C_FORM).sort());
    },
    30_000,
  );
});
