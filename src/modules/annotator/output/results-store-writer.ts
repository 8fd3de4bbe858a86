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
 * Measured on this 2-core machine, shared with other sessions (load average 3–5 during every
 * figure, so they are noisy), 1,000,000-variant bench VCF over the demo chr21 (bench/generate-vcf.ts,
 * 24.6 MB): 1,000,000 variant rows + 3,071,449 variant × transcript rows + the variant × gene rows.
 * - Inserts, prepared statements, one transaction per hand-off: 4.07 M rows in 7.9 s (516k rows/s);
 *   the indexes and ANALYZE at commit 2.1 s (/tmp write bench feeding the 1M `--format tsv` rows).
 * - In the annotation pass, one thread (`gas annotate --threads 1`, GNU time): VCF only 6.0 s,
 *   273 MB peak RSS; VCF + store 18.2 s, peak RSS 332 / 375 / 400 MB at 100k / 1M / 2M variants
 *   (8 MiB page cache; 32 MiB gave 360 / 422 MB. The rest of the growth is probably SQLite's sorter
 *   merging the index runs at commit; it slows down with size).
 *   With 2 threads the rows cross from the workers (as `--format tsv` does): 560 / 621 MB at 100k / 1M.
 * - File: 273.5 MB (11.1 × the input; 632 MB before the two dictionaries below).
 * - Queries (bun bench/results-store.ts, median of 5, warm): count with a selective filter 0.1 ms,
 *   with a broad one (991k of 1M) 17–40 ms; a page of 50, first or last, by position, gene, AF or
 *   consequence, filtered or not, 0.1–11 ms; expanding a variant 0.02 ms.
 * DuckDB was not measured here: the figures (5 M rows, 1.3 s to write Parquet, 30 ms for a
 * filtered count) would not change the choice, which the shipping cost decides.
 *
 * Write settings: the file is written once and published by rename, so no rollback journal and no
 * fsync per transaction (journal_mode=MEMORY, as OFF is refused in Bun's defensive mode;
 * synchronous=OFF); one transaction per batch of rows (the pipeline's 1–2 MiB hand-offs); indexes
 * are built once at commit (SQLite sorts each in one pass instead of updating five B-trees per row;
 * the usual bulk-load advice, not measured against the alternative here), then ANALYZE gives the
 * planner the statistics to pick between them; no VACUUM (nothing is ever deleted).
 */
import { Database, type Statement } from "bun:sqlite";
import { renameSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SO_TERMS } from "../consequence/so-terms.ts";
import type { Impact } from "../model.ts";
import type { AnnotateSummary } from "./annotation-summary.ts";
import type { BrowseRow } from "./browse-rows.ts";

/** Written in the `meta` table; a reader refuses a store whose major format it does not know. */
export const RESULTS_STORE_FORMAT = "gas-results/1";

export const IMPACT_RANK: Readonly<Record<Impact, number>> = { HIGH: 0, MODERATE: 1, LOW: 2, MODIFIER: 3 };
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

/**
 * `variants`: one row per annotated ALT, `vid` in input order (so position order for a sorted
 * VCF), with its most severe effect (`cid`, `fid`, HGVS; severity, impact rank and gene copied out
 * to be indexed). `transcripts`: every effect, clustered by (vid, n). Features (transcript, gene,
 * biotype) and consequence sets repeat across millions of rows, so rows hold their ids in two
 * dictionaries (`features`, `consequence_sets`), which are bounded by the reference, not the input:
 * a 1M-variant store fell from 632 MB to 273 MB. `variant_genes`: each gene a variant
 * touches, for the gene filter (a variant in gene A's intron and B's upstream region is found by
 * either). `summary`: JSON values computed while streaming, so a job page never scans rows.
 */
const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE summary (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE features (
  fid INTEGER PRIMARY KEY, feature_type TEXT NOT NULL, feature TEXT NOT NULL, gene TEXT NOT NULL,
  gene_id TEXT NOT NULL, biotype TEXT NOT NULL
);
CREATE TABLE consequence_sets (cid INTEGER PRIMARY KEY, consequence TEXT NOT NULL, impact TEXT NOT NULL);
CREATE TABLE variants (
  vid INTEGER PRIMARY KEY, line INTEGER NOT NULL, chrom TEXT NOT NULL, pos INTEGER NOT NULL,
  id TEXT NOT NULL, ref TEXT NOT NULL, alt TEXT NOT NULL, cid INTEGER NOT NULL, fid INTEGER NOT NULL,
  severity INTEGER NOT NULL, impact_rank INTEGER NOT NULL, gene TEXT NOT NULL COLLATE NOCASE,
  hgvs_c TEXT NOT NULL, hgvs_p TEXT NOT NULL, known INTEGER NOT NULL, af REAL, af_text TEXT NOT NULL,
  transcripts INTEGER NOT NULL
);
CREATE TABLE transcripts (
  vid INTEGER NOT NULL, n INTEGER NOT NULL, cid INTEGER NOT NULL, fid INTEGER NOT NULL,
  rank TEXT NOT NULL, hgvs_c TEXT NOT NULL, hgvs_p TEXT NOT NULL, cdna_pos TEXT NOT NULL,
  cds_pos TEXT NOT NULL, aa_pos TEXT NOT NULL, distance TEXT NOT NULL, messages TEXT NOT NULL,
  PRIMARY KEY (vid, n)
) WITHOUT ROWID;
CREATE TABLE variant_genes (gene TEXT NOT NULL COLLATE NOCASE, vid INTEGER NOT NULL, PRIMARY KEY (gene, vid)) WITHOUT ROWID;
`;

/** Built at commit. Each serves a filter and a sort order (every index ends in the rowid, vid). */
const INDEXES = `
CREATE INDEX variants_region ON variants (chrom, pos);
CREATE INDEX variants_severity ON variants (severity);
CREATE INDEX variants_impact ON variants (impact_rank);
CREATE INDEX variants_gene ON variants (gene);
CREATE INDEX variants_af ON variants (ifnull(af, -1));
`;

/** Rows per transaction at most; a hand-off is usually smaller. */
const MAX_TRANSACTION_ROWS = 50_000;

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
}

export interface ResultsStoreWriter {
  /** Rows of whole records in input order (a record's rows never span two calls). */
  write(rows: readonly BrowseRow[]): void;
  /** Builds the indexes, writes the summary, closes and publishes the file under its name. */
  commit(summary: AnnotateSummary): StoreSummaryCounts;
  /** Closes and removes the temporary file; nothing is left under the final name. */
  abort(): void;
}

export function createResultsStoreWriter(path: string): ResultsStoreWriter {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
  const db = new Database(tmp, { create: true, readwrite: true, strict: true });
  let state: "open" | "committed" | "aborted" = "open";
  try {
    // Bun opens databases in SQLite's defensive mode, which refuses journal_mode=OFF (it stays
    // "delete"); MEMORY keeps the rollback journal of one batch in memory and writes no file.
    db.run("PRAGMA journal_mode = MEMORY");
    db.run("PRAGMA synchronous = OFF");
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    // 32 MiB of page cache: the index sorts at commit spill to temporary files beyond it.
    db.run("PRAGMA cache_size = -8192");
    db.exec(SCHEMA);
  } catch (err) {
    db.close();
    removeQuietly(tmp);
    throw err;
  }
  type Params = (string | number | null)[];
  const insertVariant = db.prepare("INSERT INTO variants VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") as Statement<unknown, Params>;
  const insertTranscript = db.prepare("INSERT INTO transcripts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)") as Statement<unknown, Params>;
  const insertGene = db.prepare("INSERT OR IGNORE INTO variant_genes VALUES (?,?)") as Statement<unknown, Params>;
  const insertFeature = db.prepare("INSERT INTO features VALUES (?,?,?,?,?,?)") as Statement<unknown, Params>;
  const insertSet = db.prepare("INSERT INTO consequence_sets VALUES (?,?,?)") as Statement<unknown, Params>;
  const prepared: Statement[] = [insertVariant, insertTranscript, insertGene, insertFeature, insertSet];
  const featureIds = new Map<string, number>();
  const setIds = new Map<string, number>();
  const featureOf = (r: BrowseRow) => {
    const key = `${r.feature}\t${r.featureType}\t${r.gene}\t${r.geneId}\t${r.biotype}`;
    let fid = featureIds.get(key);
    if (fid === undefined) {
      fid = featureIds.size + 1;
      featureIds.set(key, fid);
      insertFeature.run(fid, r.featureType, r.feature, r.gene, r.geneId, r.biotype);
    }
    return fid;
  };
  const setOf = (r: BrowseRow) => {
    const key = `${r.consequence}\t${r.impact}`;
    let cid = setIds.get(key);
    if (cid === undefined) {
      cid = setIds.size + 1;
      setIds.set(key, cid);
      insertSet.run(cid, r.consequence, r.impact);
    }
    return cid;
  };

  const counts = newCounts();
  const genesOfVariant = new Set<string>();
  let vid = 0;
  let lastLine = -1;
  let lastAlt = "";
  let first: BrowseRow | null = null;
  let firstCid = 0;
  let firstFid = 0;
  let rowsOfVariant = 0;

  const flushVariant = () => {
    if (!first) return;
    const f = first;
    const term = firstTerm(f.consequence);
    const af = parseAf(f.af);
    insertVariant.run(
      vid,
      f.line,
      f.chrom,
      f.pos,
      f.id,
      f.ref,
      f.alt,
      firstCid,
      firstFid,
      severityOf(term),
      IMPACT_RANK[f.impact as Impact] ?? 3,
      f.gene,
      f.hgvsC,
      f.hgvsP,
      f.known ? 1 : 0,
      af,
      f.af,
      rowsOfVariant,
    );
    for (const g of genesOfVariant) insertGene.run(g, vid);
    genesOfVariant.clear();
    counts.variants++;
    if (f.known) counts.known++;
    else counts.novel++;
    bump(counts.variantsByMostSevere, term);
    bump(counts.variantsByImpact, f.impact);
    bump(counts.variantsByBiotype, f.biotype || "(none)");
    if (af === null) counts.afHistogram.withoutAf++;
    else counts.afHistogram.bins[AF_BINS.findIndex((b) => af < b.below)]!.count++;
    first = null;
  };

  const writeRows = (rows: readonly BrowseRow[], from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = rows[i]!;
      if (r.line !== lastLine || r.alt !== lastAlt) {
        flushVariant();
        vid++;
        lastLine = r.line;
        lastAlt = r.alt;
        rowsOfVariant = 0;
      }
      const cid = setOf(r);
      const fid = featureOf(r);
      if (rowsOfVariant === 0) {
        first = r; // effects come most severe first (RecordAnnotator sorts them)
        firstCid = cid;
        firstFid = fid;
      }
      insertTranscript.run(vid, rowsOfVariant++, cid, fid, r.rank, r.hgvsC, r.hgvsP, r.cdnaPos, r.cdsPos, r.aaPos, r.distance, r.messages);
      if (r.gene) genesOfVariant.add(r.gene);
      counts.transcriptRows++;
      for (const t of r.consequence.split("&")) bump(counts.rowsByConsequence, t);
      bump(counts.rowsByImpact, r.impact);
      bump(counts.rowsByBiotype, r.biotype || "(none)");
    }
  };

  return {
    write(rows) {
      if (state !== "open") throw new Error(`results store ${path}: write after ${state}`);
      for (let from = 0; from < rows.length; from += MAX_TRANSACTION_ROWS) {
        const to = Math.min(rows.length, from + MAX_TRANSACTION_ROWS);
        db.run("BEGIN");
        try {
          writeRows(rows, from, to);
          db.run("COMMIT");
        } catch (err) {
          db.run("ROLLBACK");
          throw err;
        }
      }
    },
    commit(summary) {
      if (state !== "open") throw new Error(`results store ${path}: commit after ${state}`);
      try {
        db.run("BEGIN");
        flushVariant(); // the last variant's row is inserted here, in its own transaction
        const result = finishCounts(counts);
        const put = db.prepare("INSERT INTO summary VALUES (?, ?)");
        prepared.push(put);
        for (const [key, value] of Object.entries(result)) put.run(key, JSON.stringify(value));
        // The input by its file name only, as the count log names it: a service's work folder stays out of the file.
        const name = basename(summary.input);
        const engine = { ...summary, input: name, warnings: summary.warnings.map((w) => w.replaceAll(summary.input, name)) };
        put.run("engine", JSON.stringify(engine));
        const meta = db.prepare("INSERT INTO meta VALUES (?, ?)");
        prepared.push(meta);
        meta.run("format", RESULTS_STORE_FORMAT);
        meta.run("reference", summary.reference);
        meta.run("input", basename(summary.input));
        db.run("COMMIT");
        db.exec(INDEXES);
        // A sample of each index is enough for the planner's choices, and bounds ANALYZE's time.
        db.run("PRAGMA analysis_limit = 1000");
        db.run("ANALYZE");
        for (const s of prepared) s.finalize();
        db.close(true);
        renameSync(tmp, path);
        state = "committed";
        return result;
      } catch (err) {
        this.abort();
        throw err;
      }
    },
    abort() {
      if (state !== "open") return;
      state = "aborted";
      try {
        // Unfinalized statements would keep the (unlinked) file open until they are collected.
        for (const s of prepared) s.finalize();
        db.close();
      } catch {
        // closing a database that failed mid-write: the file is removed anyway
      }
      removeQuietly(tmp);
    },
  };
}

function newCounts(): StoreSummaryCounts {
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
  };
}

/** The counts with each map sorted, largest first (the order a chart shows them in). */
function finishCounts(c: StoreSummaryCounts): StoreSummaryCounts {
  const sorted = (m: Record<string, number>) =>
    Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return {
    ...c,
    variantsByMostSevere: sorted(c.variantsByMostSevere),
    rowsByConsequence: sorted(c.rowsByConsequence),
    variantsByImpact: sorted(c.variantsByImpact),
    rowsByImpact: sorted(c.rowsByImpact),
    rowsByBiotype: sorted(c.rowsByBiotype),
    variantsByBiotype: sorted(c.variantsByBiotype),
  };
}

const firstTerm = (consequence: string) => {
  const amp = consequence.indexOf("&");
  return amp < 0 ? consequence : consequence.slice(0, amp);
};

/** KNOWN_AF as a number; "" or "." (no frequency) is null. */
function parseAf(text: string): number | null {
  if (!text || text === ".") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function bump(m: Record<string, number>, key: string): void {
  m[key] = (m[key] ?? 0) + 1;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
