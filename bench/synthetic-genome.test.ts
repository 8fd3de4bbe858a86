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
import { gunzipSync } from "node:zlib";
import { annotateFile } from "../src/modules/annotator/annotate-file.ts";
import { openReference } from "../src/modules/annotator/reference/bundle.ts";
import { parseGeneModels } from "../src/modules/annotator/reference/gene-model-parser.ts";
import { prepareBundle } from "../src/modules/annotator/reference/prepared-index.ts";
import { ensureSyntheticGenome, firstContigOptions } from "./synthetic-genome.ts";

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

      // GENCODE's order, a gene's rows then `###`: parsed a gene at a time, as holding every row.
      const streamed = await parseGeneModels(g.gff3);
      expect(streamed.streamed).toBe(true);
      const whole = await parseGeneModels(g.gff3, { streaming: false });
      expect(streamed.transcripts).toEqual(whole.transcripts);
      expect(streamed.warnings).toEqual(whole.warnings);

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

  test("firstContigOptions: the first contig alone, its sequence, models and variants unchanged", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "gas-synthetic-"));
    try {
      const opts = { seed: 11, contigs: 3, lengthScale: 0.002, genes: 120, variants: 3000, outDir };
      const whole = await ensureSyntheticGenome(opts);
      const peer = await ensureSyntheticGenome(firstContigOptions(opts));
      expect(peer.stats.contigs).toBe(1);
      const lines = async (path: string) => (await readFile(path, "utf8")).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
      const onFirst = (l: string) => l.startsWith("1\t");
      const records = (await lines(whole.vcf)).filter(onFirst);
      expect(await lines(peer.vcf)).toEqual(records);
      expect(peer.stats.variants).toBe(records.length);
      // node:zlib reads every BGZF block (Bun.gunzipSync stops after the first member).
      const gunzip = async (path: string) => new Uint8Array(gunzipSync(await readFile(path)));
      const models = (text: string) => text.split("\n").filter((l) => onFirst(l) || l === "###");
      const peerModels = models(new TextDecoder().decode(await gunzip(peer.gff3)));
      expect(models(new TextDecoder().decode(await gunzip(whole.gff3))).slice(0, peerModels.length)).toEqual(peerModels);
      // The FASTA's first contig: the peer's whole file is a prefix of the genome's.
      const peerFasta = await gunzip(peer.fasta);
      expect((await gunzip(whole.fasta)).subarray(0, peerFasta.length)).toEqual(peerFasta);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
