/**
 * `bun run bench:annotate [--runs N] [--sizes 1000000,5000000] [--no-peers] [--only threads]`
 *
 * Annotation throughput and peak memory in the configurations users run, side by side with
 * bcftools on the same files in the same run: a deterministic VCF over the real bases of the demo
 * genome (REF matching the genome, ~10 % indels of 1–10 bp), the whole-chr21 Ensembl GFF3 and the
 * known variants of the demo bundle.
 *
 * Configurations, default options first (threads = the cores, as users get them):
 * - consequences only, `--fasta --genes`: against `bcftools csq -l`; again with `--threads 1`;
 * - with known variants, `--ref data/demo`: against `bcftools annotate -a known -c
 *   ID,INFO/MAF,INFO/CLIN_SIG | bcftools csq -l`; and `--ref data/demo --known none`, which gives
 *   what the known-variant lookup adds.
 * After the timed runs of each size, one more run of `--threads 1` and of the two `--ref` ones with
 * `--timings` prints where the time goes, stage by stage (read, reference, annotate, format, write,
 * gc); those runs are not counted in the medians.
 * Each run takes every command once, in turn (gas and bcftools alternate), and the figures are
 * medians of N runs; the machine is shared, so the load average is printed before and after, CPU
 * seconds (user + system) are printed beside wall seconds, and every ratio compares figures of the
 * same run.
 */
import { mkdir, rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchVcf } from "./generate-vcf.ts";
import { type Measured, median, runMeasured } from "./run-measured.ts";
import { ensureSnpEffDatabase, SNPEFF_GENOME } from "./snpeff-database.ts";
import {
  BENCH_OUT as OUT,
  DEMO,
  DEMO_FASTA as FASTA,
  DEMO_GFF3 as GFF3,
  DEMO_GTF as GTF,
  DEMO_KNOWN as KNOWN,
  ROOT,
} from "./demo-files.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: "string", default: "3" },
    sizes: { type: "string", default: "1000000,5000000" },
    "no-peers": { type: "boolean", default: false },
    /** Runs only the configurations whose name contains this (e.g. "--threads": 1 against 2). */
    only: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("bun run bench:annotate [--runs N] [--sizes 1000000,5000000] [--no-peers] [--only NAME]");
  process.exit(0);
}
const runs = Number(values.runs);
const sizes = values.sizes.split(",").map(Number);
const cores = availableParallelism();
const GAS = ["bun", join(ROOT, "src", "main.ts"), "annotate"];

interface Config {
  name: string;
  /** The command for an input and an output path. */
  cmd: (input: string, out: string) => string[];
  /** Runs only at or below this many variants (SnpEff takes minutes per million). */
  maxVariants?: number;
}

const bcftools = !values["no-peers"] && Bun.which("bcftools") !== null;
const snpeff = !values["no-peers"] && Bun.which("snpEff") !== null;
if (!bcftools) console.error("bcftools not found: install it with `apt-get install bcftools` to compare (Debian package bcftools).");
if (!snpeff) {
  console.error(
    "SnpEff not found: `apt-get install snpeff` to compare. The bench then builds its database itself from the demo\n" +
      `GTF and FASTA (snpEff build -gtf22 -c bench/out/snpeff/snpEff.config ${SNPEFF_GENOME}, see bench/snpeff-database.ts).`,
  );
}
await mkdir(OUT, { recursive: true });
const snpeffConfig = snpeff ? await ensureSnpEffDatabase(OUT, GTF, FASTA) : null;

const BCF_CSQ = `bcftools csq -l -f ${FASTA} -g ${GFF3}`;
const configs: Config[] = [
  { name: "gas --fasta --genes", cmd: (i, o) => [...GAS, i, "-o", o, "--fasta", FASTA, "--genes", GFF3, "--quiet"] },
  ...(bcftools ? [{ name: "bcftools csq -l", cmd: (i: string, o: string) => ["sh", "-c", `${BCF_CSQ} ${i} -o ${o}`] }] : []),
  { name: "gas --threads 1", cmd: (i, o) => [...GAS, i, "-o", o, "--fasta", FASTA, "--genes", GFF3, "--quiet", "--threads", "1"] },
  { name: "gas --threads 2", cmd: (i, o) => [...GAS, i, "-o", o, "--fasta", FASTA, "--genes", GFF3, "--quiet", "--threads", "2"] },
  { name: "gas --ref (known)", cmd: (i, o) => [...GAS, i, "-o", o, "--ref", DEMO, "--quiet"] },
  ...(bcftools
    ? [
        {
          name: "bcftools annotate|csq",
          cmd: (i: string, o: string) => [
            "sh",
            "-c",
            // bcftools annotate -a reads its input through the index: the bgzipped copy made below.
            `bcftools annotate -a ${KNOWN} -c ID,INFO/MAF,INFO/CLIN_SIG -Ou ${i}.gz | ${BCF_CSQ} -o ${o} -`,
          ],
        },
      ]
    : []),
  { name: "gas --ref --known none", cmd: (i, o) => [...GAS, i, "-o", o, "--ref", DEMO, "--known", "none", "--quiet"] },
  ...(snpeffConfig
    ? [
        {
          name: "SnpEff",
          cmd: (i: string, o: string) => ["sh", "-c", `snpEff -c ${snpeffConfig} -noStats -noLog ${SNPEFF_GENOME} ${i} > ${o}`],
          maxVariants: 1_000_000,
        },
      ]
    : []),
];

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(`load average before: ${load()} (${cores} cores)`);

interface Row {
  config: string;
  variants: number;
  seconds: number;
  cpuSeconds: number;
  rssMb: number;
}
const rows: Row[] = [];
/** Configurations whose stage breakdown is printed; their lines, in run order. */
const STAGE_CONFIGS = ["gas --threads 1", "gas --ref (known)", "gas --ref --known none"];
const stageLines: string[] = [];

for (const n of sizes) {
  const input = join(OUT, `bench-${n}.vcf`);
  if (!(await Bun.file(input).exists())) {
    console.error(`generating ${input} …`);
    await writeBenchVcf(input, FASTA, n);
  }
  if (bcftools && !(await Bun.file(`${input}.gz.tbi`).exists())) {
    const made = Bun.spawnSync(["sh", "-c", `bgzip -@2 -c ${input} > ${input}.gz && tabix -f -p vcf ${input}.gz`]);
    if (made.exitCode !== 0) throw new Error(`bgzip/tabix of ${input} failed: ${made.stderr.toString()}`);
  }
  const measured = new Map<string, Measured[]>();
  const active = configs.filter(
    (c) => n <= (c.maxVariants ?? Number.POSITIVE_INFINITY) && (values.only === undefined || c.name.includes(values.only)),
  );
  for (let run = 0; run < runs; run++) {
    for (const c of active) {
      // Per process: two benches at once on a shared machine must not write each other's output.
      const out = join(OUT, `out-${n}-${process.pid}.vcf`);
      const m = await runMeasured(c.cmd(input, out));
      await rm(out, { force: true }); // GAS writes ~850 MB per million variants
      if (m.exitCode !== 0) throw new Error(`${c.cmd(input, out).join(" ")} failed (${m.exitCode}):\n${m.stderr.slice(-2000)}`);
      measured.set(c.name, [...(measured.get(c.name) ?? []), m]);
    }
  }
  // The stage breakdown (`gas annotate --timings`), one extra run per configuration on one thread
  // (with several, the stages run at once in the workers), not counted in the medians above.
  for (const c of active.filter((c) => STAGE_CONFIGS.includes(c.name))) {
    const out = join(OUT, `out-${n}-${process.pid}.vcf`);
    const cmd = c.cmd(input, out);
    const m = await runMeasured([...cmd, "--timings", ...(cmd.includes("--threads") ? [] : ["--threads", "1"])]);
    await rm(out, { force: true });
    const line = m.stderr.split("\n").find((l) => l.startsWith("stages (s):"));
    if (m.exitCode !== 0 || !line) throw new Error(`${cmd.join(" ")} --timings failed (${m.exitCode}):\n${m.stderr.slice(-2000)}`);
    stageLines.push(
      `  ${String(n).padStart(8)} variants, ${c.name.replace(" --threads 1", "")}, one thread: ${line.slice("stages (s): ".length)}`,
    );
  }
  for (const c of active) {
    const ms = measured.get(c.name)!;
    const row = {
      config: c.name,
      variants: n,
      seconds: median(ms.map((m) => m.seconds)),
      cpuSeconds: median(ms.map((m) => m.cpuSeconds)),
      rssMb: median(ms.map((m) => m.peakRssMb)),
    };
    rows.push(row);
    report(row);
  }
}
console.log(`load average after: ${load()}`);

function rate(r: Row): number {
  return r.variants / r.seconds;
}

function report(r: Row): void {
  console.log(
    `${r.config.padEnd(24)} ${String(r.variants).padStart(8)} variants  ${r.seconds.toFixed(2).padStart(7)} s wall ` +
      `${r.cpuSeconds.toFixed(2).padStart(7)} s CPU  ${Math.round(rate(r)).toLocaleString("en-US").padStart(10)} variants/s  ` +
      `peak RSS ${r.rssMb.toFixed(1).padStart(7)} MB`,
  );
}

console.log(`\nMedians of ${runs} run(s), each run alternating every command. Ratios (gas ÷ peer, variants/s; CPU in brackets):`);
for (const n of sizes) {
  const at = (name: string) => rows.find((r) => r.variants === n && r.config === name);
  const ratio = (a: Row | undefined, b: Row | undefined) =>
    a && b ? `${(rate(a) / rate(b)).toFixed(2)}× (CPU ${(b.cpuSeconds / a.cpuSeconds).toFixed(2)}×)` : "n/a";
  const dflt = at("gas --fasta --genes");
  const one = at("gas --threads 1");
  const known = at("gas --ref (known)");
  const none = at("gas --ref --known none");
  console.log(`  ${n} variants:`);
  console.log(`    consequences only, default options vs bcftools csq -l: ${ratio(dflt, at("bcftools csq -l"))}`);
  console.log(`    consequences only, --threads 1 vs bcftools csq -l: ${ratio(one, at("bcftools csq -l"))}`);
  console.log(`    with known variants vs bcftools annotate | csq -l: ${ratio(known, at("bcftools annotate|csq"))}`);
  if (known && none) {
    console.log(
      `    known-variant lookup adds ${((known.seconds / none.seconds - 1) * 100).toFixed(0)} % wall, ` +
        `${((known.cpuSeconds / none.cpuSeconds - 1) * 100).toFixed(0)} % CPU (target ≤ 20 %)`,
    );
  }
  if (dflt && one) console.log(`    default threads vs --threads 1: ${(one.seconds / dflt.seconds).toFixed(2)}× wall`);
  const two = at("gas --threads 2");
  if (two && one) {
    console.log(
      `    --threads 2 vs --threads 1 (${cores} cores): ${(one.seconds / two.seconds).toFixed(2)}× wall, ` +
        `${(two.cpuSeconds / one.cpuSeconds).toFixed(2)}× the CPU (target at 5M: ≥ 1.6× wall)`,
    );
  }
  const snp = at("SnpEff");
  if (snp && one) console.log(`    --threads 1 vs SnpEff: ${(rate(one) / rate(snp)).toFixed(1)}×`);
}
if (stageLines.length > 0) {
  console.log("\nWhere the time goes (`gas annotate --timings`, seconds of wall time by stage, src/modules/annotator/stage-clock.ts):");
  for (const l of stageLines) console.log(l);
}
const first = rows.find((r) => r.variants === sizes[0] && r.config === "gas --fasta --genes");
const last = rows.find((r) => r.variants === sizes.at(-1) && r.config === "gas --fasta --genes");
if (first && last && first !== last) {
  console.log(
    `  peak RSS, default options, ${first.variants} → ${last.variants} variants: ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB (target ≤ 150 MB, flat)`,
  );
}
