/**
 * Results at scale (issue 12): `bun run bench:results -- --variants N` (default 1,000,000).
 *
 * Generates a VCF of N variants over the demo genome with 3 samples (bench/generate-vcf.ts: a trio,
 * GT:DP:GQ, half the records drawn from the demo known-variants file so the known, frequency and
 * ClinVar filters have rows to find), then runs it through the real server on the embedded default
 * (PGlite and the local object store; DATABASE_URL is honoured) as a Premium user: upload →
 * POST /annotations → COMPLETED, all over HTTP, with every role in one process.
 *
 * It then stops that process and starts the web role alone on the same DATA_DIR, so the RSS it
 * measures is the web role's and not an annotator's engine thread's (PGlite is single-process, so
 * the two roles cannot share it at once; one after the other they can). Over HTTP it measures:
 * opening the results page (p50 of 5, the first one cold), 20 different filter/sort/page queries
 * of `GET /annotations/{id}/rows` (bench/results-queries.ts; each run `--runs` times, its median
 * taken, then the p95 over the 20), a filtered TSV export (MB/s, 10^6 bytes), the web process's
 * peak RSS over its idle RSS (idle: after start-up and sign-in, before the first results request;
 * peak: the kernel's VmHWM, reset at idle, and VmRSS sampled every 20 ms), and the job's stored
 * output bytes (every object of the job in the results store) per input byte. /healthz is polled
 * meanwhile and its worst latency reported, since no query may block the web role's event loop.
 *
 * Progress goes to stderr; stdout gets one line, exactly:
 *   results: N variants, open p50 X ms, filter p95 Y ms, export Z MB/s, web RSS +W MB, stored Q x input
 * A request that fails or answers something other than what was asked for stops the bench with an
 * error naming it (exit 1) instead of printing a figure.
 *
 * Options: --runs R (repeats of each query, default 3), --known-share S (default 0.5), --keep
 * (keep the DATA_DIR and print its path).
 */
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Client, type GasProcess, createClient, startGas, waitForJob } from "../test/support/gas-process.ts";
import { median, percentile, premiumClients, uploadFile } from "./bench-client.ts";
import { writeBenchVcf } from "./generate-vcf.ts";
import { procStatusKb, resetPeakRss, sampleRss } from "./process-rss.ts";
import { EXPORT_QUERY, RESULTS_QUERIES } from "./results-queries.ts";
import { BENCH_OUT, DEMO_FASTA as FASTA, DEMO_KNOWN as KNOWN } from "./demo-files.ts";

const PAGE_LIMIT = 50;
const OPENS = 5;

if (RESULTS_QUERIES.length !== 20 || new Set(RESULTS_QUERIES.map((q) => q.label)).size !== 20)
  throw new Error("bench/results-queries.ts must hold 20 different queries (issue 12)");

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    variants: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    "known-share": { type: "string", default: "0.5" },
    keep: { type: "boolean", default: false },
  },
});
const n = Number(values.variants);
const runs = Number(values.runs);
const knownShare = Number(values["known-share"]);
const badOption =
  !Number.isInteger(n) || n < 1
    ? `--variants must be a positive integer, not "${values.variants}"`
    : !Number.isInteger(runs) || runs < 1
      ? `--runs must be a positive integer, not "${values.runs}"`
      : !(knownShare >= 0 && knownShare <= 1)
        ? `--known-share must be from 0 to 1, not "${values["known-share"]}"`
        : null;
if (badOption) {
  console.error(`bench:results: ${badOption}`);
  process.exit(2);
}

const log = (msg: string) => console.error(`[bench:results ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Stops the bench (the finally below stops the server first) with a message naming the problem. */
function fail(msg: string): never {
  throw new Error(msg);
}

// 1. The input, generated once per size and kept in bench/out (gitignored).
const outDir = BENCH_OUT;
await mkdir(outDir, { recursive: true });
const input = join(outDir, `results-${n}-trio-known${knownShare}.vcf`);
let inputBytes = (await stat(input).catch(() => null))?.size ?? 0;
if (!inputBytes) {
  const t = performance.now();
  log(`generating ${n.toLocaleString("en")} variants with 3 samples → ${input}`);
  inputBytes = await writeBenchVcf(input, FASTA, n, { samples: 3, known: KNOWN, knownShare });
  log(`generated ${mb(inputBytes)} in ${since(t)}`);
}
log(
  `input ${mb(inputBytes)}, ${n.toLocaleString("en")} variants; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

const env: Record<string, string> = { LOG_LEVEL: "warn" };
if (Bun.env.DATABASE_URL) env.DATABASE_URL = Bun.env.DATABASE_URL;
const email = "bench-results@example.org";
let gas: GasProcess | null = null;
let dataDir: string | null = null;

try {
  // 2. Annotate as a Premium user, every role in one process (the default `bun run dev` shape).
  gas = await startGas({ role: "all", env });
  dataDir = gas.dataDir;
  const port = Number(new URL(gas.url).port);
  const { api } = await premiumClients(gas.url, email);
  let t = performance.now();
  const key = await uploadFile(api, input, `results-${n}.vcf`);
  log(`uploaded in ${since(t)}`);
  t = performance.now();
  const submitted = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
  if (submitted.status !== 201) fail(`POST /annotations: ${submitted.status} ${await submitted.text()}`);
  const jobId = ((await submitted.json()) as { job_id: string }).job_id;
  // About 20 s per million variants on an idle machine; allow for a busy one.
  const job = await waitForJob(api, jobId, undefined, 120_000 + (n / 1e6) * 900_000);
  if (job.job_status !== "COMPLETED") fail(`job ${jobId} ended ${job.job_status}: ${JSON.stringify(job)}`);
  log(`job ${jobId} COMPLETED in ${since(t)} (submit to COMPLETED)`);
  const stopped = await gas.stop();
  gas = null;
  if (stopped !== 0) fail(`the role=all process exited ${stopped} on SIGTERM`);

  // 3. The web role alone on the same DATA_DIR and port.
  gas = await startGas({ role: "web", env, dataDir, port });
  const web = gas;
  // Same port, same URL: the API client's token works as before; the browser signs in afresh.
  const browser = createClient(web.url);
  await browser.signIn(email);
  const apiWeb = api;
  const status = await apiWeb.json(`/annotations/${jobId}`);
  if (status.status !== 200) fail(`GET /annotations/${jobId} on the web role: ${status.status} ${await status.text()}`);
  await Bun.sleep(1000); // let start-up garbage settle before reading the idle figure
  const pid = web.proc.pid;
  const idleKb = procStatusKb(pid, "VmRSS");
  const hwmReset = resetPeakRss(pid);
  const sampler = sampleRss(pid);
  const health = probeHealth(web.url);
  log(`web role pid ${pid}: idle RSS ${(idleKb / 1024).toFixed(0)} MB${hwmReset ? "" : " (VmHWM reset refused: sampled peak only)"}`);

  // 4a. Opening the results page: the first open fetches the store into the web role's cache.
  const opens: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const s = performance.now();
    const res = await browser.request(`/annotations/${jobId}/results`, { headers: { accept: "text/html" } });
    const body = await res.text();
    const ms = performance.now() - s;
    if (res.status !== 200) fail(`results page: ${res.status} ${snippet(body)}`);
    if (!body.includes("<table")) fail(`results page: 200 but no table of rows in ${body.length} bytes: ${snippet(body)}`);
    opens.push(ms);
    log(`open ${i + 1}: ${ms.toFixed(0)} ms (${(body.length / 1024).toFixed(0)} KiB)`);
  }

  // Where the memory goes: RSS now and the peak so far, after each phase (the figure is the last).
  const phaseRss = (phase: string) =>
    log(
      `web RSS after ${phase}: ${(procStatusKb(pid, "VmRSS") / 1024).toFixed(0)} MB` +
        (hwmReset ? `, peak so far ${(procStatusKb(pid, "VmHWM") / 1024).toFixed(0)} MB` : ""),
    );
  phaseRss("the page opens");

  // 4b. The 20 queries.
  const answers = new Map<string, RowsAnswer>();
  const medians: number[] = [];
  for (const q of RESULTS_QUERIES) {
    const params = new URLSearchParams({ limit: String(PAGE_LIMIT), ...q.params, format: "json" });
    if (q.cursorFrom) {
      const { label, take } = q.cursorFrom;
      const cursor = answers.get(label)?.[take];
      if (typeof cursor !== "string" || !cursor) fail(`"${q.label}": the answer to "${label}" has no ${take} cursor`);
      params.set(take === "next" ? "after" : "before", cursor);
    }
    const times: number[] = [];
    let answer: RowsAnswer | null = null;
    for (let r = 0; r < runs; r++) {
      const s = performance.now();
      const res = await apiWeb.json(`/annotations/${jobId}/rows?${params}`);
      const body = await res.text();
      times.push(performance.now() - s);
      if (res.status !== 200) fail(`"${q.label}" (?${params}): ${res.status} ${snippet(body)}`);
      answer = parseRows(q.label, body);
    }
    // The transcripts view answers every effect of the page's variants, so only variants are capped.
    if (params.get("view") !== "transcripts" && answer!.rows.length > PAGE_LIMIT)
      fail(`"${q.label}": ${answer!.rows.length} rows for limit=${PAGE_LIMIT}`);
    if (q.expectRows && answer!.rows.length === 0) fail(`"${q.label}" (?${params}) answered no rows; the bench VCF has rows for it`);
    answers.set(q.label, answer!);
    const m = median(times);
    medians.push(m);
    const total = typeof answer!.total === "number" ? ` of ${answer!.total.toLocaleString("en")}` : "";
    log(`${q.label.padEnd(64)} ${m.toFixed(1).padStart(7)} ms  ${answer!.rows.length} rows${total}`);
  }

  phaseRss("the queries");

  // 4c. The filtered TSV export, streamed and counted.
  const exportParams = new URLSearchParams(EXPORT_QUERY);
  const s = performance.now();
  const res = await apiWeb.request(`/annotations/${jobId}/rows?${exportParams}`);
  if (res.status !== 200) fail(`TSV export (?${exportParams}): ${res.status} ${snippet(await res.text())}`);
  const { bytes, lines, header } = await countLines(res);
  const exportSeconds = (performance.now() - s) / 1000;
  if (!header.includes("\t")) fail(`TSV export: the first line is not a tab-separated header: ${snippet(header)}`);
  if (lines < 2) fail(`TSV export of ?${exportParams}: no data rows`);
  const expected = await filteredTotal(apiWeb, jobId, EXPORT_QUERY);
  if (expected !== null && lines - 1 !== expected)
    fail(`TSV export: ${lines - 1} data rows, but the JSON answer for the same filter says ${expected}`);
  log(`export: ${mb(bytes)}, ${(lines - 1).toLocaleString("en")} rows in ${exportSeconds.toFixed(2)} s`);

  phaseRss("the export");

  // 5. Memory and the event loop.
  const sampledKb = sampler.stop();
  const peakKb = Math.max(sampledKb, hwmReset ? procStatusKb(pid, "VmHWM") : 0);
  const healthMs = await health.stop();
  log(
    `web RSS: idle ${(idleKb / 1024).toFixed(0)} MB, peak ${(peakKb / 1024).toFixed(0)} MB (sampled ${(sampledKb / 1024).toFixed(0)} MB); ` +
      `/healthz worst ${healthMs.max.toFixed(0)} ms, p99 ${healthMs.p99.toFixed(0)} ms over ${healthMs.count} probes`,
  );

  // 6. Stored outputs: every object of the job in the results store.
  const stored = await jobObjects(join(dataDir, "objects", "gas-results"), jobId);
  if (stored.length === 0) fail(`no objects of job ${jobId} under ${join(dataDir, "objects", "gas-results")}`);
  const storedBytes = stored.reduce((sum, o) => sum + o.size, 0);
  for (const o of stored) log(`stored: ${o.name} ${mb(o.size)}`);

  const openP50 = median(opens);
  const filterP95 = percentile(medians, 95);
  console.log(
    `results: ${n} variants, open p50 ${openP50.toFixed(0)} ms, filter p95 ${filterP95.toFixed(0)} ms, ` +
      `export ${(bytes / 1e6 / exportSeconds).toFixed(1)} MB/s, web RSS +${Math.max(0, (peakKb - idleKb) / 1024).toFixed(0)} MB, ` +
      `stored ${(storedBytes / inputBytes).toFixed(1)} x input`,
  );
} catch (err) {
  console.error(`bench:results FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  if (gas) await gas.stop();
  if (dataDir && values.keep) log(`kept DATA_DIR ${dataDir}`);
  else if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
// A failure leaves the RSS sampler and the /healthz probe running: exit rather than wait on them.
process.exit(process.exitCode ?? 0);

interface RowsAnswer {
  rows: unknown[];
  next?: string | null;
  prev?: string | null;
  total?: number;
}

/** The rows API's JSON answer, or a failure naming the query and what was wrong with it. */
function parseRows(label: string, body: string): RowsAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    fail(`"${label}": the answer is not JSON: ${snippet(body)}`);
  }
  const rows = (json as { rows?: unknown })?.rows;
  if (!Array.isArray(rows)) fail(`"${label}": the answer has no "rows" array: ${snippet(body)}`);
  return json as RowsAnswer;
}

/** The total the JSON answer reports for a filter (null when the API does not report one). */
async function filteredTotal(client: Client, jobId: string, query: Record<string, string>): Promise<number | null> {
  const params = new URLSearchParams({ ...query, format: "json", limit: "1" });
  const res = await client.json(`/annotations/${jobId}/rows?${params}`);
  if (res.status !== 200) fail(`total for the export's filter: ${res.status} ${snippet(await res.text())}`);
  const total = parseRows("the export's total", await res.text()).total;
  return typeof total === "number" ? total : null;
}

/** Read a response to the end, counting bytes and newline-terminated lines; keeps the first line. */
async function countLines(res: Response): Promise<{ bytes: number; lines: number; header: string }> {
  let bytes = 0;
  let lines = 0;
  let head = "";
  let last = 10;
  for await (const chunk of res.body as ReadableStream<Uint8Array>) {
    if (head.length < 4096 && lines === 0) head += new TextDecoder().decode(chunk.subarray(0, 4096));
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  if (last !== 10) lines++; // a last line without its newline
  return { bytes, lines, header: head.split("\n")[0] ?? "" };
}

/** Files of the local object store whose key names the job (`<user>/<job>~<name>…`). */
async function jobObjects(root: string, jobId: string): Promise<{ name: string; size: number }[]> {
  const names = (await readdir(root, { recursive: true })).map(String).filter((f) => f.includes(jobId));
  const out: { name: string; size: number }[] = [];
  for (const name of names) {
    const st = await stat(join(root, name));
    if (st.isFile()) out.push({ name, size: st.size });
  }
  return out;
}

/** Poll /healthz every 250 ms until stopped; the latencies say whether the event loop was blocked. */
function probeHealth(url: string): { stop(): Promise<{ max: number; p99: number; count: number }> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = performance.now();
      const res = await fetch(`${url}/healthz`).catch(() => null);
      await res?.arrayBuffer();
      times.push(performance.now() - s);
      await Bun.sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { max: Math.max(0, ...times), p99: percentile(times, 99), count: times.length };
    },
  };
}

function snippet(s: string): string {
  return (s.length > 300 ? `${s.slice(0, 300)}…` : s).replace(/\s+/g, " ");
}
