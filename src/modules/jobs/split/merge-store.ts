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
 *   engine does, they are built after the rows (results-store-database.ts says why), then ANALYZE.
 *
 * Rows are copied by INSERT … SELECT across ATTACHed chunk files, the variants' ids translated by
 * a join with the chunk's id map; only the packed effects cross into JavaScript, and only for a
 * chunk whose ids change. Two threads share the work (mergeResultsStores says how).
 */
import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import type { AnnotateSummary } from "../../annotator/index.ts";
import type { FromMergeThread, ToMergeThread } from "./merge-store-thread.ts";
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

/** What each merge thread needs, worked out on the caller's thread from the chunks' small tables. */
export interface StoreMergePlan {
  /** CREATE TABLE statements of the first chunk's store, in its order (every chunk has the same). */
  tables: string[];
  parts: {
    path: string;
    vidOffset: number;
    recordOffset: number;
    lineOffset: number;
    /** Chunk id → merged id of each dictionary; null when every id stays as it is (the first chunk always). */
    maps: { cid: number[]; fid: number[] } | null;
  }[];
  /** The merged dictionaries' rows (id first), in id order. */
  features: (string | number)[][];
  sets: (string | number)[][];
  /** The merged `summary` table's entries. */
  summary: [string, string][];
}

export interface StoreMergeTimes {
  /** Rows but the effects (dictionaries, variants, genes, issues), then the indexes, on one thread. */
  copySeconds: number;
  indexSeconds: number;
  /** The effects (translated where a chunk's dictionary ids differ), on a second thread meanwhile. */
  effectsSeconds: number;
  /** The effects moved into the store, and ANALYZE. */
  finishSeconds: number;
}

/**
 * Merge `parts` (in input order) into a new store at `out`; `engine` is the merged engine summary.
 *
 * Two threads (merge-store-thread.ts) share the work, because the merger is the only busy process
 * of the fleet at that point and one thread left this 2-core machine's other core idle (measured
 * on 20 chunks of 250k variants, load 5-8: variants 7.3 s, indexes 21 s, effects 11.5 s of
 * which ~10 s translating ids in JavaScript): one copies the variants, dictionaries, genes
 * and issues and builds the indexes; the other writes the effects, translated, to a side file.
 * The first then copies the side file's effects in (SQL alone, no translation) and runs ANALYZE.
 */
export async function mergeResultsStores(parts: readonly StorePart[], out: string, engine: AnnotateSummary): Promise<StoreMergeTimes> {
  const plan = planStoreMerge(parts, engine);
  const tmp = `${out}.merging`;
  const side = `${out}.effects`;
  const rows = startMergeThread();
  const effects = startMergeThread();
  try {
    rmSync(tmp, { force: true });
    rmSync(side, { force: true });
    const [copied, written] = await Promise.all([rows.ask({ type: "rows", plan, tmp }), effects.ask({ type: "effects", plan, side })]);
    effects.close();
    const finished = await rows.ask({ type: "finish", tmp, side, out });
    return {
      copySeconds: copied.copySeconds ?? 0,
      indexSeconds: copied.indexSeconds ?? 0,
      effectsSeconds: written.seconds ?? 0,
      finishSeconds: finished.seconds ?? 0,
    };
  } finally {
    rows.close();
    effects.close();
    rmSync(tmp, { force: true });
    rmSync(side, { force: true });
  }
}

function startMergeThread() {
  const worker = new Worker(new URL("./merge-store-thread.ts", import.meta.url).href, { smol: true });
  let closed = false;
  return {
    ask(msg: ToMergeThread): Promise<FromMergeThread & { type: "done" }> {
      return new Promise((resolve, reject) => {
        worker.onmessage = (e: MessageEvent<FromMergeThread>) =>
          e.data.type === "done" ? resolve(e.data) : reject(new Error(`results store merge: ${e.data.message}`));
        worker.onerror = (e) => reject(new Error(`results store merge: ${e.message || "its thread failed"}`));
        worker.postMessage(msg);
      });
    },
    close() {
      if (!closed) worker.terminate();
      closed = true;
    },
  };
}

/**
 * The merged dictionaries, each chunk's id translation, its offsets, and the merged summary: read
 * from the chunks' small tables (dictionaries, summary, a count and a GROUP BY of `variants`).
 */
export function planStoreMerge(parts: readonly StorePart[], engine: AnnotateSummary): StoreMergePlan {
  const features = new Map<string, number>();
  const sets = new Map<string, number>();
  const plan: StoreMergePlan = { tables: [], parts: [], features: [], sets: [], summary: [] };
  const summaries: Json[] = [];
  const runs: { chrom: string; first: number; minPos: number; maxPos: number }[][] = [];
  let vidOffset = 0;
  for (const [n, part] of parts.entries()) {
    const db = new Database(part.path, { readonly: true });
    try {
      if (n === 0)
        plan.tables = db
          .query<{ sql: string }, []>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
          .all()
          .map((t) => t.sql);
      const fid = dictionary(db, "features", "fid", ["feature_type", "feature", "gene", "gene_id", "biotype"], features, plan.features);
      const cid = dictionary(db, "consequence_sets", "cid", ["consequence", "impact"], sets, plan.sets);
      const identity = fid.every((g, l) => g === l) && cid.every((g, l) => g === l);
      plan.parts.push({ ...part, vidOffset, maps: identity ? null : { cid, fid } });
      summaries.push(
        Object.fromEntries(
          db
            .query<{ key: string; value: string }, []>("SELECT key, value FROM summary")
            .all()
            .map((r) => [r.key, JSON.parse(r.value)]),
        ),
      );
      runs.push(
        db
          .query<{ chrom: string; first: number; minPos: number; maxPos: number }, []>(
            "SELECT chrom, min(vid) AS first, min(pos) AS minPos, max(pos) AS maxPos FROM variants GROUP BY chrom ORDER BY first",
          )
          .all(),
      );
      vidOffset += db.query<{ n: number }, []>("SELECT count(*) AS n FROM variants").get()!.n;
    } finally {
      db.close();
    }
  }
  plan.summary = Object.entries(mergeStoreSummaries(summaries, runs, engine)).map(([k, v]) => [k, JSON.stringify(v)]);
  return plan;
}

/**
 * A chunk's dictionary added to the merged one (`seen`, its new rows pushed on `rows`): returns
 * chunk id → merged id. Entries are keyed by every column but the id, as the engine's encoder compares them.
 */
function dictionary(
  db: Database,
  table: string,
  id: string,
  columns: readonly string[],
  seen: Map<string, number>,
  rows: (string | number)[][],
): number[] {
  const map: number[] = [0];
  for (const row of db.query<Record<string, string | number>, []>(`SELECT * FROM ${table} ORDER BY ${id}`).iterate()) {
    const values = columns.map((c) => row[c] as string);
    const key = values.join("\x1d");
    let merged = seen.get(key);
    if (merged === undefined) {
      merged = seen.size + 1;
      seen.set(key, merged);
      rows.push([merged, ...values]);
    }
    map[row[id] as number] = merged;
  }
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
