/**
 * The SQLite side of the results store (the layout is described in results-store-writer.ts): the
 * schema, and applying the encoded chunks the writer makes from the engine's rows. It runs on the
 * store's own thread (results-store-thread.ts) during a run, or on the caller's thread when a
 * store is built from an old job's rows (legacy-json-import.ts).
 *
 * A chunk is an array of lines (one string each: a single string built by concatenation had to be
 * flattened, then split, 8 % of the store's profile), each starting with its kind, fields separated by `\x1d`
 * (no engine field holds these; effects inside a variant use `\x1e` and `\x1f`):
 * `F` feature (fid, feature type, feature, gene, gene ID, biotype), `C` consequence set (cid,
 * terms, impact), `V` variant (the `variants` columns in order), `E` its effects (vid, packed),
 * `G` another gene of a variant
 * (gene, vid), `I` issue (line, chrom, pos, kind, message). Strings bind to INTEGER and REAL
 * columns as numbers (SQLite's column affinity converts them); "" in a nullable number column is NULL.
 */
import { Database, type Statement } from "bun:sqlite";
import { renameSync, unlinkSync } from "node:fs";

export const CHUNK_FIELD = "\x1d";

/** Columns of `variants` before the population frequencies (paf1..pafK follow). */
export const VARIANT_COLUMNS = [
  "vid",
  "rec",
  "line",
  "chrom",
  "pos",
  "id",
  "ref",
  "alt",
  "cid",
  "fid",
  "severity",
  "impact_rank",
  "gene",
  "biotype",
  "hgvs_c",
  "hgvs_p",
  "known",
  "af",
  "af_text",
  "transcripts",
  "filter",
  "clin_sig",
  "clin_mask",
  "clin_rank",
  "canonical",
  "gt",
] as const;
/** Nullable number columns: "" in a chunk stands for NULL there. */
const NULLABLE = new Set<string>(["rec", "af"]);

function schema(populations: number): string {
  const pafs = Array.from({ length: populations }, (_, k) => `, paf${k + 1} REAL`).join("");
  return `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE summary (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE features (
  fid INTEGER PRIMARY KEY, feature_type TEXT NOT NULL, feature TEXT NOT NULL, gene TEXT NOT NULL,
  gene_id TEXT NOT NULL, biotype TEXT NOT NULL
);
CREATE TABLE consequence_sets (cid INTEGER PRIMARY KEY, consequence TEXT NOT NULL, impact TEXT NOT NULL);
CREATE TABLE populations (k INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE samples (s INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE variants (
  vid INTEGER PRIMARY KEY, rec INTEGER, line INTEGER NOT NULL, chrom TEXT NOT NULL, pos INTEGER NOT NULL,
  id TEXT NOT NULL, ref TEXT NOT NULL, alt TEXT NOT NULL, cid INTEGER NOT NULL, fid INTEGER NOT NULL,
  severity INTEGER NOT NULL, impact_rank INTEGER NOT NULL, gene TEXT NOT NULL COLLATE NOCASE,
  biotype TEXT NOT NULL, hgvs_c TEXT NOT NULL, hgvs_p TEXT NOT NULL, known INTEGER NOT NULL, af REAL,
  af_text TEXT NOT NULL, transcripts INTEGER NOT NULL, filter TEXT NOT NULL, clin_sig TEXT NOT NULL,
  clin_mask INTEGER NOT NULL, clin_rank INTEGER NOT NULL, canonical INTEGER NOT NULL, gt TEXT NOT NULL${pafs}
);
CREATE TABLE effects (vid INTEGER PRIMARY KEY, packed TEXT NOT NULL);
CREATE TABLE variant_genes (gene TEXT NOT NULL COLLATE NOCASE, vid INTEGER NOT NULL, PRIMARY KEY (gene, vid)) WITHOUT ROWID;
CREATE TABLE issues (
  iid INTEGER PRIMARY KEY, line INTEGER NOT NULL, chrom TEXT NOT NULL, pos INTEGER NOT NULL, kind TEXT NOT NULL,
  message TEXT NOT NULL
);
`;
}

/**
 * One index per filter and sort order (each ends in the rowid, vid, so a sort walks it in
 * (key, vid) order for keyset paging). No index on the population frequencies: one per population
 * was one more full scan each at commit (18 in the demo's known file, ~0.8 s apiece at 1M variants),
 * so a population range is a scan of `variants`.
 *
 * All are built once, sorted, after the last row (at commit). Keeping an index up to date row by
 * row puts each row on a random page of it when the key is spread over the whole range (HGVS, IDs,
 * frequencies): the store's CPU at 100k → 1M variants went 5.1 → 48 s. Even keys with few values,
 * or that follow the position (region, severity, impact, gene, biotype, ClinVar, FILTER), where
 * each row lands at the end of its key's run, cost more row by row than sorted: at 1M variants the
 * store's thread spent 15.8 s inserting with those 7 indexes in place and 2.1 s at commit, against
 * 7.1 s and 3.6 s when they too are built at commit (the 1M run of `gas annotate --store`: 18–20 →
 * 13.9 s wall, 30 → 21.5 s CPU).
 *
 * Known/novel is indexed with the ID after it: a count of known or novel variants reads that index
 * alone (485k novel of 1M: 191 → 23 ms), and sorting novel variants by ID walks it in order, where
 * the ID index put every known rsID before the first novel row (699 ms for the first page, now
 * under 1 ms). Building it costs ~1 s per million variants at commit.
 */
export const STORE_INDEXES = `
CREATE INDEX variants_region ON variants (chrom, pos);
CREATE INDEX variants_severity ON variants (severity);
CREATE INDEX variants_impact ON variants (impact_rank);
CREATE INDEX variants_gene ON variants (gene);
CREATE INDEX variants_biotype ON variants (biotype);
CREATE INDEX variants_clin ON variants (clin_rank);
CREATE INDEX variants_filter ON variants (filter);
CREATE INDEX variants_af ON variants (ifnull(af, -1));
CREATE INDEX variants_id ON variants (id);
CREATE INDEX variants_hgvs_c ON variants (hgvs_c);
CREATE INDEX variants_hgvs_p ON variants (hgvs_p);
CREATE INDEX variants_known ON variants (known, id);
`;

export interface StoreDatabaseOptions {
  populations: readonly string[];
  samples: readonly string[];
  /** False: no indexes and no ANALYZE at all (a split job's part: OutputPaths.storeWithoutIndexes). Default true. */
  indexes?: boolean;
}

export interface StoreDatabase {
  apply(chunk: readonly string[]): void;
  /** Writes the summary and meta entries, builds what is left of the indexes, closes and renames `tmp` to `path`. */
  commit(summary: readonly [string, string][], meta: readonly [string, string][], path: string): void;
  abort(): void;
}

export function openStoreDatabase(tmp: string, opts: StoreDatabaseOptions): StoreDatabase {
  const indexes = opts.indexes ?? true;
  const db = new Database(tmp, { create: true, readwrite: true, strict: true });
  let open = true;
  try {
    // Written once and published by rename: no rollback journal file (Bun's defensive mode refuses
    // journal_mode=OFF; MEMORY keeps one transaction's journal in memory) and no fsync per transaction.
    db.run("PRAGMA journal_mode = MEMORY");
    db.run("PRAGMA synchronous = OFF");
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    // 8 MiB of page cache, whatever the input: the store's memory stays flat.
    db.run("PRAGMA cache_size = -8192");
    db.exec(schema(opts.populations.length));
    const pop = db.prepare("INSERT INTO populations VALUES (?, ?)");
    for (const [k, p] of opts.populations.entries()) pop.run(k + 1, p);
    pop.finalize();
    const sam = db.prepare("INSERT INTO samples VALUES (?, ?)");
    for (const [k, name] of opts.samples.entries()) sam.run(k + 1, name);
    sam.finalize();
  } catch (err) {
    db.close();
    removeQuietly(tmp);
    throw err;
  }
  type Params = (string | number | null)[];
  const columns = VARIANT_COLUMNS.length + opts.populations.length;
  const nullable = [...VARIANT_COLUMNS.map((c) => NULLABLE.has(c)), ...opts.populations.map(() => true)];
  const insertVariant = db.prepare(`INSERT INTO variants VALUES (${Array(columns).fill("?").join(",")})`) as Statement<unknown, Params>;
  const insertGene = db.prepare("INSERT OR IGNORE INTO variant_genes VALUES (?,?)") as Statement<unknown, Params>;
  const insertEffects = db.prepare("INSERT INTO effects VALUES (?,?)") as Statement<unknown, Params>;
  const insertFeature = db.prepare("INSERT INTO features VALUES (?,?,?,?,?,?)") as Statement<unknown, Params>;
  const insertSet = db.prepare("INSERT INTO consequence_sets VALUES (?,?,?)") as Statement<unknown, Params>;
  const insertIssue = db.prepare("INSERT INTO issues (line, chrom, pos, kind, message) VALUES (?,?,?,?,?)") as Statement<unknown, Params>;
  const prepared: Statement[] = [insertVariant, insertEffects, insertGene, insertFeature, insertSet, insertIssue];

  const applyLine = (line: string) => {
    const kind = line.charCodeAt(0);
    const fields: Params = line.split(CHUNK_FIELD);
    fields[0] = (fields[0] as string).slice(1); // the kind letter
    if (kind === 86 /* V */) {
      if (fields.length !== columns) throw new Error(`results store: a variant has ${fields.length} fields, not ${columns}`);
      for (let i = 0; i < columns; i++) if (nullable[i] && fields[i] === "") fields[i] = null;
      insertVariant.run(...fields);
    } else if (kind === 69 /* E */) insertEffects.run(...fields);
    else if (kind === 71 /* G */) insertGene.run(...fields);
    else if (kind === 70 /* F */) insertFeature.run(...fields);
    else if (kind === 67 /* C */) insertSet.run(...fields);
    else if (kind === 73 /* I */) insertIssue.run(...fields);
    else throw new Error(`results store: unknown chunk line kind ${JSON.stringify(line.slice(0, 1))}`);
  };

  return {
    apply(lines) {
      if (lines.length === 0) return;
      db.run("BEGIN");
      try {
        for (const line of lines) if (line !== "") applyLine(line);
        db.run("COMMIT");
      } catch (err) {
        db.run("ROLLBACK");
        throw err;
      }
    },
    commit(summary, meta, path) {
      db.run("BEGIN");
      const put = db.prepare("INSERT INTO summary VALUES (?, ?)");
      prepared.push(put);
      for (const [k, v] of summary) put.run(k, v);
      const m = db.prepare("INSERT INTO meta VALUES (?, ?)");
      prepared.push(m);
      for (const [k, v] of meta) m.run(k, v);
      db.run("COMMIT");
      if (indexes) {
        db.exec(STORE_INDEXES);
        // A sample of each index is enough for the planner's choices, and bounds ANALYZE's time.
        db.run("PRAGMA analysis_limit = 1000");
        db.run("ANALYZE");
      }
      for (const s of prepared) s.finalize();
      db.close(true);
      open = false;
      renameSync(tmp, path);
    },
    abort() {
      if (open) {
        open = false;
        try {
          // Unfinalized statements would keep the (unlinked) file open until they are collected.
          for (const s of prepared) s.finalize();
          db.close();
        } catch {
          // closing a database that failed mid-write: the file is removed anyway
        }
      }
      removeQuietly(tmp);
    },
  };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
