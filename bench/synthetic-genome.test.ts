/**
 * Keeps bench:genome from rotting: the synthetic reference generator at a tiny size (2 contigs,
 * 50 genes) through `gas refdata prepare` and annotation, checking that the models it writes are
 * what the engine reads (every transcript, coding ones with complete CDS) and that consequences
 * come out meaningful (the VCF's REF matches, coding variants are called as such).
 */
import { describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { annotateFile } from "../src/modules/annotator/annotate-file.ts";
import { openReference } from "../src/modules/annotator/reference/bundle.ts";
import { prepareBundle } from "../src/modules/annotator/reference/prepared-index.ts";
import { ensureSyntheticGenome } from "./synthetic-genome.ts";

const hasBgzip = Bun.which("bgzip") !== null;
if (!hasBgzip) console.warn("skipping synthetic-genome test: bgzip not found (apt-get install tabix)");

describe.skipIf(!hasBgzip)("synthetic genome for bench:genome", () => {
  test("2 contigs, 50 genes: prepare, open, annotate", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "gas-synthetic-"));
    try {
      const opts = { seed: 7, contigs: 2, lengthScale: 0.002, genes: 50, variants: 2000, outDir };
      const g = await ensureSyntheticGenome(opts);
      expect(g.stats.contigs).toBe(2);
      expect(g.stats.genes).toBe(50);
      expect(g.stats.variants).toBe(2000);
      expect(g.stats.transcripts).toBeGreaterThan(g.stats.genes);
      // Same seed, same files: the second call finds them.
      expect((await ensureSyntheticGenome(opts)).stats).toEqual(g.stats);

      const prepared = await prepareBundle(g.bundleDir);
      expect(prepared.transcripts).toBe(g.stats.transcripts);
      const reference = await openReference({ bundleDir: g.bundleDir });
      try {
        expect(reference.warnings).toEqual([]);
        const all = reference.transcripts.all();
        expect(all.length).toBe(g.stats.transcripts);
        const coding = all.filter((t) => t.coding !== null);
        expect(coding.length).toBe(g.stats.codingTranscripts);
        // Start and stop codons are in the genome: no CDS is marked incomplete.
        expect(coding.filter((t) => t.coding!.startIncomplete || t.coding!.endIncomplete)).toEqual([]);
        expect(new Set(all.map((t) => t.strand))).toEqual(new Set([1, -1]));

        const out = join(outDir, "annotated.vcf");
        const summary = await annotateFile({ input: g.vcf, reference, outputs: { vcf: out }, threads: 1 });
        expect(summary.records).toBe(2000);
        const text = await readFile(out, "utf8");
        expect(text).not.toContain("REF does not match");
        for (const term of ["missense_variant", "synonymous_variant", "intron_variant", "frameshift_variant"]) expect(text).toContain(term);
        const contigs = new Set(
          text
            .split("\n")
            .filter((l) => l !== "" && !l.startsWith("#"))
            .map((l) => l.split("\t")[0]),
        );
        expect(contigs).toEqual(new Set(["1", "2"]));
      } finally {
        await reference.close();
      }
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
