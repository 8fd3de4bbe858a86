/**
 * An old job's `.annot.json`, written by the engine itself (annotateFile with `json`), converted
 * into a store: it answers like the store the engine writes, except the columns the JSON never had.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_VCF_DIR, listDir, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { annotateFile, DEFAULT_BUNDLE_DIR, openReference, type Reference } from "../annotator/index.ts";
import { importLegacyJson, LegacyJsonError } from "./legacy-json-import.ts";
import { ResultsStore } from "./results-store.ts";

let root: string;
let reference: Reference;
let fresh: ResultsStore;
let converted: ResultsStore;
let json: string;

beforeAll(async () => {
  root = tempDir("gas-legacy-json-");
  reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
  // The demo plus a record the engine skips, so the old summary carries a warning with its line.
  const input = join(root, "in.vcf");
  writeFileSync(input, `${readFileSync(join(DEMO_VCF_DIR, "test.vcf"), "utf8")}21\t25585733\t.\tC\t<DEL>\t.\t.\t.\tGT\t0|1\n`);
  json = join(root, "in.annot.json");
  await annotateFile({ input, reference, outputs: { json, store: join(root, "fresh.sqlite") } });
  await importLegacyJson(json, join(root, "converted.sqlite"));
  fresh = ResultsStore.open(join(root, "fresh.sqlite"));
  converted = ResultsStore.open(join(root, "converted.sqlite"));
});

afterAll(async () => {
  fresh?.close();
  converted?.close();
  await reference?.close();
});

describe("importLegacyJson", () => {
  test("the same variants, effects and counts as the store the engine writes", () => {
    const a = fresh.page({ limit: 1000 }).rows;
    const b = converted.page({ limit: 1000 }).rows;
    expect(b.length).toBe(a.length);
    const shared = ({ rec: _, filter: __, clinSig: ___, afs: ____, ...rest }: (typeof a)[number]) => rest;
    expect(b.map(shared)).toEqual(a.map(shared));
    for (const v of a) expect(converted.transcripts(v.vid)).toEqual(fresh.transcripts(v.vid));
    const keys = ["variants", "transcriptRows", "known", "novel", "variantsByMostSevere", "rowsByConsequence", "variantsByImpact"] as const;
    const sa = fresh.summary();
    const sb = converted.summary();
    for (const k of keys) expect(sb[k]).toEqual(sa[k]);
    expect(sb.engine).toEqual(sa.engine);
  });

  test("what the old file lacks stays empty; its warnings become issues with their line", () => {
    const v = converted.variant(1)!;
    expect(v.rec).toBeNull();
    expect([v.filter, v.clinSig, v.afs]).toEqual(["", "", {}]);
    expect(converted.summary().populations).toEqual([]);
    const issues = converted.issues();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: fresh.issues()[0]!.line, kind: "skipped" });
    expect(issues[0]!.message).toContain('ALT "<DEL>" not annotated');
    // Sorting and filters work on the converted store as on a fresh one.
    const lastByHgvs = (s: ResultsStore) => s.page({ sort: "hgvs_c", last: true, limit: 5 }).rows.map((r) => [r.vid, r.hgvsC]);
    expect(lastByHgvs(converted)).toEqual(lastByHgvs(fresh));
    expect(converted.count({ impacts: ["HIGH"] })).toBe(fresh.count({ impacts: ["HIGH"] }));
  });

  test("a truncated file, or another format, is refused and leaves no store", async () => {
    const text = readFileSync(json, "utf8");
    const truncated = join(root, "truncated.json");
    writeFileSync(truncated, text.slice(0, text.indexOf('],"summary"')));
    const other = join(root, "other.json");
    writeFileSync(other, text.replace("gas-annotations/1", "gas-annotations/9"));
    const garbled = join(root, "garbled.json");
    writeFileSync(garbled, text.replace('{"line"', '{"line'));
    for (const [path, message] of [
      [truncated, /truncated/],
      [other, /not a gas-annotations\/1 file/],
      [garbled, /line 2: not valid JSON/],
    ] as const) {
      const out = join(root, `${path.split("/").at(-1)}.sqlite`);
      await expect(importLegacyJson(path, out)).rejects.toThrow(message);
      await expect(importLegacyJson(path, out)).rejects.toBeInstanceOf(LegacyJsonError);
    }
    expect(listDir(root).filter((f) => f.startsWith(".") || f.endsWith("json.sqlite"))).toEqual([]);
  });
});
