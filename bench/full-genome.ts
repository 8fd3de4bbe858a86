/**
 * `bun run bench:genome [--variants 5000000] [--runs 3] [--seed N] [--genes 60000] [--contigs 25]
 *  [--scale 1] [--no-chr21]`
 *
 * A reference at full-genome scale (issue 16, item 6). Only a chr21 region ships, but users bring
 * whole genomes: this generates a GENCODE-sized synthetic reference (bench/synthetic-genome.ts:
 * 25 contigs over 3.1 Gb, ~60k genes, ~250k transcripts, a matching BGZF genome with .fai/.gzi,
 * cached under bench/out/ by seed) and measures, each in a fresh process:
 * - `gas refdata prepare` of it (wall time, peak RSS);
 * - the prepared index's load: openReference inside a process (bench/reference-load.ts), and the
 *   time to first annotation, `gas annotate` of a one-variant VCF, whole process;
 * - `gas annotate` of N variants spread over every contig (throughput, peak RSS), alternating run
 *   by run with the demo bundle (chr21) on the bench:annotate file of the same size, both with
 *   `--threads 1 --known none`: the comparison is about the reference's size, so the thread count
 *   (which the load average decides by default) and the known-variant lookup are held fixed.
 * Figures are medians of N runs; the machine is shared, so the load average is printed.
 */
import { rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchVcf } from "./generate-vcf.ts";
import { type Measured, median, runMeasured } from "./run-measured.ts";
import { ensureSyntheticGenome } from "./synthetic-genome.ts";

const ROOT = join(import.meta.dir, "..");
const OUT = join(ROOT, "bench", "out");
const DEMO = join(ROOT, "data", "demo");
const DEMO_FASTA = join(DEMO, "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
const GAS = ["bun", join(ROOT, "src", "main.ts")];

const TARGETS = { prepareSeconds: 60, loadSeconds: 1, slowerThanChr21: 0.2, peakRssMb: 500 };

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    variants: { type: "string", default: "5000000" },
    runs: { type: "string", default: "3" },
    seed: { type: "string", default: "20261202" },
    genes: { type: "string", default: "60000" },
    contigs: { type: "string", default: "25" },
    scale: { type: "string", default: "1" },
    "no-chr21": { type: "boolean", default: false },
  },
});
const variants = Number(values.variants);
const runs = Number(values.runs);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const loadBefore = load();
console.log(`load average before: ${loadBefore} (${availableParallelism()} cores)`);

const genome = await ensureSyntheticGenome(
  {
    seed: Number(values.seed),
    variants,
    genes: Number(values.genes),
    contigs: Number(values.contigs),
    lengthScale: Number(values.scale),
    outDir: OUT,
  },
  (line) => console.error(line),
);
const s = genome.stats;
console.log(
  `reference: ${s.contigs} contigs ${(s.bases / 1e9).toFixed(2)} Gb, ${fmt(s.genes)} genes, ${fmt(s.transcripts)} transcripts ` +
    `(${fmt(s.codingTranscripts)} coding), ${fmt(s.exons)} exons (median ${s.medianExons} a transcript, max ${s.maxExons}) → ${genome.dir}`,
);

async function must(cmd: string[]): Promise<Measured> {
  const m = await runMeasured(cmd);
  if (m.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${m.exitCode}):\n${m.stderr.slice(-2000)}`);
  return m;
}

// Prepare: from scratch each run (the index file removed first).
const index = join(genome.dir, "genes.gff3.gz.gas-index.json.gz");
const prepares: Measured[] = [];
for (let i = 0; i < Math.min(runs, 2); i++) {
  await rm(index, { force: true });
  const p = await must([...GAS, "refdata", "prepare", genome.bundleDir]);
  prepares.push(p);
  console.log(`prepare: ${p.seconds.toFixed(1)} s wall, ${p.cpuSeconds.toFixed(1)} s CPU, peak RSS ${p.peakRssMb.toFixed(0)} MB`);
}
const prepareSeconds = median(prepares.map((p) => p.seconds));

// Index load: inside a process, then the whole of a one-variant annotation.
const loads: { openSeconds: number; firstLookupSeconds: number; rssMb: number }[] = [];
const firsts: Measured[] = [];
for (let i = 0; i < runs; i++) {
  const probe = await must([
    "sh",
    "-c",
    `bun ${join(ROOT, "bench", "reference-load.ts")} ${genome.bundleDir} > ${OUT}/reference-load.json`,
  ]);
  loads.push(JSON.parse(await Bun.file(`${OUT}/reference-load.json`).text()));
  void probe;
  firsts.push(
    await must([
      ...GAS,
      "annotate",
      genome.vcfOne,
      "-o",
      join(OUT, "genome-one.vcf"),
      "--ref",
      genome.bundleDir,
      "--threads",
      "1",
      "--quiet",
    ]),
  );
}
const loadSeconds = median(loads.map((l) => l.openSeconds + l.firstLookupSeconds));
const firstSeconds = median(firsts.map((f) => f.seconds));
console.log(
  `index load: ${median(loads.map((l) => l.openSeconds)).toFixed(2)} s openReference + ${median(loads.map((l) => l.firstLookupSeconds)).toFixed(2)} s first lookup, ` +
    `RSS after ${median(loads.map((l) => l.rssMb)).toFixed(0)} MB; first annotation (1 variant, whole process) ${firstSeconds.toFixed(2)} s`,
);

// Annotation: the synthetic genome and chr21, alternating.
const demoVcf = join(OUT, `bench-${variants}.vcf`);
const chr21 = !values["no-chr21"];
if (chr21 && !(await Bun.file(demoVcf).exists())) {
  console.error(`generating ${demoVcf} …`);
  await writeBenchVcf(demoVcf, DEMO_FASTA, variants);
}
const out = join(OUT, "genome-annotated.vcf");
const genomeRuns: Measured[] = [];
const chr21Runs: Measured[] = [];
for (let i = 0; i < runs; i++) {
  const g = await must([...GAS, "annotate", genome.vcf, "-o", out, "--ref", genome.bundleDir, "--threads", "1", "--quiet"]);
  genomeRuns.push(g);
  console.log(`  genome: ${g.seconds.toFixed(1)} s, ${fmt(variants / g.seconds)}/s, peak RSS ${g.peakRssMb.toFixed(0)} MB`);
  await rm(out, { force: true });
  if (chr21) {
    const c = await must([...GAS, "annotate", demoVcf, "-o", out, "--ref", DEMO, "--known", "none", "--threads", "1", "--quiet"]);
    chr21Runs.push(c);
    console.log(`  chr21:  ${c.seconds.toFixed(1)} s, ${fmt(variants / c.seconds)}/s, peak RSS ${c.peakRssMb.toFixed(0)} MB`);
    await rm(out, { force: true });
  }
}
const rate = variants / median(genomeRuns.map((m) => m.seconds));
const chr21Rate = chr21 ? variants / median(chr21Runs.map((m) => m.seconds)) : Number.NaN;
const rssMb = Math.max(...genomeRuns.map((m) => m.peakRssMb), ...firsts.map((m) => m.peakRssMb));
const change = (rate / chr21Rate - 1) * 100;
const k = (r: number) => `${Math.round(r / 1000)}k/s`;

console.log(`load average after: ${load()}`);
console.log(`\nMedians of ${runs} run(s) (prepare: ${prepares.length}); load average ${loadBefore} before, ${load()} after.`);
console.log(
  `genome: ${s.contigs} contigs ${(s.bases / 1e9).toFixed(1)} Gb, ${fmt(s.genes)} genes, ${fmt(s.transcripts)} transcripts, ` +
    `prepare ${prepareSeconds.toFixed(0)} s, index load ${loadSeconds.toFixed(1)} s, annotate ${variants} variants ${k(rate)} ` +
    `(chr21 ${chr21 ? k(chr21Rate) : "n/a"}, ${chr21 ? `${change >= 0 ? "+" : ""}${change.toFixed(0)} %` : "n/a"}), peak RSS ${rssMb.toFixed(0)} MB`,
);
const ok = (b: boolean) => (b ? "met" : "MISSED");
console.log(
  `targets: prepare ≤ ${TARGETS.prepareSeconds} s (${ok(prepareSeconds <= TARGETS.prepareSeconds)}), ` +
    `index load ≤ ${TARGETS.loadSeconds} s (${ok(loadSeconds <= TARGETS.loadSeconds)}), ` +
    `throughput within ${TARGETS.slowerThanChr21 * 100} % of chr21 (${chr21 ? ok(change >= -TARGETS.slowerThanChr21 * 100) : "n/a"}), ` +
    `peak RSS ≤ ${TARGETS.peakRssMb} MB (${ok(rssMb <= TARGETS.peakRssMb)})`,
);
