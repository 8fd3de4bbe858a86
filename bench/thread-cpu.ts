/**
 * `bun bench/thread-cpu.ts [--runs 3] [--sizes 1000000,5000000] [--threads 1,2] [--out DIR] [--gz]`
 *
 * Where `gas annotate --threads N` spends its CPU, thread by thread: each run samples
 * /proc/<pid>/task/<tid>/stat every 20 ms and keeps each thread's last user + system time, grouped
 * as the pipeline thread (the process's main thread), the annotation workers, JavaScriptCore's JIT
 * compiler threads, the thread pool that writes the output (libuv's "Bun Pool") and the collector's
 * helpers. Thread counts alternate run by run on the bench:annotate inputs (bench/out/bench-N.vcf,
 * `--fasta --genes` as in bench:annotate); the figures are medians. The output goes to --out
 * (default /dev/shm, so that other processes' disk writes on a shared machine do not time ours);
 * `--gz` writes a .vcf.gz, as the service does (its BGZF compressor thread counts as a worker).
 *
 * Why: on a 2-core machine a one-thread run already keeps the second core partly busy (JIT, writes,
 * GC), which bounds what a second annotation thread can gain: at best
 * 2 × (one thread's pipeline CPU, about its wall when idle) ÷ (two threads' total CPU). Printed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./run-measured.ts";
import { BENCH_OUT, DEMO_FASTA as FASTA, DEMO_GFF3 as GFF3, ROOT } from "./demo-files.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: "string", default: "3" },
    sizes: { type: "string", default: "1000000,5000000" },
    threads: { type: "string", default: "1,2" },
    out: { type: "string", default: "/dev/shm" },
    gz: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("bun bench/thread-cpu.ts [--runs 3] [--sizes 1000000,5000000] [--threads 1,2] [--out DIR] [--gz]");
  process.exit(0);
}

/** USER_HZ: /proc reports CPU time in these ticks. */
const TICKS = 100;
const GROUPS = ["pipeline", "workers", "jit", "writes", "gc", "other"] as const;
type Group = (typeof GROUPS)[number];

/** The group of a thread, from its name (JavaScriptCore's and Bun's thread names). */
function groupOf(tid: string, pid: number, comm: string): Group {
  if (tid === String(pid)) return "pipeline";
  if (comm === "Worker") return "workers";
  if (comm.startsWith("JITWorker")) return "jit";
  if (comm.startsWith("Bun Pool")) return "writes";
  if (comm.startsWith("HeapHelper") || comm.includes("ollector") || comm.startsWith("mi-scavenger")) return "gc";
  return "other";
}

interface Run {
  wall: number;
  cpu: Record<Group, number>;
  total: number;
  peakRssMb: number;
}

async function measure(cmd: string[]): Promise<Run> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe" });
  const last = new Map<string, { group: Group; ticks: number }>();
  let peakKib = 0;
  const sample = () => {
    try {
      for (const tid of readdirSync(`/proc/${proc.pid}/task`)) {
        try {
          const stat = readFileSync(`/proc/${proc.pid}/task/${tid}/stat`, "utf8");
          const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          last.set(tid, { group: groupOf(tid, proc.pid, comm), ticks: Number(fields[11]) + Number(fields[12]) });
        } catch {
          // the thread ended between the listing and the read: its last sample stands
        }
      }
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"));
      if (hwm) peakKib = Math.max(peakKib, Number(hwm[1]));
    } catch {
      // the process has exited
    }
  };
  const timer = setInterval(sample, 20);
  const stderr = await new Response(proc.stderr).text();
  const code = await proc.exited;
  clearInterval(timer);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (${code}):\n${stderr.slice(-2000)}`);
  const cpu = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  for (const t of last.values()) cpu[t.group] += t.ticks / TICKS;
  const total = GROUPS.reduce((s, g) => s + cpu[g], 0);
  return { wall: (performance.now() - started) / 1000, cpu, total, peakRssMb: peakKib / 1024 };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const threadCounts = values.threads.split(",").map(Number);
const fmt = (x: number) => x.toFixed(2).padStart(6);
console.log(`load average before: ${load()}`);
for (const n of values.sizes.split(",").map(Number)) {
  const input = join(BENCH_OUT, `bench-${n}.vcf`);
  if (!(await Bun.file(input).exists())) throw new Error(`${input} is missing: run bun run bench:annotate --sizes ${n} once to make it`);
  const out = join(values.out, `gas-thread-cpu-${process.pid}.vcf${values.gz ? ".gz" : ""}`);
  const runs = new Map<number, Run[]>();
  for (let r = 0; r < Number(values.runs); r++) {
    for (const t of threadCounts) {
      const cmd = ["bun", join(ROOT, "src", "main.ts"), "annotate", input, "-o", out, "--fasta", FASTA, "--genes", GFF3];
      const m = await measure([...cmd, "--quiet", "--threads", String(t)]);
      await Promise.all([rm(out, { force: true }), rm(`${out}.tbi`, { force: true })]);
      runs.set(t, [...(runs.get(t) ?? []), m]);
    }
  }
  console.log(`\n${n} variants${values.gz ? ", .vcf.gz" : ""}, medians of ${values.runs} (seconds; CPU = user + system per thread group):`);
  console.log(`threads   wall    CPU ${GROUPS.map((g) => g.padStart(8)).join(" ")}  peak RSS`);
  const med = new Map<number, { wall: number; total: number; pipeline: number }>();
  for (const t of threadCounts) {
    const ms = runs.get(t)!;
    const m = (f: (r: Run) => number) => median(ms.map(f));
    med.set(t, { wall: m((r) => r.wall), total: m((r) => r.total), pipeline: m((r) => r.cpu.pipeline) });
    console.log(
      `${String(t).padStart(7)} ${fmt(m((r) => r.wall))} ${fmt(m((r) => r.total))} ` +
        `${GROUPS.map((g) => fmt(m((r) => r.cpu[g])).padStart(8)).join(" ")}  ${m((r) => r.peakRssMb)
          .toFixed(0)
          .padStart(5)} MB`,
    );
  }
  const one = med.get(1);
  for (const t of threadCounts.filter((x) => x > 1)) {
    const many = med.get(t)!;
    if (!one) continue;
    // One thread's wall on an idle machine is about its pipeline thread's CPU (the rest runs beside
    // it); t threads cannot finish before their total CPU over t cores.
    console.log(
      `--threads ${t} vs 1: ${(one.wall / many.wall).toFixed(2)}x wall, ${(many.total / one.total).toFixed(2)}x CPU; ` +
        `at best on ${t} idle cores: ${((t * one.pipeline) / many.total).toFixed(2)}x (${t} x one thread's pipeline CPU / total CPU)`,
    );
  }
}
console.log(`\nload average after: ${load()}`);
