/**
 * The results store end to end: annotateFile writes it beside the JSON rows (the demo's 132
 * records), ResultsStore reads it back; every filter and page is checked against the JSON rows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
import { type PageRequest, ResultsQueryError, ResultsStore, type SortKey, type VariantFilter, type VariantRow } from "./results-store.ts";

let root: string;
let reference: Reference;
let store: ResultsStore;
let summary: AnnotateSummary;
/** The JSON rows grouped per variant (per ALT), in input order: what the store must reproduce. */
let variants: BrowseRow[][];

beforeAll(async () => {
  root = tempDir("gas-results-store-");
  reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
  const outputs = { json: join(root, "out.json"), store: join(root, "out.sqlite") };
  summary = await annotateFile({ input: join(DEMO_VCF_DIR, "test.vcf"), reference, outputs });
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
    expect(s.engine.input).toBe("test.vcf"); // never the folder it was annotated in
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
    await annotateFile({ input: join(DEMO_VCF_DIR, "test.vcf"), reference, outputs: { store: path }, threads: 2 });
    const other = ResultsStore.open(path);
    try {
      expect(other.summary().variantsByMostSevere).toEqual(store.summary().variantsByMostSevere);
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
  const keyOf: Partial<Record<SortKey, (v: VariantRow) => string | number>> = {
    position: (v) => v.vid,
    gene: (v) => v.gene.toLowerCase(),
    consequence: (v) => SO_TERMS.findIndex((t) => t.term === v.consequence),
    impact: (v) => ["HIGH", "MODERATE", "LOW", "MODIFIER"].indexOf(v.impact),
    af: (v) => v.af ?? -1,
  };

  for (const sort of ["position", "gene", "consequence", "impact", "af"] as SortKey[]) {
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

  test("a cursor of another sort order, or an altered one, is refused", () => {
    const next = store.page({ sort: "gene", limit: 3 }).next!;
    expect(() => store.page({ sort: "position", after: next })).toThrow(ResultsQueryError);
    expect(() => store.page({ after: "garbage" })).toThrow(ResultsQueryError);
    expect(() => store.page({ limit: 0 })).toThrow(ResultsQueryError);
  });
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
