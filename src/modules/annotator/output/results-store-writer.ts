/**
 * The results store: one SQLite file per run, written in the same streaming pass as the VCF, that
 * the results browser queries with bounded memory (src/modules/results/ reads it).
 *
 * Why SQLite through `bun:sqlite`: it is built into Bun and into the compiled binary (nothing to
 * ship), gives indexed access to variant and transcript rows, and a reader opens a file read-only
 * with a page cache of its own size. DuckDB (`@duckdb/node-api`) is built for column scans, but
 * its native libduckdb.so must ship beside the binary and its httpfs extension is not bundled;
 * the queries the browser makes are index lookups, where SQLite is already well under budget.
 *
 * How it is written: the engine's thread turns each hand-off of rows (RowBatch) into lines of text
 * (createStoreEncoder: dictionary ids, packed effects, the summary's counts) and posts them to the
 * store's own thread (results-store-thread.ts), which inserts them; at most MAX_IN_FLIGHT batches
 * wait between the two (OutputSinks.ready), so memory does not grow with the input. Every index
 * is built sorted at commit, then ANALYZE (results-store-database.ts says why).
 *
 * Measured 2026-12-02 on this 2-core machine while four other sessions ran tests and builds on it
 * (load average 12-19 during every figure: wall times are 3-7x the CPU times and mean little, so
 * CPU time, user + system over every thread, is the figure to compare). `gas annotate --threads 1`
 * on bench/generate-vcf.ts inputs over the demo chr21 (sites only), GNU time:
 *
 *   variants   VCF only: CPU / peak RSS     VCF + store: CPU / peak RSS    store file
 *   100k         5.2 s / 221 MB              10.3 s / 297 MB                 35.6 MB (14.5x input)
 *   1M          19.4 s / 262 MB              74.9 s / 338 MB                358.4 MB (14.6x input)
 *   2M          40.1 s / 255 MB             148.7 s / 393 MB                717.6 MB (14.6x input)
 *
 * Before this layout (a transcripts table of one row per effect, all indexes at commit, on the
 * engine's thread) the figures were 6.0 s -> 18.2 s wall at 1M on a quieter machine, 332 / 375 /
 * 400 MB at 100k / 1M / 2M. The goal of at most 1.5x the VCF-only time is NOT met: the store still
 * costs about three times the engine's own CPU at 1M. Profile of an in-thread run (300k variants):
 * SQLite's inserts 37 %, splitting the lines and binding their text on the store's side 15 %, the
 * forced collections of heap-trimmer.ts 10 %, encoding 7 %, building the BrowseRows 5 %. Next
 * steps, not taken: skip the BrowseRows when only the store wants rows (encode from the effects),
 * hand numbers over as numbers (each number column is text converted by SQLite's affinity), fewer
 * text columns per row. Peak RSS over the VCF-only run: +76 / +76 / +138 MB at 100k / 1M / 2M, so
 * not yet flat at 2M (not investigated: SQLite's sorter at commit is the first suspect).
 * 2026-12-03, quieter machine (load ~1.5), 1M, `--fasta --genes`: 20.4 s wall, 33.4 s CPU with
 * seven indexes kept up to date by the inserts; 17.7 s and 27.0 s once every index is built at
 * commit (farm-bench -n 3 medians; results-store-database.ts has the store thread's split).
 *
 * File size at 1M: effects 112 MB, variants 97 MB, the 11 indexes 12-19 MB each (those kept up to
 * date are ~1.6x the size of the sorted ones: B-tree pages split half full).
 * Queries on that 1M store (median of 3, warm, load 12; /tmp script over ResultsStore, the same
 * calls as bench/results-store.ts): the last page on every sort key, either direction, 0.2-7 ms;
 * the transcripts view's last page 0.7 ms; ClinVar, impact, FILTER, gene (APP, 124k variants)
 * filters, first or last page in position order, 0.1-52 ms; the same sorted by gene or HGVS with
 * a broad or correlated filter up to 1.6 s; the scan-only filters (free text, a population's
 * frequency) 0.6-1.5 s a page; counts of broad filters 0.2-1.4 s (they count every match).
 * Over 69 such queries: p50 0.8 ms, p95 1.4 s.
 * DuckDB was not measured here: the issue's figures (5 M rows, 1.3 s to write Parquet, 30 ms for a
 * filtered count) would not change the choice, which the shipping cost decides.
 *
 * Write settings: the file is written once and published by rename, so no rollback journal and no
 * fsync per transaction (journal_mode=MEMORY, as OFF is refused in Bun's defensive mode;
 * synchronous=OFF); one transaction per hand-off; no VACUUM (nothing is ever deleted).
 */
import type { PickMode } from "../consequence/pick.ts";
import { basename, dirname, join } from "node:path";
import { SO_TERMS } from "../consequence/so-terms.ts";
import type { Impact } from "../model.ts";
import type { AnnotateSummary } from "./annotation-summary.ts";
import type { BrowseRow, RowBatch, VariantFacts } from "./browse-rows.ts";
import { CLIN_SIG_CLASSES, clinSigMask, clinSigRank } from "./clin-sig.ts";
import { CHUNK_FIELD, openStoreDatabase } from "./results-store-database.ts";
import type { FromStoreThread, ToStoreThread } from "./results-store-thread.ts";

/**
 * Written in the `meta` table; a reader refuses a store whose major format it does not know.
 * 2: effects packed per variant (no transcripts table), FILTER, ClinVar, population frequencies,
 * genotypes, canonical, record ordinals, issues.
 */
export const RESULTS_STORE_FORMAT = "gas-results/2";

export const IMPACT_RANK: Readonly<Record<Impact, number>> = { HIGH: 0, MODERATE: 1, LOW: 2, MODIFIER: 3 };
const IMPACTS = Object.keys(IMPACT_RANK) as Impact[];
const SEVERITY = new Map(SO_TERMS.map((t, i) => [t.term, i]));
/** Severity rank of a consequence term (index in VEP's order; unknown terms sort last). */
export const severityOf = (term: string) => SEVERITY.get(term) ?? SO_TERMS.length;

/**
 * Allele-frequency histogram bins (upper bounds, exclusive; the last is inclusive of 1): log-like
 * steps, because rare variants are what a reviewer looks for and a linear scale hides them.
 */
export const AF_BINS: readonly { label: string; below: number }[] = [
  { label: "<0.0001", below: 0.0001 },
  { label: "0.0001-0.001", below: 0.001 },
  { label: "0.001-0.01", below: 0.01 },
  { label: "0.01-0.05", below: 0.05 },
  { label: "0.05-0.5", below: 0.5 },
  { label: "0.5-1", below: Number.POSITIVE_INFINITY },
];

/** Separators of the packed effects (see `effects` below): control characters no engine field contains. */
export const EFFECT_SEPARATOR = "\x1e";
export const FIELD_SEPARATOR = "\x1f";
/** The fields of one packed effect, in order (cid and fid index the dictionaries). */
export const EFFECT_FIELDS = [
  "cid",
  "fid",
  "rank",
  "hgvsC",
  "hgvsP",
  "cdnaPos",
  "cdsPos",
  "aaPos",
  "distance",
  "messages",
  "picked",
] as const;

/** Genotype class characters of VariantFacts.gt, as counted in the summary. */
export const GENOTYPE_CHARS: Readonly<Record<string, "hom_ref" | "het" | "hom_alt" | "missing">> = {
  "0": "hom_ref",
  "1": "het",
  "2": "hom_alt",
  ".": "missing",
};

/** Distinct FILTER values counted one by one in the summary; the rest are counted together. */
const MAX_FILTER_VALUES = 200;

/**
 * `variants`: one row per annotated ALT, `vid` in input order (so position order for a sorted
 * VCF), `rec` the 0-based ordinal of its record in the annotated VCF (several ALTs share one),
 * with its most severe effect copied out to be indexed (severity, impact, gene, biotype, HGVS),
 * what the browser filters on (FILTER, ClinVar as written and as a class bitmask, global and
 * population frequencies `paf<k>` named in `populations`, a genotype class per sample, canonical),
 * and every effect packed in the `effects` table beside it (EFFECT_FIELDS per effect, most severe
 * first; apart, so that the index builds and the scan-only filters read narrow rows).
 *
 * Why packed, and not a transcripts table of one row per effect: a table cost one B-tree insert
 * per effect (3.07 M for the 1M-variant bench), and those inserts were most of the store's time;
 * the browser never filters on an effect, it shows a variant's effects together, and the
 * transcripts view walks variants in (vid, n) order, which the packed column gives as well.
 *
 * Features (transcript, gene, biotype) and consequence sets repeat across millions of effects, so
 * effects hold ids into two dictionaries (`features`, `consequence_sets`), bounded by the
 * reference, not the input. `variant_genes`: the genes a variant touches besides its most severe
 * effect's (variants.gene), for the gene filter (a variant in gene A's intron and B's upstream
 * region is found by either). `issues`: records skipped or annotated with a warning, every one.
 * `summary`: JSON values computed while streaming, so a job page never scans rows.
 */
/** Counts of the summary table, accumulated while rows stream in. */
export interface StoreSummaryCounts {
  variants: number;
  transcriptRows: number;
  known: number;
  novel: number;
  /** Per variant, by its most severe consequence. */
  variantsByMostSevere: Record<string, number>;
  /** Per variant × transcript (every term of every effect). */
  rowsByConsequence: Record<string, number>;
  /** Per variant, by its highest impact; and per variant × transcript. */
  variantsByImpact: Record<string, number>;
  rowsByImpact: Record<string, number>;
  /** Per variant × transcript, and per variant by its most severe effect's biotype. */
  rowsByBiotype: Record<string, number>;
  variantsByBiotype: Record<string, number>;
  /** Known variants' allele frequency (KNOWN_AF), and how many have none. */
  afHistogram: { bins: { label: string; count: number }[]; withoutAf: number };
  /** The known-variants file's population frequencies, as `afField` names them (`EUR_AF`, `gnomADe_AF`). */
  populations: string[];
  /** The input's samples, in column order. */
  samples: string[];
  /** Per sample, variants by this ALT's genotype class. */
  genotypes: Record<string, { hom_ref: number; het: number; hom_alt: number; missing: number }>;
  /** Variants per ClinVar class (one variant may assert several), and without any (`none`). */
  clinSig: Record<string, number>;
  /** Variants per FILTER value (`PASS`, `.`, …); values past the first 200 distinct ones count as `(other)`. */
  filters: Record<string, number>;
  /** Whether the gene models tag canonical / MANE Select transcripts (else the canonical filter means nothing). */
  canonicalTagged: boolean;
  /** The run's transcript choice: other than "none", each effect is marked chosen or not. Absent in older stores. */
  pick?: PickMode;
  /** Totals of the issues table: records or ALTs skipped, and warnings. */
  issues: { skipped: number; warnings: number };
  /**
   * The variants are in position order (each contig in one stretch, positions rising): vid order
   * is then (chrom, pos) order, which lets a region filter walk a range of vids.
   */
  sorted: boolean;
}

/** What the store records about a run beyond its rows. */
export interface StoreRunInfo {
  /** The annotated VCF's header: its KNOWN_<X>AF INFO lines name the populations. */
  header: string;
  samples: readonly string[];
  /** The gene models tag transcripts Ensembl_canonical or MANE_Select. */
  canonicalTagged: boolean;
  /** The run's transcript choice (--pick and friends): its marks are packed with each effect. */
  pick?: PickMode;
}

export interface ResultsStoreWriter {
  /** Rows of whole records in input order (a record's rows never span two calls). */
  write(batch: RowBatch): void;
  /** Resolves when the store's thread has room for more (a few batches in flight at most); rejects with its error. */
  ready(): Promise<void>;
  /** Writes the summary, finishes the indexes, closes and publishes the file under its name. */
  commit(summary: AnnotateSummary): Promise<StoreSummaryCounts>;
  /** Closes and removes the temporary file; nothing is left under the final name. */
  abort(): Promise<void>;
}

/** Batches handed to the store's thread and not yet applied, at most: bounds the memory between the two threads. */
const MAX_IN_FLIGHT = 4;

/** The population frequency fields of an annotated VCF header: `KNOWN_EUR_AF` → `EUR_AF` (KNOWN_AF is the global one). */
export function populationsOf(header: string): string[] {
  const out: string[] = [];
  for (const m of header.matchAll(/^##INFO=<ID=KNOWN_([^,>]*AF),/gm)) if (m[1] !== "AF") out.push(m[1]!);
  return out;
}

/**
 * Opens a store at `path` (written under a temporary name until commit). `thread`: apply the rows
 * on the store's own thread (results-store-thread.ts), the engine's default; false applies them on
 * the caller's thread (building a store from an old job's rows, where nothing else runs).
 */
export function createResultsStoreWriter(
  path: string,
  info: StoreRunInfo = { header: "", samples: [], canonicalTagged: false },
  opts: { thread?: boolean; indexes?: boolean } = {},
): ResultsStoreWriter {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
  const populations = populationsOf(info.header);
  const samples = [...info.samples];
  const encoder = createStoreEncoder(populations, samples, info.canonicalTagged);
  const indexes = opts.indexes ?? true;
  const sink = opts.thread === false ? inProcess(tmp, populations, samples, indexes) : onThread(tmp, populations, samples, indexes);
  let state: "open" | "committed" | "aborted" = "open";
  return {
    write(batch) {
      if (state !== "open") throw new Error(`results store ${path}: write after ${state}`);
      sink.send(encoder.encode(batch));
    },
    ready: () => sink.ready(),
    async commit(summary) {
      if (state !== "open") throw new Error(`results store ${path}: commit after ${state}`);
      try {
        const result = { ...encoder.finish(), pick: info.pick ?? "none" };
        // The input by its file name only, as the count log names it: a service's work folder stays out of the file.
        const name = basename(summary.input);
        const engine = { ...summary, input: name, warnings: summary.warnings.map((w) => w.replaceAll(summary.input, name)) };
        const entries: [string, string][] = Object.entries({ ...result, engine }).map(([k, v]) => [k, JSON.stringify(v)]);
        const meta: [string, string][] = [
          ["format", RESULTS_STORE_FORMAT],
          ["reference", summary.reference],
          ["input", name],
        ];
        await sink.commit(entries, meta, path);
        state = "committed";
        return result;
      } catch (err) {
        await this.abort();
        throw err;
      }
    },
    async abort() {
      if (state !== "open") return;
      state = "aborted";
      await sink.abort();
    },
  };
}

/** Where encoded chunks go: the store's thread, or a database on this thread. */
interface ChunkSink {
  send(chunk: string[]): void;
  ready(): Promise<void>;
  commit(summary: [string, string][], meta: [string, string][], path: string): Promise<void>;
  abort(): Promise<void>;
}

function inProcess(tmp: string, populations: string[], samples: string[], indexes: boolean): ChunkSink {
  const db = openStoreDatabase(tmp, { populations, samples, indexes });
  return {
    send: (chunk) => db.apply(chunk),
    ready: async () => {},
    commit: async (summary, meta, path) => db.commit(summary, meta, path),
    abort: async () => db.abort(),
  };
}

function onThread(tmp: string, populations: string[], samples: string[], indexes: boolean): ChunkSink {
  const worker = new Worker(new URL("./results-store-thread.ts", import.meta.url).href, { smol: true });
  let inFlight = 0;
  let failure: Error | null = null;
  let roomWaiters: (() => void)[] = [];
  let finished: { resolve(): void; reject(e: Error): void } | null = null;
  const wake = () => {
    const waiting = roomWaiters;
    roomWaiters = [];
    for (const w of waiting) w();
  };
  const fail = (message: string) => {
    failure ??= new Error(`results store: ${message}`);
    wake();
    finished?.reject(failure);
  };
  worker.onmessage = (e: MessageEvent<FromStoreThread>) => {
    const m = e.data;
    if (m.type === "applied") {
      inFlight--;
      if (inFlight < MAX_IN_FLIGHT) wake();
    } else if (m.type === "error") fail(m.message);
    else finished?.resolve();
  };
  worker.onerror = (e) => fail(e.message || "its thread failed");
  const post = (msg: ToStoreThread) => worker.postMessage(msg);
  const settle = () =>
    new Promise<void>((resolve, reject) => {
      finished = { resolve, reject };
    });
  post({ type: "open", tmp, populations, samples, indexes });
  return {
    send(chunk) {
      if (failure) throw failure;
      if (chunk.length === 0) return;
      inFlight++;
      post({ type: "chunk", text: chunk.join("\n") });
    },
    async ready() {
      while (!failure && inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => roomWaiters.push(r));
      if (failure) throw failure;
    },
    async commit(summary, meta, path) {
      if (failure) throw failure;
      const done = settle();
      post({ type: "commit", summary, meta, path });
      try {
        await done;
      } finally {
        worker.terminate();
      }
    },
    async abort() {
      const done = settle();
      post({ type: "abort" });
      // An aborting run must not hang on a thread that died: give up waiting after a while.
      await Promise.race([done.catch(() => {}), Bun.sleep(5000)]);
      worker.terminate();
    },
  };
}

/**
 * The engine-thread half of the writer: turns RowBatches into chunks (see results-store-database.ts)
 * and keeps the summary's counts. All the per-row JavaScript work is here (dictionary lookups,
 * packing effects, counting); the store's thread only binds strings and inserts.
 */
function createStoreEncoder(populations: string[], samples: string[], canonicalTagged: boolean) {
  const populationKeys = populations.map((p) => `KNOWN_${p}`);
  // Dictionaries: by feature ID (then the rest compared), by consequence text (then impact): a key
  // string per row, joined from five fields, was 4 % of the store's profile.
  const features = new Map<string, { fid: number; r: BrowseRow }[]>();
  const featureBiotype: string[] = [""];
  const sets = new Map<string, { cid: number; impact: string }[]>();
  const setInfo: { consequence: string; impact: string }[] = [{ consequence: "", impact: "" }];
  let out: string[] = [];
  const featureOf = (r: BrowseRow) => {
    let list = features.get(r.feature);
    if (list === undefined) features.set(r.feature, (list = []));
    for (const f of list)
      if (f.r.featureType === r.featureType && f.r.gene === r.gene && f.r.geneId === r.geneId && f.r.biotype === r.biotype) return f.fid;
    const fid = featureBiotype.length;
    featureBiotype.push(r.biotype);
    list.push({ fid, r: { ...r } });
    out.push(`F${[fid, r.featureType, r.feature, r.gene, r.geneId, r.biotype].join(CHUNK_FIELD)}`);
    return fid;
  };
  const setOf = (r: BrowseRow) => {
    let list = sets.get(r.consequence);
    if (list === undefined) sets.set(r.consequence, (list = []));
    for (const s of list) if (s.impact === r.impact) return s.cid;
    const cid = setInfo.length;
    setInfo.push({ consequence: r.consequence, impact: r.impact });
    list.push({ cid, impact: r.impact });
    out.push(`C${[cid, r.consequence, r.impact].join(CHUNK_FIELD)}`);
    return cid;
  };

  // Counted by dictionary id, folded into terms and names at the end (per-row map updates, with the
  // term list split per row, were another 4 % of the profile).
  const rowsBySet: number[] = [];
  const variantsBySet: number[] = [];
  const rowsByFeature: number[] = [];
  const variantsByFeature: number[] = [];
  const counts = newCounts(populations, samples, canonicalTagged);
  const clinCounts = new Array<number>(CLIN_SIG_CLASSES.length + 1).fill(0);
  const genotypeCounts = samples.map(() => ({ hom_ref: 0, het: 0, hom_alt: 0, missing: 0 }));
  const genes = new Set<string>();
  const F = CHUNK_FIELD;
  // For `sorted`: the contigs seen before the current one (bounded by the reference's contigs).
  const contigsDone = new Set<string>();
  let lastChrom = "";
  let lastPos = 0;
  let vid = 0;

  const encodeVariant = (rows: readonly BrowseRow[], from: number, facts: VariantFacts, recordBase: number) => {
    vid++;
    const n = facts.rows;
    const f = rows[from]!;
    let effects = "";
    let firstCid = 0;
    let firstFid = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[from + i]!;
      const cid = setOf(r);
      const fid = featureOf(r);
      if (i === 0) {
        firstCid = cid;
        firstFid = fid;
      } else {
        effects += EFFECT_SEPARATOR;
        if (r.gene !== "" && r.gene !== f.gene) genes.add(r.gene);
      }
      rowsBySet[cid] = (rowsBySet[cid] ?? 0) + 1;
      rowsByFeature[fid] = (rowsByFeature[fid] ?? 0) + 1;
      effects += `${cid}\x1f${fid}\x1f${r.rank}\x1f${r.hgvsC}\x1f${r.hgvsP}\x1f${r.cdnaPos}\x1f${r.cdsPos}\x1f${r.aaPos}\x1f${r.distance}\x1f${r.messages}`;
      // The transcript choice's mark (`1`/`0`); nothing when the run chose none (older stores neither).
      if (facts.picked) effects += `\x1f${facts.picked[i]}`;
    }
    const term = firstTerm(f.consequence);
    const af = parseAf(f.af);
    const known = facts.known;
    const clinSig = known?.KNOWN_CLIN_SIG ?? "";
    const clinMask = clinSigMask(clinSig);
    const gt = facts.gt;
    const rec = facts.rec < 0 ? "" : facts.rec + recordBase;
    let v = `V${vid}${F}${rec}${F}${f.line}${F}${clean(f.chrom)}${F}${f.pos}${F}${clean(f.id)}${F}${f.ref}${F}${f.alt}${F}${firstCid}${F}${firstFid}${F}${severityOf(term)}${F}${IMPACT_RANK[f.impact as Impact] ?? 3}${F}${f.gene}${F}${f.biotype}${F}${f.hgvsC}${F}${f.hgvsP}${F}${f.known ? 1 : 0}${F}${af ?? ""}${F}${f.af}${F}${n}${F}${clean(facts.filter)}${F}${clean(clinSig)}${F}${clinMask}${F}${clinSigRank(clinMask)}${F}${facts.canonical ? 1 : 0}${F}${gt}`;
    for (const key of populationKeys) v += `${F}${known ? (parseAf(known[key] ?? "") ?? "") : ""}`;
    out.push(v, `E${vid}${F}${effects}`);
    for (const g of genes) out.push(`G${clean(g)}${F}${vid}`);
    genes.clear();

    if (counts.sorted) {
      if (f.chrom !== lastChrom) {
        if (contigsDone.has(f.chrom)) counts.sorted = false;
        contigsDone.add(lastChrom);
        lastChrom = f.chrom;
      } else if (f.pos < lastPos) counts.sorted = false;
      lastPos = f.pos;
    }
    counts.variants++;
    counts.transcriptRows += n;
    if (f.known) counts.known++;
    else counts.novel++;
    variantsBySet[firstCid] = (variantsBySet[firstCid] ?? 0) + 1;
    variantsByFeature[firstFid] = (variantsByFeature[firstFid] ?? 0) + 1;
    if (af === null) counts.afHistogram.withoutAf++;
    else counts.afHistogram.bins[AF_BINS.findIndex((b) => af < b.below)]!.count++;
    if (clinMask === 0) clinCounts[CLIN_SIG_CLASSES.length]!++;
    else for (let c = 0; c < CLIN_SIG_CLASSES.length; c++) if (clinMask & (1 << c)) clinCounts[c]!++;
    const filterKey = facts.filter in counts.filters || Object.keys(counts.filters).length < MAX_FILTER_VALUES ? facts.filter : "(other)";
    counts.filters[filterKey] = (counts.filters[filterKey] ?? 0) + 1;
    for (let s = 0; s < genotypeCounts.length; s++) genotypeCounts[s]![GENOTYPE_CHARS[gt[s] ?? "."] ?? "missing"]++;
  };

  return {
    /** The chunk of one batch: its new dictionary entries, issues, variants and their other genes. */
    encode(batch: RowBatch): string[] {
      out = [];
      for (const i of batch.issues) {
        out.push(`I${i.line}${F}${clean(i.chrom)}${F}${i.pos}${F}${i.kind}${F}${clean(i.message)}`);
        if (i.kind === "skipped") counts.issues.skipped++;
        else counts.issues.warnings++;
      }
      let from = 0;
      for (const facts of batch.variants) {
        encodeVariant(batch.rows, from, facts, batch.recordBase);
        from += facts.rows;
      }
      const chunk = out;
      out = [];
      return chunk;
    },
    finish(): StoreSummaryCounts {
      const result = finishCounts(counts, { rowsBySet, variantsBySet, rowsByFeature, variantsByFeature, setInfo, featureBiotype });
      result.clinSig = Object.fromEntries([...CLIN_SIG_CLASSES, "none"].map((c, i) => [c, clinCounts[i]!]));
      result.genotypes = Object.fromEntries(samples.map((name, s) => [name, genotypeCounts[s]!]));
      return result;
    },
  };
}

function newCounts(populations: string[], samples: string[], canonicalTagged: boolean): StoreSummaryCounts {
  return {
    variants: 0,
    transcriptRows: 0,
    known: 0,
    novel: 0,
    variantsByMostSevere: {},
    rowsByConsequence: {},
    variantsByImpact: {},
    rowsByImpact: {},
    rowsByBiotype: {},
    variantsByBiotype: {},
    afHistogram: { bins: AF_BINS.map((b) => ({ label: b.label, count: 0 })), withoutAf: 0 },
    populations,
    samples,
    genotypes: {},
    clinSig: {},
    filters: {},
    canonicalTagged,
    issues: { skipped: 0, warnings: 0 },
    sorted: true,
  };
}

interface IdCounts {
  rowsBySet: readonly number[];
  variantsBySet: readonly number[];
  rowsByFeature: readonly number[];
  variantsByFeature: readonly number[];
  setInfo: readonly { consequence: string; impact: string }[];
  featureBiotype: readonly string[];
}

/** The counts with the per-id tallies folded into names, each map sorted largest first (the order a chart shows them in). */
function finishCounts(c: StoreSummaryCounts, ids: IdCounts): StoreSummaryCounts {
  const rowsByConsequence: Record<string, number> = {};
  const rowsByImpact: Record<string, number> = {};
  const variantsByMostSevere: Record<string, number> = {};
  const variantsByImpact: Record<string, number> = {};
  ids.rowsBySet.forEach((n, cid) => {
    if (!n) return;
    const s = ids.setInfo[cid]!;
    for (const t of s.consequence.split("&")) add(rowsByConsequence, t, n);
    add(rowsByImpact, s.impact, n);
  });
  ids.variantsBySet.forEach((n, cid) => {
    if (!n) return;
    const s = ids.setInfo[cid]!;
    add(variantsByMostSevere, firstTerm(s.consequence), n);
    add(variantsByImpact, s.impact, n);
  });
  const rowsByBiotype: Record<string, number> = {};
  const variantsByBiotype: Record<string, number> = {};
  for (const [fid, n] of ids.rowsByFeature.entries()) if (n) add(rowsByBiotype, ids.featureBiotype[fid] || "(none)", n);
  for (const [fid, n] of ids.variantsByFeature.entries()) if (n) add(variantsByBiotype, ids.featureBiotype[fid] || "(none)", n);
  const sorted = (m: Record<string, number>) =>
    Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const byImpactOrder = (m: Record<string, number>) => Object.fromEntries(IMPACTS.filter((i) => m[i]).map((i) => [i, m[i]!]));
  return {
    ...c,
    variantsByMostSevere: sorted(variantsByMostSevere),
    rowsByConsequence: sorted(rowsByConsequence),
    variantsByImpact: byImpactOrder(variantsByImpact),
    rowsByImpact: byImpactOrder(rowsByImpact),
    rowsByBiotype: sorted(rowsByBiotype),
    variantsByBiotype: sorted(variantsByBiotype),
    filters: sorted(c.filters),
  };
}

const firstTerm = (consequence: string) => {
  const amp = consequence.indexOf("&");
  return amp < 0 ? consequence : consequence.slice(0, amp);
};

/** Text from the input (IDs, contig, FILTER) without the chunk's separators, which a hostile file could hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are the chunk's separators.
const SEPARATORS = /[\n\x1d-\x1f]/g;
function clean(text: string): string {
  SEPARATORS.lastIndex = 0;
  return SEPARATORS.test(text) ? text.replace(SEPARATORS, " ") : text;
}

/** A frequency as a number; "" or "." (no frequency) is null. */
function parseAf(text: string): number | null {
  if (!text || text === ".") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function add(m: Record<string, number>, key: string, n: number): void {
  m[key] = (m[key] ?? 0) + n;
}
