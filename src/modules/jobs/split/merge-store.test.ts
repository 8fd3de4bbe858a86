/**
 * The results-store merge on its two threads (merge-store.ts), apart from the job machinery: a
 * chunk's effects past one json_each batch (4096 rows) with translated ids land on the right
 * variants, every row equals the unsplit store's; a merge that fails leaves no file behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeBenchVcf } from "../../../../bench/generate-vcf.ts";
import { type AnnotateSummary, type AnnotationEngine, DEFAULT_BUNDLE_DIR, startEngineThread } from "../../annotator/index.ts";
import { cutInput } from "./cut-input.ts";
import { mergeResultsStores, type StorePart } from "./merge-store.ts";

const FASTA = join(import.meta.dir, "../../../../data/demo/fasta/Homo_sapiens.GRCh38.chr21.test.fa.gz");
const VARIANTS = 12_000;
const CHUNK = 5_000;

/** Every table's rows but the summary's engine timings, in key order. */
function rows(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const { name } of db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all())
      out[name] = db.query(`SELECT * FROM "${name}" ${name === "summary" ? "WHERE key <> 'engine'" : ""} ORDER BY 1, 2`).values();
    out.indexes = db.query("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").values();
    return out;
  } finally {
    db.close();
  }
}

describe("mergeResultsStores", () => {
  let engine: AnnotationEngine;
  let dir: string;
  let parts: StorePart[];
  let summaries: AnnotateSummary[];
  beforeAll(async () => {
    engine = await startEngineThread({ bundleDir: DEFAULT_BUNDLE_DIR });
    dir = await mkdtemp(join(tmpdir(), "gas-merge-store-"));
    const input = join(dir, "in.vcf");
    await writeBenchVcf(input, FASTA, VARIANTS);
    const fields = { ann: true, csq: true, pick: "none" as const };
    await engine.annotate({ input, outputs: { store: join(dir, "whole.sqlite") }, fields });
    const cut = await cutInput(input, join(dir, "in"), "in.vcf", CHUNK);
    parts = [];
    summaries = [];
    let records = 0;
    for (const [n, file] of cut.files.entries()) {
      const store = join(dir, `${n}.sqlite`);
      const s = await engine.annotate({ input: file, outputs: { store, storeWithoutIndexes: true }, fields });
      parts.push({ path: store, recordOffset: records, lineOffset: n * CHUNK });
      summaries.push(s);
      records += s.records;
    }
  }, 300_000);
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("chunks of more effects than a batch, ids translated: every row as the unsplit store's", async () => {
    expect(parts.length).toBe(3);
    const out = join(dir, "merged.sqlite");
    const times = await mergeResultsStores(parts, out, summaries[0]!);
    expect(times.effectsSeconds).toBeGreaterThan(0);
    const merged = rows(out);
    const whole = rows(join(dir, "whole.sqlite"));
    // The later chunks' dictionaries are numbered apart from the first's: translation happened.
    const chunkSets = new Database(parts[1]!.path, { readonly: true });
    const local = chunkSets.query("SELECT * FROM consequence_sets ORDER BY cid").values();
    chunkSets.close();
    expect(local).not.toEqual((whole.consequence_sets as unknown[]).slice(0, local.length));
    expect((merged.effects as unknown[]).length).toBe(VARIANTS);
    for (const table of Object.keys(whole)) expect({ table, rows: merged[table] }).toEqual({ table, rows: whole[table] });
  }, 120_000);

  test("a merge that fails leaves no file behind", async () => {
    // A chunk store without its effects: the plan reads it, the effects thread fails on it.
    const bad = join(dir, "bad.sqlite");
    copyFileSync(parts[1]!.path, bad);
    const db = new Database(bad);
    db.run("DROP TABLE effects");
    db.close();
    const out = join(dir, "failed", "merged.sqlite");
    await rm(join(dir, "failed"), { recursive: true, force: true });
    await Bun.write(join(dir, "failed", ".keep"), "");
    const broken = [parts[0]!, { ...parts[1]!, path: bad }];
    await expect(mergeResultsStores(broken, out, summaries[0]!)).rejects.toThrow(/effects/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(dir, "failed"))).toEqual([".keep"]);
  }, 60_000);
});
