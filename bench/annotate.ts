/**
 * `bun run bench:annotate [--runs N] [--sizes 100000,1000000] [--no-peers]`
 *
 * Annotation throughput and peak memory, side by side with the field's annotators on the same
 * files in the same run: a deterministic VCF over the real bases of the demo genome (REF matching
 * the genome, ~10 % indels of 1–10 bp), the whole-chr21 Ensembl GFF3 of the demo bundle.
 * Prints medians of N runs and the ratios the issue sets as targets.
 */
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateBenchVcf } from "./generate-vcf.ts";
import { medianOf } from "./run-measured.ts";
import { ensureSnpEffDatabase, SNPEFF_GENOME } from "./snpeff-database.ts";

const ROOT = join(import.meta.dir, "..");
const OUT = join(ROOT, "bench", "out");
const DEMO = join(ROOT, "data", "demo");
const FASTA = join(DEMO, "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
const GFF3 = join(DEMO, "genes", "ensembl84.chr21.gff3.gz");
const GTF = join(DEMO, "genes", "ensembl84.chr21_24-27Mb.gtf.gz");

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: "string", default: "3" },
    sizes: { type: "string", default: "100000,1000000" },
    "no-peers": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const sizes = values.sizes.split(",").map(Number);
const cores = availableParallelism();

interface Row {
  tool: string;
  variants: number;
  seconds: number;
  rssMb: number;
}
const rows: Row[] = [];

async function has(cmd: string): Promise<boolean> {
  return Bun.which(cmd) !== null;
}

await mkdir(OUT, { recursive: true });
const inputs = new Map<number, string>();
for (const n of sizes) {
  const path = join(OUT, `bench-${n}.vcf`);
  if (!(await Bun.file(path).exists())) {
    console.error(`generating ${path} …`);
    await Bun.write(path, await generateBenchVcf(FASTA, n));
  }
  inputs.set(n, path);
}

const bcftools = !values["no-peers"] && (await has("bcftools"));
const snpeff = !values["no-peers"] && (await has("snpEff"));
if (!bcftools) console.error("bcftools not found: install it with `apt-get install bcftools` to compare (Debian package bcftools).");
if (!snpeff) {
  console.error(
    "SnpEff not found: `apt-get install snpeff` to compare. The bench then builds its database itself from the demo\n" +
      `GTF and FASTA (snpEff build -gtf22 -c bench/out/snpeff/snpEff.config ${SNPEFF_GENOME}, see bench/snpeff-database.ts).`,
  );
}
const snpeffConfig = snpeff ? await ensureSnpEffDatabase(OUT, GTF, FASTA) : null;

for (const [n, input] of inputs) {
  for (const threads of [...new Set([1, cores])]) {
    const out = join(OUT, `gas-${n}-t${threads}.vcf`);
    const cmd = [
      "bun",
      join(ROOT, "src", "main.ts"),
      "annotate",
      input,
      "-o",
      out,
      "--known",
      "none",
      "--quiet",
      "--threads",
      String(threads),
    ];
    const m = await medianOf(runs, cmd);
    rows.push({ tool: `gas (${threads} thread${threads > 1 ? "s" : ""})`, variants: n, seconds: m.seconds, rssMb: m.peakRssMb });
    report(rows.at(-1)!);
  }
  if (bcftools) {
    const m = await medianOf(runs, ["bcftools", "csq", "-l", "-f", FASTA, "-g", GFF3, input, "-o", join(OUT, `bcftools-${n}.vcf`)]);
    rows.push({ tool: "bcftools csq -l", variants: n, seconds: m.seconds, rssMb: m.peakRssMb });
    report(rows.at(-1)!);
  }
  if (snpeffConfig) {
    const m = await medianOf(
      Math.min(runs, n > 200_000 ? 1 : runs),
      ["snpEff", "-c", snpeffConfig, "-noStats", "-noLog", SNPEFF_GENOME, input],
      {
        stdoutTo: join(OUT, `snpeff-${n}.vcf`),
      },
    );
    rows.push({ tool: "SnpEff", variants: n, seconds: m.seconds, rssMb: m.peakRssMb });
    report(rows.at(-1)!);
  }
}

function rate(r: Row): number {
  return r.variants / r.seconds;
}

function report(r: Row): void {
  console.log(
    `${r.tool.padEnd(20)} ${String(r.variants).padStart(8)} variants  ${r.seconds.toFixed(2).padStart(7)} s  ` +
      `${Math.round(rate(r)).toLocaleString("en-US").padStart(10)} variants/s  peak RSS ${r.rssMb.toFixed(1).padStart(7)} MB`,
  );
}

console.log(`\nMedians of ${runs} run(s) (SnpEff: 1 run above 200k variants) on ${cores} cores. Ratios (gas ÷ peer, variants/s):`);
for (const n of sizes) {
  const at = (tool: string) => rows.find((r) => r.variants === n && r.tool.startsWith(tool));
  const one = at("gas (1 thread)");
  const all = at(`gas (${cores} threads)`) ?? one;
  const bcf = at("bcftools");
  const snp = at("SnpEff");
  if (!one || !all) continue;
  const parts = [`${n} variants:`];
  if (bcf)
    parts.push(
      `vs bcftools csq -l ${(rate(one) / rate(bcf)).toFixed(2)}× (1 thread), ${(rate(all) / rate(bcf)).toFixed(2)}× (${cores} threads)`,
    );
  if (snp)
    parts.push(`vs SnpEff ${(rate(one) / rate(snp)).toFixed(1)}× (1 thread), ${(rate(all) / rate(snp)).toFixed(1)}× (${cores} threads)`);
  const [head, ...ratios] = parts;
  console.log(`  ${head} ${ratios.join("; ")}`);
}
const small = rows.find((r) => r.variants === sizes[0] && r.tool === "gas (1 thread)");
const large = rows.find((r) => r.variants === sizes.at(-1) && r.tool === "gas (1 thread)");
if (small && large && small !== large) {
  const drift = (large.rssMb / small.rssMb - 1) * 100;
  console.log(
    `  peak RSS ${small.variants} → ${large.variants} variants (1 thread): ${small.rssMb.toFixed(1)} → ${large.rssMb.toFixed(1)} MB (${drift >= 0 ? "+" : ""}${drift.toFixed(1)} %, target ±10 %)`,
  );
}
