/**
 * `bun bench/results-store.ts [--variants 1000000] [--runs 5]`
 *
 * The engine measurement behind the results store (src/modules/annotator/output/results-store-writer.ts):
 * annotates a generated VCF with `gas annotate` twice, the VCF alone and the VCF plus `--store`, one
 thread each (the store's inserts run on a thread of their own beside it), and prints wall time,
 * CPU time (user + system, every thread) and peak RSS of each (GNU time), the store's size, then
 * the median latency of the queries the results browser makes (ResultsStore,
 * src/modules/results/results-store.ts): totals, filtered counts, a last page on every sort key,
 * keyset paging, the transcripts view, expanding a variant. Run it with the machine otherwise
 * idle; it prints the load average beside the figures.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type PageRequest, ResultsStore, SORT_KEYS, type VariantFilter } from "../src/modules/results/results-store.ts";
import { generateBenchVcf } from "./generate-vcf.ts";
import { BENCH_OUT as OUT, DEMO_FASTA as FASTA, ROOT } from "./demo-files.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { variants: { type: "string", default: "1000000" }, runs: { type: "string", default: "5" } },
});
const n = Number(values.variants);
const runs = Number(values.runs);
await mkdir(OUT, { recursive: true });
const input = join(OUT, `bench-${n}.vcf`);
if (!(await Bun.file(input).exists())) await Bun.write(input, await generateBenchVcf(FASTA, n));
const store = join(OUT, `bench-${n}.results.sqlite`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function annotate(extra: string[]): Promise<{ seconds: number; cpu: number; rssMb: number }> {
  const time = Bun.which("time") ?? "/usr/bin/time";
  const p = Bun.spawn(
    [
      time,
      "-f",
      "%e %M %U %S",
      process.execPath,
      join(ROOT, "src", "main.ts"),
      "annotate",
      input,
      "-o",
      join(OUT, "bench-store.annot.vcf"),
      "--threads",
      "1",
      "--quiet",
      ...extra,
    ],
    {
      stderr: "pipe",
    },
  );
  const err = await new Response(p.stderr).text();
  if ((await p.exited) !== 0) throw new Error(err);
  const [seconds, kb, user, sys] = err.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { seconds: seconds!, cpu: user! + sys!, rssMb: Math.round(kb! / 1024) };
}

console.log(`results store bench: ${n} variants, load average ${load()}`);
const plain = await annotate([]);
await rm(store, { force: true });
const withStore = await annotate(["--store", store]);
const size = (await stat(store)).size;
const inputSize = (await stat(input)).size;
const line = (r: typeof plain) => `${r.seconds.toFixed(1)} s (CPU ${r.cpu.toFixed(1)} s), peak RSS ${r.rssMb} MB`;
console.log(`annotate, VCF only:        ${line(plain)}`);
console.log(`annotate, VCF + store:     ${line(withStore)}`);
console.log(`store / VCF only: wall ${(withStore.seconds / plain.seconds).toFixed(2)} x, CPU ${(withStore.cpu / plain.cpu).toFixed(2)} x`);
console.log(`store: ${(size / 1e6).toFixed(1)} MB (${(size / inputSize).toFixed(1)} x the ${(inputSize / 1e6).toFixed(1)} MB input)`);

const db = ResultsStore.open(store);
const s = db.summary();
console.log(`rows: ${s.variants} variants, ${s.transcriptRows} variant x transcript rows; load average ${load()}`);

function median(fn: () => unknown): number {
  fn(); // compiles the statement, warms the page cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const filters: [string, VariantFilter][] = [
  ["impact HIGH|MODERATE", { impacts: ["HIGH", "MODERATE"] }],
  ["consequence missense|stop_gained", { consequences: ["missense_variant", "stop_gained"] }],
  ["gene prefix 'app'", { genePrefix: "app" }],
  ["region 21:25,000,000-26,000,000", { region: "21:25,000,000-26,000,000" }],
  ["impact MODIFIER (broad)", { impacts: ["MODIFIER"] }],
  ["known, AF <= 0.01", { known: true, afMax: 0.01 }],
  ["population EUR_AF 0.01-0.5 (a scan)", { afField: "EUR_AF", afMin: 0.01, afMax: 0.5 }],
  ["ClinVar pathogenic|likely_pathogenic", { clinSig: ["pathogenic", "likely_pathogenic"] }],
  ["FILTER not PASS", { pass: false }],
  ["biotype lncRNA|processed_pseudogene", { biotypes: ["lncRNA", "processed_pseudogene"] }],
  ["text 'p.Ala7' (a scan)", { text: "p.Ala7" }],
];
const report = (label: string, ms: number, extra = "") => console.log(`${label.padEnd(58)} ${ms.toFixed(2).padStart(8)} ms${extra}`);
for (const [label, filter] of filters) {
  let count = 0;
  report(
    `count, ${label}`,
    median(() => (count = db.count(filter))),
    `  (${count})`,
  );
}
const pages: [string, PageRequest][] = [
  ["first page by position", {}],
  ["first page by gene, impact MODIFIER", { sort: "gene", filter: { impacts: ["MODIFIER"] } }],
  ["first page by AF desc", { sort: "af", descending: true }],
  ["last page by position", { last: true }],
  ["last page by gene desc", { sort: "gene", descending: true, last: true }],
  ["last page by consequence, impact HIGH|MODERATE", { sort: "consequence", filter: { impacts: ["HIGH", "MODERATE"] }, last: true }],
  ["last page by position, gene prefix 'app'", { filter: { genePrefix: "app" }, last: true }],
];
for (const sort of SORT_KEYS) pages.push([`last page by ${sort}`, { sort, last: true }]);
for (const [label, req] of pages)
  report(
    `page of 50, ${label}`,
    median(() => db.page({ ...req, limit: 50 })),
  );
// Keyset paging deep into the result: the page after a cursor near the end.
const nearEnd = db.page({ sort: "gene", limit: 50, last: true }).prev!;
report(
  "page of 50 by gene after a cursor near the end",
  median(() => db.page({ sort: "gene", limit: 50, after: nearEnd })),
);
report(
  "transcripts view, last page of 50",
  median(() => db.transcriptPage({ limit: 50, last: true })),
);
report(
  "transcripts view, impact HIGH, first page of 50",
  median(() => db.transcriptPage({ limit: 50, filter: { impacts: ["HIGH"] } })),
);
{
  const t = performance.now();
  let rows = 0;
  for (const _ of db.iterate({ filter: { impacts: ["HIGH", "MODERATE"] } })) rows++;
  report(`iterate impact HIGH|MODERATE (${rows} variants, once)`, performance.now() - t);
}
report(
  "expand a variant to its transcripts",
  median(() => db.transcripts(Math.floor(s.variants / 2))),
);
db.close();
