/**
 * A thread of the results-store merge (merge-store.ts): either the rows (everything but the
 * effects, then the indexes, then the effects moved in from the side file, ANALYZE, publish) or
 * the effects (translated to the merged dictionary ids into a side file). SQLite lets one
 * connection write a file at a time, so the two write two files and the effects are copied at the
 * end by SQL alone, which is ~6x cheaper than translating them (INSERT … SELECT, no row in JavaScript).
 */
import { Database } from "bun:sqlite";
import { renameSync } from "node:fs";
import { STORE_INDEXES } from "../../annotator/output/results-store-database.ts";
import { type StoreMergePlan, translateEffects } from "./merge-store.ts";

declare const self: Worker;

export type ToMergeThread =
  | { type: "rows"; plan: StoreMergePlan; tmp: string }
  | { type: "effects"; plan: StoreMergePlan; side: string }
  | { type: "finish"; tmp: string; side: string; out: string };

export type FromMergeThread =
  | { type: "done"; seconds?: number; copySeconds?: number; indexSeconds?: number }
  | { type: "error"; message: string };

/** Effects translated in JavaScript are inserted this many at a time (one statement through json_each). */
const EFFECTS_BATCH = 4096;

const since = (t: number) => Number(((performance.now() - t) / 1000).toFixed(3));

function open(path: string): Database {
  const db = new Database(path, { create: true, readwrite: true, strict: true });
  // Written once and published by rename (results-store-database.ts: no journal file, no fsync).
  db.run("PRAGMA journal_mode = MEMORY");
  db.run("PRAGMA synchronous = OFF");
  db.run("PRAGMA cache_size = -16384");
  return db;
}

/** The store but its effects: tables, the rows, then the STORE_INDEXES. */
function rows(plan: StoreMergePlan, tmp: string): FromMergeThread {
  const started = performance.now();
  const db = open(tmp);
  try {
    for (const sql of plan.tables) db.run(sql);
    const variantColumns = db
      .query<{ name: string }, []>("PRAGMA main.table_info(variants)")
      .all()
      .map((c) => c.name);
    db.run("ATTACH DATABASE ? AS p", [plan.parts[0]!.path]);
    db.run("BEGIN");
    for (const t of ["meta", "populations", "samples"]) db.run(`INSERT INTO main.${t} SELECT * FROM p.${t}`);
    insertAll(db, "features", plan.features);
    insertAll(db, "consequence_sets", plan.sets);
    insertAll(db, "summary", plan.summary);
    db.run("CREATE TEMP TABLE fmap (l INTEGER PRIMARY KEY, g INTEGER NOT NULL)");
    db.run("CREATE TEMP TABLE cmap (l INTEGER PRIMARY KEY, g INTEGER NOT NULL)");
    db.run("COMMIT");
    db.run("DETACH DATABASE p");
    for (const part of plan.parts) {
      db.run("ATTACH DATABASE ? AS p", [part.path]);
      db.run("BEGIN");
      const o = { $vo: part.vidOffset, $ro: part.recordOffset, $lo: part.lineOffset };
      const select = variantColumns.map((c) => {
        if (c === "vid") return "v.vid + $vo";
        if (c === "rec") return "v.rec + $ro"; // NULL stays NULL
        if (c === "line") return "v.line + $lo";
        if (c === "cid" && part.maps) return "c.g";
        if (c === "fid" && part.maps) return "f.g";
        return `v.${c}`;
      });
      let from = "p.variants v";
      if (part.maps) {
        db.run("DELETE FROM temp.fmap");
        db.run("DELETE FROM temp.cmap");
        insertAll(db, "temp.fmap", mapRows(part.maps.fid));
        insertAll(db, "temp.cmap", mapRows(part.maps.cid));
        // LEFT: an id without a translation would be NULL, refused by the NOT NULL column, not a row dropped.
        from += " LEFT JOIN temp.cmap c ON c.l = v.cid LEFT JOIN temp.fmap f ON f.l = v.fid";
      }
      db.query(`INSERT INTO main.variants SELECT ${select.join(", ")} FROM ${from} ORDER BY v.vid`).run(o);
      db.query("INSERT INTO main.variant_genes SELECT gene, vid + $vo FROM p.variant_genes").run({ $vo: part.vidOffset });
      db.query(
        "INSERT INTO main.issues (line, chrom, pos, kind, message) SELECT line + $lo, chrom, pos, kind, message FROM p.issues ORDER BY iid",
      ).run({ $lo: part.lineOffset });
      db.run("COMMIT");
      db.run("DETACH DATABASE p");
    }
    const copied = performance.now();
    db.exec(STORE_INDEXES);
    return { type: "done", copySeconds: Number(((copied - started) / 1000).toFixed(3)), indexSeconds: since(copied) };
  } finally {
    db.close(true);
  }
}

/** Every chunk's effects, ids translated where its dictionary ids differ, into `side` (an `effects` table alone). */
function effects(plan: StoreMergePlan, side: string): FromMergeThread {
  const started = performance.now();
  const db = open(side);
  try {
    db.run("CREATE TABLE effects (vid INTEGER PRIMARY KEY, packed TEXT NOT NULL)");
    // Bound by json_each: one statement per EFFECTS_BATCH rows, not one call into SQLite per row.
    const insert = db.prepare("INSERT INTO effects SELECT $first + key, value FROM json_each($rows)");
    for (const part of plan.parts) {
      db.run("ATTACH DATABASE ? AS p", [part.path]);
      db.run("BEGIN");
      if (!part.maps) db.query("INSERT INTO effects SELECT vid + $vo, packed FROM p.effects ORDER BY vid").run({ $vo: part.vidOffset });
      else {
        const { cid, fid } = part.maps;
        let batch: string[] = [];
        let first = 0;
        const flush = () => {
          if (batch.length > 0) insert.run({ $first: first, $rows: JSON.stringify(batch) });
          batch = [];
        };
        for (const [vid, packed] of db.query<[number, string], []>("SELECT vid, packed FROM p.effects ORDER BY vid").values() as [
          number,
          string,
        ][]) {
          // vids follow one another within a batch (they do: one per variant); a gap starts a new batch.
          if (batch.length > 0 && vid + part.vidOffset !== first + batch.length) flush();
          if (batch.length === 0) first = vid + part.vidOffset;
          batch.push(translateEffects(packed, cid, fid));
          if (batch.length === EFFECTS_BATCH) flush();
        }
        flush();
      }
      db.run("COMMIT");
      db.run("DETACH DATABASE p");
    }
    insert.finalize();
    return { type: "done", seconds: since(started) };
  } finally {
    db.close(true);
  }
}

/** The side file's effects copied in, ANALYZE, and the store published under `out`. */
function finish(tmp: string, side: string, out: string): FromMergeThread {
  const started = performance.now();
  const db = open(tmp);
  try {
    db.run("ATTACH DATABASE ? AS e", [side]);
    db.run("BEGIN");
    db.run("INSERT INTO main.effects SELECT vid, packed FROM e.effects ORDER BY vid");
    db.run("COMMIT");
    db.run("DETACH DATABASE e");
    // As the engine does (results-store-database.ts): a sample of each index is enough for the planner.
    db.run("PRAGMA analysis_limit = 1000");
    db.run("ANALYZE");
  } finally {
    db.close(true);
  }
  renameSync(tmp, out);
  return { type: "done", seconds: since(started) };
}

function insertAll(db: Database, table: string, rows: readonly (string | number)[][]): void {
  if (rows.length === 0) return;
  const insert = db.prepare(`INSERT INTO ${table} VALUES (${rows[0]!.map(() => "?").join(", ")})`);
  for (const r of rows) insert.run(...r);
  insert.finalize();
}

/** A translation array as (chunk id, merged id) rows; id 0 (no entry) left out. */
const mapRows = (map: readonly number[]) => map.flatMap((g, l) => (l > 0 && g !== undefined ? [[l, g]] : []));

self.onmessage = (event: MessageEvent<ToMergeThread>) => {
  const msg = event.data;
  try {
    const reply =
      msg.type === "rows"
        ? rows(msg.plan, msg.tmp)
        : msg.type === "effects"
          ? effects(msg.plan, msg.side)
          : finish(msg.tmp, msg.side, msg.out);
    self.postMessage(reply);
  } catch (err) {
    self.postMessage({
      type: "error",
      message: `${msg.type}: ${err instanceof Error ? err.message : String(err)}`,
    } satisfies FromMergeThread);
  }
};
