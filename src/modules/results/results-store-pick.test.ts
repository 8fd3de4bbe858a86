/**
 * A job run with a transcript choice (--pick, --per-gene, --flag-pick): its results store marks the
 * chosen effect(s) of each record, the per-transcript view filters on them (`picked`), and they are
 * exactly the effects ANN holds (per-gene, pick) or CSQ flags (flag-pick) in the same run's VCF.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_VCF_DIR, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { annotateFile, DEFAULT_BUNDLE_DIR, openReference, type Reference } from "../annotator/index.ts";
import { ResultsQueryError, ResultsStore, type TranscriptRow } from "./results-store.ts";

let root: string;
let reference: Reference;
const input = join(DEMO_VCF_DIR, "test.vcf");

beforeAll(async () => {
  root = tempDir("gas-store-pick-");
  reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
});
afterAll(() => reference?.close?.());

/** Annotate the demo with `pick`; the store, and the VCF's data lines. */
async function run(pick: "per-gene" | "pick" | "flag-pick" | "none") {
  const outputs = { vcf: join(root, `${pick}.vcf`), store: join(root, `${pick}.sqlite`) };
  await annotateFile({ input, reference, outputs, fields: { ann: true, csq: true, ...(pick === "none" ? {} : { pick }) } });
  const lines = readFileSync(outputs.vcf, "utf8").split("\n");
  const records = lines.filter((l) => l && !l.startsWith("#"));
  const csqFormat = /^##INFO=<ID=CSQ,.*Format: ([^"]+)">$/m.exec(lines.join("\n"))?.[1]?.split("|") ?? [];
  return { store: ResultsStore.open(outputs.store), records, csqFormat };
}

function allTranscripts(store: ResultsStore, picked?: boolean): TranscriptRow[] {
  const rows: TranscriptRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = store.transcriptPage({ limit: 37, ...(picked === undefined ? {} : { filter: { picked } }), ...(after ? { after } : {}) });
    rows.push(...page.rows);
    if (!page.next) return rows;
    after = page.next;
  }
}

const info = (line: string, key: string) =>
  line
    .split("\t")[7]!
    .split(";")
    .find((f) => f.startsWith(`${key}=`))
    ?.slice(key.length + 1) ?? "";

describe("results store: the transcript choice's marks", () => {
  test("per-gene: the chosen effects are ANN's entries, one per gene of each record; the rest are marked not chosen", async () => {
    const { store, records } = await run("per-gene");
    expect(store.summary().pick).toBe("per-gene");
    const all = allTranscripts(store);
    const chosen = allTranscripts(store, true);
    const passed = allTranscripts(store, false);
    expect(all.every((r) => typeof r.picked === "boolean")).toBe(true);
    expect(chosen.length + passed.length).toBe(all.length);
    expect(chosen.length).toBeLessThan(all.length);
    // ANN holds the chosen effects only: as many entries per record as chosen rows on its line.
    const annEntries = records.map((l) => info(l, "ANN").split(",").filter(Boolean).length);
    const byLine = new Map<number, TranscriptRow[]>();
    for (const r of chosen) byLine.set(r.line, [...(byLine.get(r.line) ?? []), r]);
    const totalAnn = annEntries.reduce((a, b) => a + b, 0);
    expect(chosen.length).toBe(totalAnn);
    for (const rows of byLine.values()) {
      const genes = rows.map((r) => `${r.alt}|${r.gene}`);
      expect(new Set(genes).size).toBe(genes.length); // one per gene (per allele)
    }
    store.close();
  });

  test("pick: one chosen effect per record; flag-pick: the same marks, with CSQ's PICK on that entry", async () => {
    const pick = await run("pick");
    const flag = await run("flag-pick");
    const chosen = allTranscripts(pick.store, true);
    const lines = new Set(allTranscripts(pick.store).map((r) => r.line));
    expect(new Set(chosen.map((r) => r.line)).size).toBe(chosen.length);
    expect(chosen.length).toBe(lines.size);
    const flagged = allTranscripts(flag.store, true);
    expect(flagged.map((r) => [r.line, r.alt, r.feature])).toEqual(chosen.map((r) => [r.line, r.alt, r.feature]));
    // flag-pick keeps every effect in CSQ, PICK=1 on the chosen one: the feature the store marks.
    const pickAt = flag.csqFormat.indexOf("PICK");
    const featureAt = flag.csqFormat.indexOf("Feature");
    expect(pickAt).toBeGreaterThan(0);
    const csqPicks = flag.records.flatMap((l) =>
      info(l, "CSQ")
        .split(",")
        .map((e) => e.split("|"))
        .filter((f) => f[pickAt] === "1")
        .map((f) => [Number(l.split("\t")[1]), f[featureAt]]),
    );
    expect(csqPicks).toHaveLength(flagged.length);
    expect(new Set(csqPicks.map(([, f]) => f))).toEqual(new Set(flagged.map((r) => r.feature)));
    pick.store.close();
    flag.store.close();
  });

  test("the filter is refused where it cannot apply: the per-variant view, and a job run without a choice", async () => {
    const none = await run("none");
    expect(none.store.summary().pick).toBe("none");
    expect(allTranscripts(none.store).every((r) => r.picked === undefined)).toBe(true);
    expect(() => none.store.transcriptPage({ filter: { picked: true } })).toThrow(ResultsQueryError);
    const perGene = await run("per-gene");
    expect(() => perGene.store.page({ filter: { picked: true } })).toThrow(/transcripts view/);
    none.store.close();
    perGene.store.close();
  });
});
