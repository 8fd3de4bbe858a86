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
 *   by run with the peers below, all with `--threads 1 --known none`: the comparison is about the
 *   reference's size, so the thread count (which the load average decides by default) and the
 *   known-variant lookup are held fixed.
 *
 * The peers. The chr21 demo run (bench:annotate's N-variant file) is printed, but it is not like
 * for like: its 5M variants fall on the demo's 1.17 Mb of real sequence (~4 a base, ~3,500 per
 * transcript, a few FASTA blocks read once), where the genome's are one every 620 bp (~19 per
 * transcript: every FASTA block and every transcript's sequence is loaded for a few variants),
 * and each genome variant hits twice the transcripts (output ~1.6 kB a record against ~0.8 kB).
 * That gap is the input's density, not the reference's size. The like-for-like peer holds the
 * density and the work fixed and changes only the reference: the genome's first contig alone
 * (firstContigOptions: the same sequence, models and variants, byte for byte), its variants
 * annotated against that one-contig reference and against the whole genome. The throughput
 * target (within 20 %) is checked on that pair.
 * Figures are medians of N runs; the machine is shared, so the load average is printed.
 */
import { rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchVcf } from "./generate-vcf.ts";
import { type Measured, median, runMeasured } from "./run-measured.ts";
import { ensureSyntheticGenome, firstContigOptions } from "./synthetic-genome.ts";
import { BENCH_OUT as OUT, DEMO, DEMO_FASTA, ROOT } from "./demo-files.ts";

const GAS = ["bun", join(ROOT, "src", "main.ts")];

const TARGETS = { prepareSeconds: 60, loadSeconds: 1, slowerLikeForLike: 0.2, peakRssMb: 500 };

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

const genomeOptions = {
  seed: Number(values.seed),
  variants,
  genes: Number(values.genes),
  contigs: Number(values.contigs),
  lengthScale: Number(values.scale),
  outDir: OUT,
};
const genome = await ensureSyntheticGenome(genomeOptions, (line) => console.error(line));
const first = await ensureSyntheticGenome(firstContigOptions(genomeOptions), (line) => console.error(line));
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
const prepareRssMb = Math.max(...prepares.map((p) => p.peakRssMb));
if (!(await Bun.file(join(first.dir, "genes.gff3.gz.gas-index.json.gz")).exists()))
  await must([...GAS, "refdata", "prepare", first.bundleDir]);

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
const annotate = (vcf: string, ref: string, ...more: string[]) =>
  must([...GAS, "annotate", vcf, "-o", out, "--ref", ref, "--known", "none", "--threads", "1", "--quiet", ...more]);
/** Runs, then the output's bytes per record (the work per variant), the output removed. */
async function timed(label: string, records: number, vcf: string, ref: string): Promise<Measured & { bytesPerRecord: number }> {
  const m = await annotate(vcf, ref);
  const bytesPerRecord = Bun.file(out).size / records;
  await rm(out, { force: true });
  console.log(
    `  ${label}: ${m.seconds.toFixed(1)} s (CPU ${m.cpuSeconds.toFixed(1)} s), ${fmt(records / m.seconds)}/s, peak RSS ${m.peakRssMb.toFixed(0)} MB, ${fmt(bytesPerRecord)} B/record`,
  );
  return { ...m, bytesPerRecord };
}
const firstVariants = first.stats.variants;
const runsOf = { genome: [] as Measured[], firstOnGenome: [] as Measured[], firstAlone: [] as Measured[], chr21: [] as Measured[] };
let bytes = { genome: 0, chr21: 0 };
for (let i = 0; i < runs; i++) {
  const g = await timed("genome", variants, genome.vcf, genome.bundleDir);
  runsOf.genome.push(g);
  runsOf.firstOnGenome.push(await timed("chr1 on the genome", firstVariants, first.vcf, genome.bundleDir));
  runsOf.firstAlone.push(await timed("chr1 alone", firstVariants, first.vcf, first.bundleDir));
  if (chr21) {
    const c = await timed("chr21 demo", variants, demoVcf, DEMO);
    runsOf.chr21.push(c);
    bytes = { genome: g.bytesPerRecord, chr21: c.bytesPerRecord };
  }
}
const rateOf = (ms: Measured[], n: number) => n / median(ms.map((m) => m.seconds));
const rate = rateOf(runsOf.genome, variants);
const chr21Rate = chr21 ? rateOf(runsOf.chr21, variants) : Number.NaN;
const onGenomeRate = rateOf(runsOf.firstOnGenome, firstVariants);
const aloneRate = rateOf(runsOf.firstAlone, firstVariants);
const rssMb = Math.max(...runsOf.genome.map((m) => m.peakRssMb), ...firsts.map((m) => m.peakRssMb));
const pct = (a: number, b: number) => {
  const c = (a / b - 1) * 100;
  return `${c >= 0 ? "+" : ""}${c.toFixed(0)} %`;
};
const change = (onGenomeRate / aloneRate - 1) * 100;
// CPU seconds of the same pair: on a shared 2-core machine wall time swings with the others' load
// (this pair measured 26-33 s on the genome against 17-35 s alone at load 12-26), CPU time less.
const cpuOf = (ms: Measured[]) => median(ms.map((m) => m.cpuSeconds));
const cpuChange = (cpuOf(runsOf.firstAlone) / cpuOf(runsOf.firstOnGenome) - 1) * 100;
const k = (r: number) => `${Math.round(r / 1000)}k/s`;

console.log(`load average after: ${load()}`);
console.log(`\nMedians of ${runs} run(s) (prepare: ${prepares.length}); load average ${loadBefore} before, ${load()} after.`);
console.log(
  `genome: ${s.contigs} contigs ${(s.bases / 1e9).toFixed(1)} Gb, ${fmt(s.genes)} genes, ${fmt(s.transcripts)} transcripts, ` +
    `prepare ${prepareSeconds.toFixed(0)} s (peak RSS ${prepareRssMb.toFixed(0)} MB), index load ${loadSeconds.toFixed(1)} s, ` +
    `annotate ${variants} variants ${k(rate)} (like for like, chr1's ${fmt(firstVariants)} variants: ${k(onGenomeRate)} on the genome, ` +
    `${k(aloneRate)} on chr1 alone, ${pct(onGenomeRate, aloneRate)}, by CPU time ${cpuChange >= 0 ? "+" : ""}${cpuChange.toFixed(0)} %; chr21 demo ${chr21 ? `${k(chr21Rate)}, ${pct(rate, chr21Rate)}` : "n/a"}), ` +
    `peak RSS ${rssMb.toFixed(0)} MB`,
);
if (chr21) console.log(`work per record: genome ${fmt(bytes.genome)} B of output, chr21 demo ${fmt(bytes.chr21)} B`);
const ok = (b: boolean) => (b ? "met" : "MISSED");
console.log(
  `targets: prepare ≤ ${TARGETS.prepareSeconds} s (${ok(prepareSeconds <= TARGETS.prepareSeconds)}), ` +
    `index load ≤ ${TARGETS.loadSeconds} s (${ok(loadSeconds <= TARGETS.loadSeconds)}), ` +
    `throughput within ${TARGETS.slowerLikeForLike * 100} % like for like (${ok(change >= -TARGETS.slowerLikeForLike * 100)}), ` +
    `peak RSS ≤ ${TARGETS.peakRssMb} MB (${ok(rssMb <= TARGETS.peakRssMb)})`,
);
