import { beforeAll, describe, expect, test } from "bun:test";
import type { Transcript } from "../model.ts";
import { parseGeneModels } from "./gene-model-parser.ts";
import { GENES_GFF3_GZ, seededRandom } from "../../../../test/support/engine/reference-fixture.ts";
import { createTranscriptIndex, type GeneModelSource, modelsFromArray } from "./transcript-index.ts";

let transcripts: Transcript[];
beforeAll(async () => {
  transcripts = (await parseGeneModels(GENES_GFF3_GZ)).transcripts;
});

const brute = (ts: Transcript[], contig: string, start: number, end: number, flank: number) =>
  ts.filter((t) => t.contig === contig && t.start - flank <= end && t.end + flank >= start);

describe("createTranscriptIndex", () => {
  test("overlapping() equals a linear scan, for SNVs, long deletions and several flanks", () => {
    const index = createTranscriptIndex(transcripts);
    expect(index.size).toBe(2414);
    expect(index.all().length).toBe(2414);
    const r = seededRandom(11);
    let nonEmpty = 0;
    for (let i = 0; i < 3000; i++) {
      const start = Math.floor(r() * 47_000_000);
      const end = start + (r() < 0.8 ? 0 : Math.floor(r() * 300_000));
      const flank = [0, 5000, 200_000][i % 3]!;
      const got = index.overlapping("21", start, end, flank);
      const want = brute(transcripts, "21", start, end, flank);
      expect(got.map((t) => t.id).sort()).toEqual(want.map((t) => t.id).sort());
      for (let k = 1; k < got.length; k++) expect(got[k]!.start).toBeGreaterThanOrEqual(got[k - 1]!.start);
      if (got.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(1000);
    expect(index.overlapping("22", 1, 1e9, 0)).toEqual([]);
    // Bin edges: exactly at a transcript's ends, with and without flank.
    const t = transcripts.find((x) => x.id === "ENST00000307301")!;
    expect(index.overlapping("21", t.end, t.end, 0)).toContain(t);
    expect(index.overlapping("21", t.end + 1, t.end + 1, 0)).not.toContain(t);
    expect(index.overlapping("21", t.end + 5000, t.end + 5000, 5000)).toContain(t);
    expect(index.overlapping("21", t.start - 5001, t.start - 5001, 5000)).not.toContain(t);
  });

  test("overlapping() stays exact for walks of nearby positions (the repeated-answer memo)", () => {
    const index = createTranscriptIndex(transcripts);
    const r = seededRandom(23);
    let pos = 25_000_000;
    let reused = 0;
    let last: Transcript[] | null = null;
    for (let i = 0; i < 20_000; i++) {
      // Mostly small steps (sorted input), sometimes a jump back or an indel spanning a boundary.
      pos += r() < 0.02 ? -Math.floor(r() * 50_000) : Math.floor(r() * 300);
      const end = pos + (r() < 0.9 ? 0 : Math.floor(r() * 20_000));
      const flank = i % 50 === 0 ? 0 : 5000;
      const got = index.overlapping("21", pos, end, flank);
      expect(got.map((t) => t.id).sort()).toEqual(
        brute(transcripts, "21", pos, end, flank)
          .map((t) => t.id)
          .sort(),
      );
      for (let k = 1; k < got.length; k++) expect(got[k]!.start).toBeGreaterThanOrEqual(got[k - 1]!.start);
      if (got === last) reused++;
      last = got;
    }
    expect(reused).toBeGreaterThan(10_000);
  });

  test("nearestGenes() finds the closest transcript on each side", () => {
    const index = createTranscriptIndex(transcripts);
    const r = seededRandom(5);
    for (let i = 0; i < 500; i++) {
      const pos = Math.floor(r() * 47_000_000);
      const { upstream, downstream } = index.nearestGenes("21", pos);
      const before = transcripts.filter((t) => t.end < pos).reduce((m, t) => Math.max(m, t.end), -1);
      const after = transcripts.filter((t) => t.start > pos).reduce((m, t) => Math.min(m, t.start), Infinity);
      expect(upstream?.end ?? -1).toBe(before);
      expect(downstream?.start ?? Infinity).toBe(after);
    }
    expect(index.nearestGenes("X", 5)).toEqual({});
  });

  test("a lazy source: contigs decoded when reached, the left ones dropped past the budget, answers unchanged", () => {
    // Two contigs: chr21's models, and the same models moved onto "22" (ids suffixed).
    const on22 = transcripts.map((t) => ({ ...t, contig: "22", id: `${t.id}-22` }));
    const eager = modelsFromArray([...transcripts, ...on22]);
    const loads: string[] = [];
    const lazy: GeneModelSource = {
      ...eager,
      contigs: eager.contigs,
      tags: eager.tags,
      lazy: true,
      load(contig) {
        loads.push(contig);
        return eager.load(contig).map((t) => ({ ...t }));
      },
    };
    // Budget 1: only the contig being annotated stays decoded.
    const index = createTranscriptIndex(lazy, 1);
    expect(loads).toEqual([]);
    const ids = (contig: string, pos: number) =>
      index
        .overlapping(contig, pos, pos, 5000)
        .map((t) => t.id)
        .sort();
    const want = (contig: string, pos: number) =>
      brute(contig === "21" ? transcripts : on22, contig, pos, pos, 5000)
        .map((t) => t.id)
        .sort();
    for (const [contig, pos] of [
      ["21", 25_000_000],
      ["21", 26_000_000],
      ["22", 25_000_000],
      ["21", 25_500_000],
      ["MT", 5],
    ] as const) {
      expect(ids(contig, pos)).toEqual(want(contig, pos));
    }
    expect(want("22", 25_000_000).length).toBeGreaterThan(0);
    // 21 decoded again after 22 dropped it; MT has no models and decodes nothing.
    expect(loads).toEqual(["21", "22", "21"]);
    expect(index.nearestGenes("22", 1).downstream?.contig).toBe("22");
    expect(index.size).toBe(2 * transcripts.length);
    expect(index.someTagged(["basic"])).toBe(true);
    expect(index.someTagged(["MANE_Select"])).toBe(false);
    // With room for both, going back and forth decodes each once.
    loads.length = 0;
    const roomy = createTranscriptIndex(lazy);
    for (const contig of ["21", "22", "21", "22"]) roomy.overlapping(contig, 25_000_000, 25_000_000, 0);
    expect(loads).toEqual(["21", "22"]);
  });

  test("microbenchmark: ns per overlapping() lookup", () => {
    const index = createTranscriptIndex(transcripts);
    // Positions in the gene-dense 25-26 Mb block, as the demo VCFs have.
    const n = 1_000_000;
    const positions = new Int32Array(n);
    const r = seededRandom(1);
    for (let i = 0; i < n; i++) positions[i] = 25_000_000 + Math.floor(r() * 1_000_000);
    let hits = 0;
    for (let i = 0; i < 100_000; i++) hits += index.overlapping("21", positions[i]!, positions[i]!, 5000).length; // warm-up
    const t0 = performance.now();
    for (let i = 0; i < n; i++) hits += index.overlapping("21", positions[i]!, positions[i]!, 5000).length;
    const ns = ((performance.now() - t0) * 1e6) / n;
    console.log(`overlapping(): ${ns.toFixed(0)} ns per lookup (flank 5000, ${(hits / (n + 100_000)).toFixed(1)} hits on average)`);
    expect(ns).toBeLessThan(5000);
  });
});
