/**
 * The results store end to end: annotateFile writes it beside the JSON rows (the demo's 132
 * records), ResultsStore reads it back; every filter and page is checked against the JSON rows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { generateBenchVcf } from "../../../bench/generate-vcf.ts";
import { DEMO_FASTA, DEMO_VCF_DIR, listDir, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { SO_TERMS } from "../annotator/consequence/so-terms.ts";
import {
  type AnnotateSummary,
  annotateFile,
  type BrowseRow,
  DEFAULT_BUNDLE_DIR,
  openReference,
  type Reference,
} from "../annotator/index.ts";
import { CLIN_SIG_CLASSES as ENGINE_CLIN_SIG_CLASSES } from "../annotator/output/clin-sig.ts";
import {
  CLIN_SIG_CLASSES,
  type PageRequest,
  ResultsQueryError,
  ResultsStore,
  SORT_KEYS,
  type SortKey,
  type TranscriptRow,
  type VariantFilter,
  type VariantRow,
} from "./results-store.ts";

let root: string;
let reference: Reference;
let store: ResultsStore;
let summary: AnnotateSummary;
/** The JSON rows grouped per variant (per ALT), in input order: what the store must reproduce. */
let variants: BrowseRow[][];
/** The annotated VCF's data lines, in order (a variant's `rec` indexes them). */
let vcfRecords: string[][];
let input: string;

/**
 * The demo VCF with what a reviewer filters on varied: FILTER cycling PASS / q10 / ".", a second
 * sample, and the first record made multi-allelic (T,A) with calls 1|2 and 2/2, so that each ALT
 * has its own genotype classes.
 */
function demoWithFacts(): string {
  const lines = readFileSync(join(DEMO_VCF_DIR, "test.vcf"), "utf8").trimEnd().split("\n");
  let n = 0;
  return `${lines
    .map((l) => {
      if (l.startsWith("##")) return l;
      const c = l.split("\t");
      if (l.startsWith("#")) return [...c, "NA00002"].join("\t");
      const i = n++;
      c[6] = ["PASS", "q10", "."][i % 3]!;
      const second = ["0/1", "1/1", "0/0", "./."][i % 4]!;
      if (i === 0) return [...c.slice(0, 4), "T,A", c[5], c[6], c[7], "GT", "1|2", "2/2"].join("\t");
      return [...c, second].join("\t");
    })
    .join("\n")}\n`;
}

beforeAll(async () => {
  root = tempDir("gas-results-store-");
  reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
  input = join(root, "facts.vcf");
  writeFileSync(input, demoWithFacts());
  const outputs = { json: join(root, "out.json"), store: join(root, "out.sqlite"), vcf: join(root, "out.vcf") };
  summary = await annotateFile({ input, reference, outputs });
  vcfRecords = readFileSync(outputs.vcf, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split("\t"));
  const rows = (JSON.parse(readFileSync(outputs.json, "utf8")) as { rows: BrowseRow[] }).rows;
  variants = [];
  for (const r of rows) {
    const last = variants.at(-1);
    if (last && last[0]!.line === r.line && last[0]!.alt === r.alt) last.push(r);
    else variants.push([r]);
  }
  store = ResultsStore.open(outputs.store);
});

afterAll(() => store?.close());

const all = (req: Omit<PageRequest, "after" | "before" | "last"> = {}): VariantRow[] => {
  const out: VariantRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = store.page({ ...req, limit: 7, after });
    out.push(...page.rows);
    if (!page.next) return out;
    after = page.next;
  }
};

/** vids (1-based input order) of the variants whose rows satisfy `pred`. */
const expectedVids = (pred: (rows: BrowseRow[]) => boolean) => variants.flatMap((rows, i) => (pred(rows) ? [i + 1] : []));
const vidsOf = (rows: VariantRow[]) => rows.map((r) => r.vid).sort((a, b) => a - b);

describe("writing", () => {
  test("one variant per annotated ALT and every row of --format json, in order", () => {
    expect(variants.length).toBe(summary.alleles);
    expect(store.count()).toBe(summary.alleles);
    variants.forEach((rows, i) => {
      const back = store.transcripts(i + 1);
      expect(JSON.stringify(back)).toBe(JSON.stringify(rows)); // same columns, same order, same text
    });
  });

  test("the variant row is its most severe effect", () => {
    const v = store.variant(1)!;
    const first = variants[0]![0]!;
    expect(v).toMatchObject({
      line: first.line,
      chrom: first.chrom,
      pos: first.pos,
      ref: first.ref,
      alt: first.alt,
      gene: first.gene,
      hgvsC: first.hgvsC,
      impact: first.impact,
    });
    expect(v.consequence).toBe(first.consequence.split("&")[0]!);
    expect(v.transcripts).toBe(variants[0]!.length);
    expect(store.variant(variants.length + 1)).toBeNull();
  });

  test("the summary is written at annotation time and agrees with the engine's counts", () => {
    const s = store.summary();
    expect(s.variants).toBe(summary.alleles);
    expect(s.transcriptRows).toBe(variants.flat().length);
    expect(s.known).toBe(summary.known);
    expect(s.novel).toBe(summary.novel);
    expect(s.variantsByMostSevere).toEqual(summary.byMostSevere);
    expect(s.rowsByConsequence).toEqual(summary.byConsequence);
    expect(s.variantsByImpact).toEqual(Object.fromEntries(Object.entries(summary.byImpact).filter(([, n]) => n > 0)));
    const biotypes = new Map<string, number>();
    for (const r of variants.flat()) biotypes.set(r.biotype || "(none)", (biotypes.get(r.biotype || "(none)") ?? 0) + 1);
    expect(s.rowsByBiotype).toEqual(Object.fromEntries(biotypes));
    const histogram = s.afHistogram.bins.reduce((n, b) => n + b.count, 0) + s.afHistogram.withoutAf;
    expect(histogram).toBe(summary.alleles);
    expect(s.afHistogram.withoutAf).toBe(expectedVids((rows) => rows[0]!.af === "").length);
    expect((s.engine as { records: number }).records).toBe(summary.records);
    expect(s.engine.input).toBe("facts.vcf"); // never the folder it was annotated in
  });

  test("an aborted run leaves no store behind", async () => {
    const dir = join(root, "failure");
    mkdirSync(dir);
    const input = join(dir, "in.vcf");
    writeFileSync(input, `${readFileSync(join(DEMO_VCF_DIR, "test.vcf"), "utf8")}21\t25x\t.\tC\tT\t.\t.\t.\tGT\t0|1\n`);
    const out = join(dir, "out");
    mkdirSync(out);
    const err = await annotateFile({ input, reference, outputs: { store: join(out, "o.sqlite") } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(listDir(out)).toEqual([]);
  });

  test("an input without records gives an empty store that answers every query", async () => {
    const input = join(root, "empty.vcf");
    const header = readFileSync(join(DEMO_VCF_DIR, "test.vcf"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("#"));
    writeFileSync(input, `${header.join("\n")}\n`);
    const path = join(root, "empty.sqlite");
    await annotateFile({ input, reference, outputs: { store: path } });
    const empty = ResultsStore.open(path);
    try {
      expect(empty.count()).toBe(0);
      expect(empty.count({ impacts: ["HIGH"] })).toBe(0);
      expect(empty.page({ last: true })).toEqual({ rows: [], next: null, prev: null });
      expect(empty.summary()).toMatchObject({ variants: 0, transcriptRows: 0, variantsByMostSevere: {} });
    } finally {
      empty.close();
    }
  });

  test("two worker threads write the same store", async () => {
    const path = join(root, "threads.sqlite");
    await annotateFile({ input, reference, outputs: { store: path }, threads: 2 });
    const other = ResultsStore.open(path);
    try {
      const { engine: _, ...counts } = other.summary();
      const { engine: __, ...expected } = store.summary();
      expect(counts).toEqual(expected);
      // Record ordinals too: each worker counts from 0, the pipeline adds what came before.
      expect(other.page({ limit: 1000 }).rows).toEqual(store.page({ limit: 1000 }).rows);
      expect(other.transcripts(40)).toEqual(store.transcripts(40));
    } finally {
      other.close();
    }
  });
});

describe("filters", () => {
  const check = (filter: VariantFilter, pred: (rows: BrowseRow[]) => boolean) => {
    const want = expectedVids(pred);
    expect(want.length).toBeGreaterThan(0);
    expect(vidsOf(all({ filter }))).toEqual(want);
    expect(store.count(filter)).toBe(want.length);
  };

  test("gene: any gene the variant touches, case-insensitive; a list; a prefix", () => {
    const genes = [
      ...new Set(
        variants
          .flat()
          .map((r) => r.gene)
          .filter(Boolean),
      ),
    ];
    const [g1, g2] = [genes[0]!, genes[3]!];
    check({ genes: [g1.toLowerCase()] }, (rows) => rows.some((r) => r.gene === g1));
    check({ genes: [g1, g2] }, (rows) => rows.some((r) => r.gene === g1 || r.gene === g2));
    const prefix = g2.slice(0, 2).toLowerCase();
    check({ genePrefix: prefix }, (rows) => rows.some((r) => r.gene.toLowerCase().startsWith(prefix)));
  });

  test("consequence and impact sets match the most severe effect", () => {
    const top = (rows: BrowseRow[]) => rows[0]!.consequence.split("&")[0]!;
    check({ consequences: ["missense_variant", "intron_variant"] }, (rows) => ["missense_variant", "intron_variant"].includes(top(rows)));
    check({ impacts: ["HIGH", "MODERATE"] }, (rows) => ["HIGH", "MODERATE"].includes(rows[0]!.impact));
    expect(() => store.count({ consequences: ["not_a_term"] })).toThrow(ResultsQueryError);
  });

  test("region, with or without chr and commas", () => {
    const mid = variants[Math.floor(variants.length / 2)]![0]!.pos;
    const inRegion = (rows: BrowseRow[]) => rows[0]!.pos >= mid - 100_000 && rows[0]!.pos <= mid + 100_000;
    check({ region: `21:${(mid - 100_000).toLocaleString("en")}-${mid + 100_000}` }, inRegion);
    check({ region: `chr21:${mid - 100_000}-${mid + 100_000}` }, inRegion);
    check({ region: `21:${mid}` }, (rows) => rows[0]!.pos === mid);
    expect(() => store.count({ region: "21:9-1" })).toThrow(ResultsQueryError);
  });

  test("known/novel, allele-frequency range, and a combination", () => {
    check({ known: true }, (rows) => rows[0]!.known);
    expect(store.count({ known: false })).toBe(summary.novel); // every demo variant is in the known file
    const af = (rows: BrowseRow[]) => (rows[0]!.af === "" ? null : Number(rows[0]!.af));
    check({ afMax: 0.01 }, (rows) => af(rows) !== null && af(rows)! <= 0.01);
    check({ afMin: 0.01, afMax: 1 }, (rows) => af(rows) !== null && af(rows)! >= 0.01);
    check(
      { known: true, impacts: ["LOW"], region: "21:1-30000000" },
      (rows) => rows[0]!.known && rows[0]!.impact === "LOW" && rows[0]!.pos <= 30_000_000,
    );
  });
});

describe("paging", () => {
  // The most significant class of a variant (CLIN_SIG_CLASSES order), or past the end when none.
  const clinClasses = (v: VariantRow) => new Set(v.clinSig.split("|").map((t) => (CLIN_SIG_CLASSES.includes(t as never) ? t : "other")));
  const keyOf: Partial<Record<SortKey, (v: VariantRow) => string | number>> = {
    position: (v) => v.vid,
    gene: (v) => v.gene.toLowerCase(),
    consequence: (v) => SO_TERMS.findIndex((t) => t.term === v.consequence),
    impact: (v) => ["HIGH", "MODERATE", "LOW", "MODIFIER"].indexOf(v.impact),
    af: (v) => v.af ?? -1,
    id: (v) => v.id,
    biotype: (v) => v.biotype,
    hgvs_c: (v) => v.hgvsC,
    hgvs_p: (v) => v.hgvsP,
    clin_sig: (v) => (v.clinSig === "" ? CLIN_SIG_CLASSES.length : CLIN_SIG_CLASSES.findIndex((c) => clinClasses(v).has(c))),
    filter: (v) => v.filter,
  };

  for (const sort of SORT_KEYS) {
    for (const descending of [false, true]) {
      test(`sorted by ${sort}${descending ? ", descending" : ""}: forward and backward walks agree, each variant once`, () => {
        const forward = all({ sort, descending });
        expect(vidsOf(forward)).toEqual(variants.map((_, i) => i + 1));
        {
          const keys = forward.map(keyOf[sort]!);
          for (let i = 1; i < keys.length; i++) {
            const ordered = descending ? keys[i - 1]! >= keys[i]! : keys[i - 1]! <= keys[i]!;
            expect(ordered).toBe(true);
          }
        }
        // Backward from the last page, following prev cursors.
        const backward: VariantRow[] = [];
        let page = store.page({ sort, descending, limit: 7, last: true });
        for (;;) {
          backward.unshift(...page.rows);
          if (!page.prev) break;
          page = store.page({ sort, descending, limit: 7, before: page.prev });
        }
        expect(backward.map((r) => r.vid)).toEqual(forward.map((r) => r.vid));
        expect(store.page({ sort, descending, limit: 7, last: true }).next).toBeNull();
        expect(store.page({ sort, descending, limit: 7 }).prev).toBeNull();
      });
    }
  }

  test("filtered by gene or region in position order (a walk of their vid range): backward agrees with forward", () => {
    expect(store.summary().sorted).toBe(true);
    const mid = variants[Math.floor(variants.length / 2)]![0]!.pos;
    const gene = variants[5]![0]!.gene;
    for (const filter of [
      { genes: [gene] },
      { region: `21:${mid - 50_000}-${mid + 50_000}` },
      { genes: [gene], impacts: ["LOW"] },
    ] as VariantFilter[]) {
      const forward = all({ filter });
      expect(forward.length).toBeGreaterThan(0);
      const backward: VariantRow[] = [];
      let page = store.page({ filter, limit: 7, last: true });
      for (;;) {
        backward.unshift(...page.rows);
        if (!page.prev) break;
        page = store.page({ filter, limit: 7, before: page.prev });
      }
      expect(backward.map((r) => r.vid)).toEqual(forward.map((r) => r.vid));
    }
  });

  test("a cursor of another sort order, or an altered one, is refused", () => {
    const next = store.page({ sort: "gene", limit: 3 }).next!;
    expect(() => store.page({ sort: "position", after: next })).toThrow(ResultsQueryError);
    expect(() => store.page({ after: "garbage" })).toThrow(ResultsQueryError);
    expect(() => store.page({ limit: 0 })).toThrow(ResultsQueryError);
  });
});

describe("what the browser filters on", () => {
  const check = (filter: VariantFilter, pred: (rows: BrowseRow[], vid: number) => boolean) => {
    const want = variants.flatMap((rows, i) => (pred(rows, i + 1) ? [i + 1] : []));
    expect(want.length).toBeGreaterThan(0);
    expect(vidsOf(all({ filter }))).toEqual(want);
    expect(store.count(filter)).toBe(want.length);
  };
  /** The annotated VCF record of a variant, by its ordinal. */
  const recordOf = (v: VariantRow) => vcfRecords[v.rec!]!;
  const infoOf = (v: VariantRow, key: string) => {
    const rec = recordOf(v);
    const value = rec[7]!
      .split(";")
      .find((f) => f.startsWith(`${key}=`))
      ?.slice(key.length + 1);
    const alts = rec[4]!.split(",");
    return value?.split(",")[alts.indexOf(v.alt)];
  };

  test("rec is the record's ordinal in the annotated VCF; the ALTs of one record share it", () => {
    const rows = store.page({ limit: 1000 }).rows;
    for (const v of rows) {
      const rec = recordOf(v);
      expect([rec[0], Number(rec[1]), rec[3]]).toEqual([v.chrom, v.pos, v.ref]);
      expect(rec[4]!.split(",")).toContain(v.alt);
    }
    expect(rows[0]!.rec).toBe(0);
    expect(rows[1]!.rec).toBe(0); // the multi-allelic first record: T and A
    expect(rows.at(-1)!.rec).toBe(vcfRecords.length - 1);
  });

  test("FILTER, ClinVar as written, population frequencies, canonical, as the VCF has them", () => {
    const s = store.summary();
    expect(s.populations).toContain("EUR_AF");
    expect(s.populations).not.toContain("AF");
    for (const v of store.page({ limit: 1000 }).rows) {
      expect(v.filter).toBe(recordOf(v)[6]!);
      expect(v.clinSig).toBe(
        infoOf(v, "KNOWN_CLIN_SIG") === undefined || infoOf(v, "KNOWN_CLIN_SIG") === "." ? "" : infoOf(v, "KNOWN_CLIN_SIG")!,
      );
      for (const p of s.populations) {
        const text = infoOf(v, `KNOWN_${p}`);
        if (text === undefined || text === ".") expect(v.afs[p]).toBeUndefined();
        else expect(v.afs[p]).toBe(Number(text));
      }
      expect(v.canonical).toBe(false); // the demo's Ensembl 84 models carry no canonical tag
    }
    expect(s.canonicalTagged).toBe(false);
  });

  test("FILTER: PASS or not; biotype; the counts of the summary", () => {
    check({ pass: true }, (_, vid) => store.variant(vid)!.filter === "PASS");
    check({ pass: false }, (_, vid) => store.variant(vid)!.filter !== "PASS");
    expect(store.summary().filters).toEqual({ PASS: 45, q10: 44, ".": 44 });
    check({ biotypes: ["nonsense_mediated_decay"] }, (rows) => rows[0]!.biotype === "nonsense_mediated_decay");
  });

  test("ClinVar: classes of every assertion; 'pathogenic' text finds APP p.Ala713Thr", () => {
    expect([...CLIN_SIG_CLASSES]).toEqual([...ENGINE_CLIN_SIG_CLASSES]);
    const sig = (vid: number) => store.variant(vid)!.clinSig.split("|");
    check({ clinSig: ["pathogenic"] }, (_, vid) => sig(vid).includes("pathogenic"));
    check({ clinSig: ["likely_benign", "benign"] }, (_, vid) => sig(vid).some((t) => t === "likely_benign" || t === "benign"));
    check({ clinSig: ["other"] }, (_, vid) => sig(vid).some((t) => t === "not_provided" || t === "protective"));
    const hits = all({ filter: { text: "pathogenic" } });
    expect(hits.some((v) => v.id.includes("rs63750066") && v.hgvsP === "p.Ala713Thr")).toBe(true);
    expect(store.summary().clinSig.pathogenic).toBe(store.count({ clinSig: ["pathogenic"] }));
    // Sorted by significance: pathogenic first, variants without any last.
    const bySig = all({ sort: "clin_sig" });
    expect(bySig[0]!.clinSig).toContain("pathogenic");
    expect(bySig.at(-1)!.clinSig).toBe("");
  });

  test("free text: rsID, gene, HGVS substring, case-insensitive; LIKE wildcards are literal", () => {
    check({ text: "RS63750066" }, (rows) => rows[0]!.id.toLowerCase().includes("rs63750066"));
    check({ text: "ala713" }, (rows) => rows[0]!.hgvsP.toLowerCase().includes("ala713"));
    check({ text: "app" }, (rows) => rows.some((r) => r.gene.toLowerCase().includes("app")) || rows[0]!.id.toLowerCase().includes("app"));
    expect(store.count({ text: "%" })).toBe(0);
    expect(store.count({ text: "ala_13" })).toBe(0); // "_" is no wildcard: "ala713" would match
  });

  test("population frequency range on the field afField names; an unknown field is refused", () => {
    const eur = (vid: number) => store.variant(vid)!.afs.EUR_AF;
    check({ afField: "EUR_AF", afMin: 0.001, afMax: 0.5 }, (_, vid) => eur(vid) !== undefined && eur(vid)! >= 0.001 && eur(vid)! <= 0.5);
    check({ afField: "EUR_AF", afMax: 0 }, (_, vid) => eur(vid) === 0);
    expect(() => store.count({ afField: "XYZ_AF", afMin: 0.1 })).toThrow(/unknown frequency field "XYZ_AF".*EUR_AF/);
  });

  test("sample genotype of THIS ALT: het, hom-alt, any non-ref; unknown sample refused", () => {
    const s = store.summary();
    expect(s.samples).toEqual(["HG00096", "NA00002"]);
    // The multi-allelic first record: HG00096 1|2 is het for T and for A; NA00002 2/2 is hom-alt for A only.
    const [t, a] = [store.variant(1)!, store.variant(2)!];
    expect([t.alt, a.alt]).toEqual(["T", "A"]);
    expect(t.samples).toEqual([
      { name: "HG00096", genotype: "het" },
      { name: "NA00002", genotype: "hom_ref" },
    ]);
    expect(a.samples).toEqual([
      { name: "HG00096", genotype: "het" },
      { name: "NA00002", genotype: "hom_alt" },
    ]);
    const gt = (vid: number, sample: number) => store.variant(vid)!.samples![sample]!.genotype;
    check({ sample: "NA00002", genotype: "het" }, (_, vid) => gt(vid, 1) === "het");
    check({ sample: "NA00002", genotype: "hom_alt" }, (_, vid) => gt(vid, 1) === "hom_alt");
    check({ sample: "NA00002", genotype: "non_ref" }, (_, vid) => ["het", "hom_alt"].includes(gt(vid, 1)));
    check({ sample: "HG00096" }, (_, vid) => ["het", "hom_alt"].includes(gt(vid, 0)));
    const counted = s.genotypes.NA00002!;
    expect(counted.het).toBe(store.count({ sample: "NA00002", genotype: "het" }));
    expect(counted.hom_ref + counted.het + counted.hom_alt + counted.missing).toBe(s.variants);
    expect(counted.missing).toBeGreaterThan(0); // ./.
    expect(() => store.count({ sample: "nobody" })).toThrow(/unknown sample "nobody".*HG00096/);
    expect(() => store.count({ genotype: "het" })).toThrow(ResultsQueryError);
  });

  test("canonical: refused with a reason when the models tag no canonical transcript", () => {
    expect(() => store.count({ canonical: true })).toThrow(/canonical filter cannot apply.*Ensembl_canonical/);
  });

  test("canonical: on models that tag one transcript per gene, the most severe effect's", async () => {
    // The demo models with the first transcript of each gene tagged, as Ensembl 104+ tags them.
    const tagged = new Set<string>();
    const seen = new Set<string>();
    const gff = gunzipSync(readFileSync(join(DEFAULT_BUNDLE_DIR, "genes/ensembl84.chr21.gff3.gz")))
      .toString()
      .split("\n")
      .map((l) => {
        const c = l.split("\t");
        const parent = /Parent=gene:([^;]+)/.exec(c[8] ?? "")?.[1];
        const id = /ID=transcript:([^;]+)/.exec(c[8] ?? "")?.[1];
        if (!parent || !id || seen.has(parent)) return l;
        seen.add(parent);
        tagged.add(id);
        return l.includes(";tag=") ? l.replace(";tag=", ";tag=Ensembl_canonical,") : `${l};tag=Ensembl_canonical`;
      })
      .join("\n");
    const genes = join(root, "tagged.gff3");
    writeFileSync(genes, gff);
    const taggedRef = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR, genes });
    const path = join(root, "tagged.sqlite");
    await annotateFile({ input, reference: taggedRef, outputs: { store: path } });
    const s = ResultsStore.open(path);
    try {
      expect(s.summary().canonicalTagged).toBe(true);
      const want = variants.flatMap((rows, i) => (tagged.has(rows[0]!.feature) ? [i + 1] : []));
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(variants.length);
      expect(s.page({ filter: { canonical: true }, limit: 1000 }).rows.map((r) => r.vid)).toEqual(want);
      expect(s.count({ canonical: false })).toBe(variants.length - want.length);
      expect(s.variant(want[0]!)!.canonical).toBe(true);
    } finally {
      s.close();
      await taggedRef.close();
    }
  }, 60_000);
});

describe("transcripts view and iterators", () => {
  const flat = (pred: (rows: BrowseRow[]) => boolean = () => true) =>
    variants.flatMap((rows, i) => (pred(rows) ? rows.map((r, n) => ({ ...r, vid: i + 1, n })) : []));

  test("every effect in (vid, n) order, forward and backward, filtered", () => {
    for (const filter of [{}, { impacts: ["MODERATE"] }] as VariantFilter[]) {
      const want = flat((rows) => !filter.impacts || rows[0]!.impact === "MODERATE");
      const forward: TranscriptRow[] = [];
      let page = store.transcriptPage({ filter, limit: 13 });
      expect(page.prev).toBeNull();
      for (;;) {
        forward.push(...page.rows);
        if (!page.next) break;
        page = store.transcriptPage({ filter, limit: 13, after: page.next });
      }
      expect(JSON.stringify(forward)).toBe(JSON.stringify(want));
      const backward: TranscriptRow[] = [];
      page = store.transcriptPage({ filter, limit: 13, last: true });
      expect(page.next).toBeNull();
      for (;;) {
        backward.unshift(...page.rows);
        if (!page.prev) break;
        page = store.transcriptPage({ filter, limit: 13, before: page.prev });
      }
      expect(backward).toEqual(forward);
    }
    expect(() => store.transcriptPage({ sort: "gene" })).toThrow(ResultsQueryError);
    expect(() => store.transcriptPage({ after: store.page({ sort: "gene", limit: 2 }).next! })).toThrow(ResultsQueryError);
  });

  test("iterate and iterateTranscripts walk the whole filtered set in pages", () => {
    expect([...store.iterate({ sort: "gene" })].map((r) => r.vid)).toEqual(all({ sort: "gene" }).map((r) => r.vid));
    expect([...store.iterate({ filter: { known: false } })].map((r) => r.vid)).toEqual(expectedVids((rows) => !rows[0]!.known));
    expect(JSON.stringify([...store.iterateTranscripts()])).toBe(JSON.stringify(flat()));
  });
});

describe("issues", () => {
  test("every skipped record and warning with its line, beyond the engine's cap of 1000 warnings", async () => {
    const demo = readFileSync(join(DEMO_VCF_DIR, "test.vcf"), "utf8").trimEnd().split("\n");
    const header = demo.filter((l) => l.startsWith("#"));
    const first = demo.find((l) => !l.startsWith("#"))!.split("\t");
    // 1,100 REF mismatches (warnings), a symbolic ALT and a record on an unknown contig (skipped).
    const lines = [...header];
    for (let i = 0; i < 1100; i++)
      lines.push([first[0], Number(first[1]) + i, ".", "AAAAAAAAAA", "A", ".", ".", ".", "GT", "0|1"].join("\t"));
    lines.push([first[0], first[1], ".", first[3], "<DEL>", ".", ".", ".", "GT", "0|1"].join("\t"));
    lines.push(["chrUn_x", "5", ".", "C", "T", ".", ".", ".", "GT", "0|1"].join("\t"));
    const path = join(root, "issues.vcf");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const storePath = join(root, "issues.sqlite");
    const run = await annotateFile({ input: path, reference, outputs: { store: storePath } });
    const s = ResultsStore.open(storePath);
    try {
      const refMismatches = run.warningsTotal - 2;
      expect(run.warnings.length).toBe(1000); // the engine's summary is capped
      expect(s.summary().issues).toEqual({ skipped: 2, warnings: refMismatches });
      const seen = [];
      let after = 0;
      for (;;) {
        const page = s.issues({ limit: 1000, after });
        if (!page.length) break;
        seen.push(...page);
        after = page.at(-1)!.id;
      }
      expect(seen.length).toBe(refMismatches + 2);
      const firstLine = header.length + 1;
      expect(seen[0]).toMatchObject({ line: firstLine, chrom: first[0], pos: Number(first[1]), kind: "warning" });
      expect(seen[0]!.message).toContain('REF "AAAAAAAAAA" does not match');
      expect(seen.at(-2)).toMatchObject({ line: firstLine + 1100, kind: "skipped" });
      expect(seen.at(-2)!.message).toContain('ALT "<DEL>" not annotated');
      expect(seen.at(-1)).toMatchObject({ line: firstLine + 1101, chrom: "chrUn_x", pos: 5, kind: "skipped" });
      expect(seen.at(-1)!.message).toContain('contig "chrUn_x" is not in the reference');
    } finally {
      s.close();
    }
  }, 60_000);
});

describe("scale", () => {
  test("a 50,000-variant store answers a filtered last page in well under 100 ms", async () => {
    const input = join(root, "50k.vcf");
    await Bun.write(input, await generateBenchVcf(DEMO_FASTA, 50_000));
    const path = join(root, "50k.sqlite");
    await annotateFile({ input, reference, outputs: { store: path } });
    const big = ResultsStore.open(path);
    try {
      expect(big.count()).toBe(50_000);
      for (const req of [
        { sort: "position" },
        { sort: "gene", descending: true },
        { sort: "af", filter: { impacts: ["MODIFIER"] } },
      ] as PageRequest[]) {
        big.page({ ...req, last: true }); // compiles the statement
        const t = performance.now();
        const page = big.page({ ...req, limit: 50, last: true });
        const ms = performance.now() - t;
        expect(page.rows.length).toBe(50);
        expect(page.next).toBeNull();
        expect(ms).toBeLessThan(100);
      }
    } finally {
      big.close();
    }
  }, 60_000);
});
