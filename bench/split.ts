/**
 * One whole-genome job through the real service on PostgreSQL (issue 16 item 5): web, notifier
 * and N annotator processes (`--role=annotator`, each its own process) on a throwaway PostgreSQL.
 *
 *   bun run bench:split -- --variants 5000000 --annotators 1,2
 *   bun run bench:split -- --variants 1000000 --annotators 1,2 --chunk 250000
 *
 * Runs, each on a fresh database and data folder:
 *   1. unsplit: one annotator, splitting off (SPLIT_MIN_VARIANTS=0, SPLIT_MIN_BYTES=0): the reference;
 *   2. split, with each annotator count of --annotators: wall time (submit → COMPLETED) and the
 *      speed-up over the first split run and over the unsplit one; the output checked identical
 *      to the unsplit run's (decompressed VCF, every results-store row, summary; timings aside);
 *   3. split with the most annotators again, one of them kill -9'd while it annotates a chunk
 *      (and started again, as systemd's Restart= would): what the crash cost (chunks redone, wall time).
 * Prints the load average with every figure: the machine may be shared, and wall times then mean
 * little on their own. Options: --chunk (SPLIT_CHUNK_VARIANTS, default 250000), --no-kill,
 * --no-rows (skip the row-by-row store comparison, which reads every row of both stores).
 * Needs PostgreSQL binaries (test/support/throwaway-postgres.ts).
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { createReadStream } from "node:fs";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type GasProcess, startGas, waitForJob } from "../test/support/gas-process.ts";
import { startThrowawayPostgres } from "../test/support/throwaway-postgres.ts";
import { apiClient, uploadFile } from "./bench-client.ts";
import { writeBenchVcf } from "./generate-vcf.ts";
import { BENCH_OUT, DEMO_FASTA as FASTA } from "./demo-files.ts";

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    variants: { type: "string", default: "5000000" },
    annotators: { type: "string", default: "1,2" },
    chunk: { type: "string", default: "250000" },
    "no-kill": { type: "boolean", default: false },
    "no-rows": { type: "boolean", default: false },
  },
});
const VARIANTS = Number(args.variants);
const COUNTS = args.annotators!.split(",").map(Number);
const CHUNK = Number(args.chunk);
if (!(VARIANTS > 0) || COUNTS.some((n) => !(n >= 1)) || !(CHUNK >= 1000))
  throw new Error("usage: --variants N --annotators 1,2 [--chunk ≥1000]");

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

// The input: the generator's file (as bench/annotate.ts writes it), made once.
await mkdir(BENCH_OUT, { recursive: true });
const input = join(BENCH_OUT, `bench-${VARIANTS}.vcf`);
if (!existsSync(input)) {
  log(`writing ${input}`);
  await writeBenchVcf(input, FASTA, VARIANTS);
}

const pg = await startThrowawayPostgres();
if (!pg) throw new Error("no PostgreSQL binaries found (install postgresql or set PG_BIN_DIR)");

interface RunResult {
  wall: number;
  jobId: string;
  vcfSha: string;
  storeRows: string | null;
  summary: Record<string, unknown>;
  mergeLog: Record<string, unknown> | null;
  load: string;
  /** CPU seconds of the annotator processes over the wall time. */
  cores: number;
}

/** One job through web + notifier + `annotators` annotator processes; `kill`: kill -9 one mid-chunk. */
async function run(label: string, annotators: number, split: boolean, kill = false): Promise<RunResult> {
  const db = await createTestDatabase(pg!.url);
  const dataDir = await mkdtemp(join(tmpdir(), "gas-bench-split-"));
  const env = {
    DATABASE_URL: db.url,
    LOG_LEVEL: "info",
    FREE_MAX_UPLOAD_BYTES: String(4 * 1024 ** 3),
    FREE_MAX_INPUT_BYTES: "0",
    FREE_MAX_VARIANTS: "0",
    FREE_MAX_RESULT_BYTES: "0",
    // A lease long enough for a chunk on a busy machine, short enough that a crash costs little.
    QUEUE_VISIBILITY_SECONDS: "30",
    SPLIT_MIN_VARIANTS: split ? String(Math.min(VARIANTS, CHUNK)) : "0",
    SPLIT_MIN_BYTES: "0",
    SPLIT_CHUNK_VARIANTS: String(CHUNK),
  };
  const procs: GasProcess[] = [];
  try {
    const web = await startGas({ role: "web", env, dataDir });
    procs.push(web, await startGas({ role: "notifier", env, dataDir }));
    const workers: GasProcess[] = [];
    for (let i = 0; i < annotators; i++) workers.push(await startGas({ role: "annotator", env, dataDir }));
    procs.push(...workers);
    const api = await apiClient(web.url, "bench@example.org");
    const key = await uploadFile(api, input, "genome.vcf");
    const started = performance.now();
    const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const jobId = ((await res.json()) as { job_id: string }).job_id;
    let killed: GasProcess | null = null;
    if (kill) {
      // The first annotator, once it is annotating a chunk that is not the first it took.
      const victim = workers[0]!;
      const running = () => victim.logs().filter((l) => l.msg === "chunk running" && l.jobId === jobId).length;
      while (running() < 2) {
        if (performance.now() - started > 3_600_000) throw new Error(`${label}: annotator 1 never took a second chunk`);
        await Bun.sleep(200);
      }
      await Bun.sleep(1000);
      await victim.kill9();
      killed = victim;
      log(`${label}: kill -9 of annotator 1 mid-chunk at ${((performance.now() - started) / 1000).toFixed(1)} s; started again`);
      procs.push(await startGas({ role: "annotator", env, dataDir }));
    }
    const done = await waitForJob(api, jobId, undefined, 6 * 3_600_000);
    const wall = (performance.now() - started) / 1000;
    if (done.job_status !== "COMPLETED") throw new Error(`${label}: job ${jobId} ${done.job_status}: ${done.failure_reason}`);
    const l = load();
    // How many cores the annotators kept busy: one annotator already runs two threads (the
    // engine and its results store), so on a 2-core machine a second one finds little idle CPU.
    const annotatorCpu = procs
      .filter((p) => p !== killed && p.proc.exitCode === null && !procs.slice(0, 2).includes(p))
      .reduce((n, p) => n + cpuSeconds(p.proc.pid), 0);
    const mergeLog =
      procs.flatMap((p) => (p === killed ? [] : p.logs())).find((x) => x.msg === "split job merged" && x.jobId === jobId) ?? null;
    // The outputs, read from the filesystem object store.
    const results = join(dataDir, "objects", "gas-results");
    const files = await Array.fromAsync(new Bun.Glob(`**/${jobId}~*`).scan({ cwd: results }));
    const vcf = files.find((f) => f.endsWith(".annot.vcf.gz"))!;
    const store = files.find((f) => f.endsWith(".results.sqlite"))!;
    const vcfSha = await gunzippedSha(join(results, vcf));
    const storeRows = args["no-rows"] ? null : rowsSha(join(results, store));
    const summary = storeSummary(join(results, store));
    const all = procs.flatMap((p) => p.logs());
    const cut = all.find((x) => x.msg === "job split" && x.jobId === jobId);
    const chunkSeconds = all.filter((x) => x.msg === "chunk done" && x.jobId === jobId).reduce((n, x) => n + Number(x.seconds), 0);
    if (cut) log(`${label}: cut ${cut.seconds} s; engine time summed over the chunks ${chunkSeconds.toFixed(1)} s`);
    log(
      `${label}: ${wall.toFixed(1)} s wall (load average ${l})${mergeLog ? `; merge ${mergeLog.mergeSeconds} s (fetch ${mergeLog.fetchSeconds}, VCF ${mergeLog.vcfSeconds}, store ${mergeLog.storeSeconds}: copy ${mergeLog.copySeconds}, indexes ${mergeLog.indexSeconds}, effects beside them ${mergeLog.effectsSeconds}, effects in + ANALYZE ${mergeLog.finishSeconds}; VCF and store at once), chunks redone ${mergeLog.redone}` : ""}`,
    );
    log(
      `${label}: annotator processes used ${annotatorCpu.toFixed(1)} CPU seconds, ${(annotatorCpu / wall).toFixed(2)} cores on average over the wall time (${cpus().length} cores)`,
    );
    return { wall, jobId, vcfSha, storeRows, summary, mergeLog, load: l, cores: annotatorCpu / wall };
  } finally {
    for (const p of procs) if (p.proc.exitCode === null) await p.kill9().catch(() => {});
    await db.drop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system, every thread) a live process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function gunzippedSha(path: string): Promise<string> {
  const hash = new Bun.CryptoHasher("sha256");
  for await (const chunk of createReadStream(path).pipe(createGunzip())) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every table's rows but the summary (compared apart) and ANALYZE's statistics, in rowid/key order. */
function rowsSha(path: string): string {
  const db = new Database(path, { readonly: true });
  const hash = new Bun.CryptoHasher("sha256");
  try {
    for (const { name } of db
      .query<{ name: string }, []>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'summary' ORDER BY name",
      )
      .all()) {
      hash.update(`\n${name}\n`);
      for (const row of db.query(`SELECT * FROM "${name}" ORDER BY 1, 2`).iterate()) hash.update(JSON.stringify(row));
    }
  } finally {
    db.close();
  }
  return hash.digest("hex");
}

/** The store's summary, the engine's timings left out. */
function storeSummary(path: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      db
        .query<{ key: string; value: string }, []>("SELECT key, value FROM summary ORDER BY key")
        .all()
        .map((r) => {
          const v = JSON.parse(r.value);
          return [r.key, r.key === "engine" ? { ...v, seconds: 0, variantsPerSecond: 0 } : v];
        }),
    );
  } finally {
    db.close();
  }
}

const same = (a: RunResult, b: RunResult) =>
  a.vcfSha === b.vcfSha && (a.storeRows === null || a.storeRows === b.storeRows) && JSON.stringify(a.summary) === JSON.stringify(b.summary);

try {
  log(`input: ${VARIANTS.toLocaleString("en-US")} variants (${input}); chunks of ${CHUNK.toLocaleString("en-US")}; load average ${load()}`);
  const unsplit = await run("unsplit, 1 annotator", 1, false);
  const rows: string[] = [];
  let first: RunResult | null = null;
  let failed = false;
  for (const n of COUNTS) {
    const r = await run(`split, ${n} annotator${n > 1 ? "s" : ""}`, n, true);
    first ??= r;
    const ok = same(r, unsplit);
    failed ||= !ok;
    rows.push(
      `| ${n} | ${r.wall.toFixed(1)} s | ${(first.wall / r.wall).toFixed(2)}× | ${(unsplit.wall / r.wall).toFixed(2)}× | ${r.mergeLog?.mergeSeconds ?? "?"} s | ${r.cores.toFixed(2)} | ${ok ? "identical" : "DIFFERENT"} | ${r.load} |`,
    );
  }
  let killLine = "kill -9: not run (--no-kill)";
  if (!args["no-kill"]) {
    const n = Math.max(...COUNTS);
    const k = await run(`split, ${n} annotators, one kill -9'd`, n, true, true);
    const ok = same(k, unsplit);
    failed ||= !ok;
    killLine = `kill -9 of one of ${n} annotators mid-chunk: ${k.mergeLog?.redone ?? "?"} chunk(s) redone, ${k.wall.toFixed(1)} s wall, output ${ok ? "identical" : "DIFFERENT"} (load average ${k.load})`;
  }
  console.log(
    `\n${VARIANTS.toLocaleString("en-US")} variants, chunks of ${CHUNK.toLocaleString("en-US")}; unsplit (1 annotator): ${unsplit.wall.toFixed(1)} s (load average ${unsplit.load})\n`,
  );
  console.log("| annotators | wall | speed-up vs 1 | vs unsplit | merge | annotators' cores busy | output vs unsplit | load average |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  console.log(`\n${killLine}`);
  if (failed) process.exitCode = 1;
} finally {
  await pg.stop();
}
