/**
 * The results stores (SQLite, annotator/output/results-store-writer.ts describes the layout) of a
 * split job's chunks merged into the one an unsplit run writes, row for row:
 *
 * - `vid` (variant ordinal), `rec` (record ordinal) and `line` (input line) are shifted by the
 *   variants, records and data lines of the chunks before;
 * - the dictionaries (`features`, `consequence_sets`) are numbered by first appearance in the
 *   input, as the engine numbers them: walking the chunks in order, each chunk's entries in its
 *   own (first-appearance) order, an entry not seen before takes the next id; the ids inside
 *   `variants` and inside each packed effect are translated (a chunk whose ids all stay as they
 *   are, the first always, is copied by SQL alone);
 * - the `summary` rows are the chunks' counts added up, in the engine's key order and map order;
 * - the indexes are the engine's (results-store-database.ts), built once here: the chunks' stores
 *   have none (OutputPaths.storeWithoutIndexes), which saved each chunk ~25 % of its CPU. As the
 *   engine does, the APPEND_INDEXES exist before the rows (rows arrive in position order, so each
 *   insert lands at the end of its key's run) and the SORTED_INDEXES are built after them, then
 *   ANALYZE. Every index built after the rows is one more scan of the whole variants table.
 *
 * Rows are copied by INSERT … SELECT across ATTACHed chunk files where no translation is needed:
 * SQLite does the work without a row crossing into JavaScript.
 */
import { Database } from "bun:sqlite";
import { renameSync, rmSync } from "node:fs";
import type { AnnotateSummary } from "../../annotator/index.ts";
import { APPEND_INDEXES, SORTED_INDEXES } from "../../annotator/output/results-store-database.ts";
import { addCounts, sortedCounts } from "./merge-summary.ts";

const EFFECT_SEPARATOR = "\x1e";
const FIELD_SEPARATOR = "\x1f";
const IMPACTS = ["HIGH", "MODERATE", "LOW", "MODIFIER"];

export interface StorePart {
  path: string;
  /** Records and data lines of the input before this chunk. */
  recordOffset: number;
  lineOffset: number;
}

type Json = Record<string, unknown>;
type Counts = Record<string, number>;

/** Merge `parts` (in input order) into a new store at `out`; `engine` is the merged engine summary. */
export function mergeResultsStores(
  parts: readonly StorePart[],
  out: string,
  engine: AnnotateSummary,
): { copySeconds: number; indexSeconds: number } {
  const started = performance.now();
  const tmp = `${out}.merging`;
  rmSync(tmp, { force: true });
  const db = new Database(tmp, { create: true, readwrite: true, strict: true });
  try {
    db.run("PRAGMA journal_mode = MEMORY");
    db.run("PRAGMA synchronous = OFF");
    db.run("PRAGMA cache_size = -16384");
    db.run("ATTACH DATABASE ? AS p", [parts[0]!.path]);
    const objects = db
      .query<{ type: string; name: string; sql: string }, []>(
        "SELECT type, name, sql FROM p.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
      )
      .all();
    for (const o of objects) if (o.type === "table") db.run(o.sql);
    db.exec(APPEND_INDEXES);
    db.run("BEGIN");
    for (const t of ["meta", "populations", "samples"]) db.run(`INSERT INTO main.${t} SELECT * FROM p.${t}`);
    db.run("COMMIT");
    db.run("DETACH DATABASE p");
    const variantColumns = db
      .query<{ name: string }, []>("PRAGMA main.table_info(variants)")
      .all()
      .map((c) => c.name);

    const features = new Map<string, number>();
    const sets = new Map<string, number>();
    const summaries: Json[] = [];
    const runs: { chrom: string; first: number; minPos: number; maxPos: number }[][] = [];
    let vidOffset = 0;
    for (const part of parts) {
      db.run("ATTACH DATABASE ? AS p", [part.path]);
      db.run("BEGIN");
      const fidMap = dictionary(db, "features", "fid", ["feature_type", "feature", "gene", "gene_id", "biotype"], features);
      const cidMap = dictionary(db, "consequence_sets", "cid", ["consequence", "impact"], sets);
      const identity = fidMap.every((g, l) => g === l) && cidMap.every((g, l) => g === l);
      db.run("CREATE TEMP TABLE IF NOT EXISTS fmap (l INTEGER PRIMARY KEY, g INTEGER NOT NULL)");
      db.run("CREATE TEMP TABLE IF NOT EXISTS cmap (l INTEGER PRIMARY KEY, g INTEGER NOT NULL)");
      db.run("DELETE FROM temp.fmap");
      db.run("DELETE FROM temp.cmap");
      const fm = db.prepare("INSERT INTO temp.fmap VALUES (?, ?)");
      for (const [l, g] of fidMap.entries()) fm.run(l, g);
      fm.finalize();
      const cm = db.prepare("INSERT INTO temp.cmap VALUES (?, ?)");
      for (const [l, g] of cidMap.entries()) cm.run(l, g);
      cm.finalize();
      const o = { $vo: vidOffset, $ro: part.recordOffset, $lo: part.lineOffset };
      const select = variantColumns.map((c) => {
        if (c === "vid") return "vid + $vo";
        if (c === "rec") return "rec + $ro"; // NULL stays NULL
        if (c === "line") return "line + $lo";
        if (c === "cid") return identity ? "cid" : "(SELECT g FROM temp.cmap WHERE l = cid)";
        if (c === "fid") return identity ? "fid" : "(SELECT g FROM temp.fmap WHERE l = fid)";
        return c;
      });
      db.query(`INSERT INTO main.variants SELECT ${select.join(", ")} FROM p.variants ORDER BY vid`).run(o);
      if (identity) db.query("INSERT INTO main.effects SELECT vid + $vo, packed FROM p.effects ORDER BY vid").run({ $vo: vidOffset });
      else {
        const insert = db.prepare("INSERT INTO main.effects VALUES (?, ?)");
        for (const e of db.query<{ vid: number; packed: string }, []>("SELECT vid, packed FROM p.effects ORDER BY vid").iterate())
          insert.run(e.vid + vidOffset, translateEffects(e.packed, cidMap, fidMap));
        insert.finalize();
      }
      db.query("INSERT INTO main.variant_genes SELECT gene, vid + $vo FROM p.variant_genes").run({ $vo: vidOffset });
      db.query(
        "INSERT INTO main.issues (line, chrom, pos, kind, message) SELECT line + $lo, chrom, pos, kind, message FROM p.issues ORDER BY iid",
      ).run({ $lo: part.lineOffset });
      summaries.push(
        Object.fromEntries(
          db
            .query<{ key: string; value: string }, []>("SELECT key, value FROM p.summary")
            .all()
            .map((r) => [r.key, JSON.parse(r.value)]),
        ),
      );
      runs.push(
        db
          .query<{ chrom: string; first: number; minPos: number; maxPos: number }, []>(
            "SELECT chrom, min(vid) AS first, min(pos) AS minPos, max(pos) AS maxPos FROM p.variants GROUP BY chrom ORDER BY first",
          )
          .all(),
      );
      vidOffset += db.query<{ n: number }, []>("SELECT count(*) AS n FROM p.variants").get()!.n;
      db.run("COMMIT");
      db.run("DETACH DATABASE p");
    }
    const summary = mergeStoreSummaries(summaries, runs, engine);
    db.run("BEGIN");
    const put = db.prepare("INSERT INTO main.summary VALUES (?, ?)");
    for (const [k, v] of Object.entries(summary)) put.run(k, JSON.stringify(v));
    put.finalize();
    db.run("COMMIT");
    const copied = performance.now();
    db.exec(SORTED_INDEXES);
    db.run("PRAGMA analysis_limit = 1000");
    db.run("ANALYZE");
    db.close(true);
    renameSync(tmp, out);
    const seconds = (from: number, to: number) => Number(((to - from) / 1000).toFixed(3));
    return { copySeconds: seconds(started, copied), indexSeconds: seconds(copied, performance.now()) };
  } catch (err) {
    try {
      db.close();
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * The chunk's dictionary (ATTACHed as p) added to the merged one: returns local id → merged id.
 * Entries are keyed by every column but the id, as the engine's encoder compares them.
 */
function dictionary(db: Database, table: string, id: string, columns: readonly string[], seen: Map<string, number>): number[] {
  const map: number[] = [0];
  const insert = db.prepare(`INSERT INTO main.${table} VALUES (${[id, ...columns].map(() => "?").join(", ")})`);
  for (const row of db.query<Record<string, string | number>, []>(`SELECT * FROM p.${table} ORDER BY ${id}`).iterate()) {
    const values = columns.map((c) => row[c] as string);
    const key = values.join("\x1d");
    let merged = seen.get(key);
    if (merged === undefined) {
      merged = seen.size + 1;
      seen.set(key, merged);
      insert.run(merged, ...values);
    }
    map[row[id] as number] = merged;
  }
  insert.finalize();
  return map;
}

/** A packed effects value with each effect's cid and fid (its first two fields) translated. */
export function translateEffects(packed: string, cidMap: readonly number[], fidMap: readonly number[]): string {
  const effects = packed.split(EFFECT_SEPARATOR);
  for (let i = 0; i < effects.length; i++) {
    const e = effects[i]!;
    const a = e.indexOf(FIELD_SEPARATOR);
    const b = e.indexOf(FIELD_SEPARATOR, a + 1);
    const cid = cidMap[Number(e.slice(0, a))];
    const fid = fidMap[Number(e.slice(a + 1, b))];
    effects[i] = `${cid}${FIELD_SEPARATOR}${fid}${e.slice(b)}`;
  }
  return effects.join(EFFECT_SEPARATOR);
}

/** Sum of each chunk's value under `key` (numbers). */
const total = (parts: readonly Json[], key: string) => parts.reduce((n, p) => n + ((p[key] as number) ?? 0), 0);
const summed = (parts: readonly Json[], key: string) => parts.reduce<Counts>((m, p) => addCounts(m, (p[key] as Counts) ?? {}), {});
const byImpact = (m: Counts) => Object.fromEntries(IMPACTS.filter((i) => m[i]).map((i) => [i, m[i]!]));

/**
 * The `summary` table's entries: the first chunk's keys in its order, each value merged. `sorted`
 * holds when every chunk is sorted and, across chunks, no contig comes back after another and
 * positions never go back (the encoder's rule, applied to each chunk's contig runs).
 */
export function mergeStoreSummaries(
  parts: readonly Json[],
  runs: readonly { chrom: string; minPos: number; maxPos: number }[][],
  engine: AnnotateSummary,
): Json {
  const first = parts[0]!;
  let sorted = parts.every((p) => p.sorted !== false);
  const contigsDone = new Set<string>();
  let lastChrom = "";
  let lastPos = 0;
  for (const chunk of runs)
    for (const r of chunk) {
      if (r.chrom !== lastChrom) {
        if (contigsDone.has(r.chrom)) sorted = false;
        contigsDone.add(lastChrom);
        lastChrom = r.chrom;
      } else if (r.minPos < lastPos) sorted = false;
      lastPos = r.maxPos;
    }
  const merged: Json = {};
  for (const key of Object.keys(first)) {
    switch (key) {
      case "variants":
      case "transcriptRows":
      case "known":
      case "novel":
        merged[key] = total(parts, key);
        break;
      case "variantsByMostSevere":
      case "rowsByConsequence":
      case "rowsByBiotype":
      case "variantsByBiotype":
      case "filters":
        merged[key] = sortedCounts(summed(parts, key));
        break;
      case "variantsByImpact":
      case "rowsByImpact":
        merged[key] = byImpact(summed(parts, key));
        break;
      case "clinSig":
        // A fixed set of classes in a fixed order: the first chunk's order.
        merged[key] = Object.fromEntries(Object.keys(first.clinSig as Counts).map((c) => [c, summed(parts, key)[c] ?? 0]));
        break;
      case "afHistogram": {
        const h = first.afHistogram as { bins: { label: string; count: number }[]; withoutAf: number };
        merged[key] = {
          bins: h.bins.map((b, i) => ({
            label: b.label,
            count: parts.reduce((n, p) => n + ((p.afHistogram as typeof h).bins[i]?.count ?? 0), 0),
          })),
          withoutAf: parts.reduce((n, p) => n + (p.afHistogram as typeof h).withoutAf, 0),
        };
        break;
      }
      case "genotypes":
        merged[key] = Object.fromEntries(
          Object.entries(first.genotypes as Record<string, Counts>).map(([sample, classes]) => [
            sample,
            Object.fromEntries(
              Object.keys(classes).map((c) => [
                c,
                parts.reduce((n, p) => n + ((p.genotypes as Record<string, Counts>)[sample]?.[c] ?? 0), 0),
              ]),
            ),
          ]),
        );
        break;
      case "issues":
        merged[key] = {
          skipped: parts.reduce((n, p) => n + (p.issues as Counts).skipped!, 0),
          warnings: parts.reduce((n, p) => n + (p.issues as Counts).warnings!, 0),
        };
        break;
      case "sorted":
        merged[key] = sorted;
        break;
      case "engine":
        merged[key] = engine;
        break;
      default:
        // populations, samples, canonicalTagged, pick: the run's settings, the same in every chunk.
        merged[key] = first[key];
    }
  }
  return merged;
}
