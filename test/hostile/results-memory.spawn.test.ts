/**
 * Issue 12's "done when": a free user's small gzip upload that expands to a large result can no
 * longer raise the web process's memory. Before the results store, one results page of a
 * 1M-variant job took the web process from ~0.45 GB to ~5 GB and stalled /healthz for 13–23 s.
 *
 * Real PostgreSQL, the web role and the annotator role in their own processes (so the RSS sampled
 * is the web role's alone). A free user uploads ~18 KB of gzip (the demo's ten most lightly
 * annotated records, repeated: 150,000 records, ~200 MB of annotated VCF), it is annotated through
 * the service, then its results page and rows pages are requested beside every export format (two
 * at a time, the process's limit) while the web process's RSS is sampled from /proc and
 * /healthz is timed. Skips without PostgreSQL binaries or /proc.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createTestDatabase } from "../../src/db/test-database.ts";
import { type Client, type GasProcess, createClient, postUpload, startGas, waitForJob } from "../support/gas-process.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "../support/throwaway-postgres.ts";

const DEMO_VCF = join(import.meta.dir, "..", "..", "data", "demo", "vcf", "test.vcf");
/** The demo records with the fewest effects (annotated lines of 0.9–1.6 KB): a large result that annotates quickly. */
const LIGHT_RECORDS = [25769139, 25769016, 25769181, 25769103, 25683895, 25769046, 25769216, 25587701, 25749065, 25683920];
const COPIES = 15_000;
/**
 * How far the web process's RSS may rise over its idle RSS while serving all of it. Measured
 * +193–195 MB (idle 115–117): the query threads started and exceljs loaded in one count inside
 * the window; the rest is two exports' pages and zip buffers. Before the query threads collected
 * between pages (page-collections.ts), +220–254 MB, and CI failed once at +254. Before the
 * results store: +4.5 GB.
 */
const RSS_BOUND_MB = 250;

const binaries = findPostgresBinaries();
const hasProc = existsSync("/proc/self/status");
if (!binaries) console.warn("results-memory test skipped: no PostgreSQL binaries (install postgresql-15 or set PG_BIN_DIR)");

/** Runs of identical lines deflate ~400:1; the file stays under the engine's 16 MiB ratio floor. */
async function bombVcf(): Promise<File> {
  const lines = (await readFile(DEMO_VCF, "utf8")).split("\n").filter(Boolean);
  const header = lines.filter((l) => l.startsWith("##fileformat") || l.startsWith("#CHROM"));
  const records = lines.filter((l) => !l.startsWith("#") && LIGHT_RECORDS.includes(Number(l.split("\t")[1])));
  expect(records).toHaveLength(LIGHT_RECORDS.length);
  const text = [`${header.join("\n")}\n`, ...records.map((r) => `${r}\n`.repeat(COPIES))].join("");
  return new File([gzipSync(Buffer.from(text), { level: 9 })], "bomb.vcf.gz");
}

/** The process's resident set in MB (0 once it has exited). */
const rssMb = (pid: number) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

/** Reads a response to the end without keeping it; its byte count. */
async function drain(res: Response): Promise<number> {
  let n = 0;
  for await (const chunk of res.body!) n += chunk.length;
  return n;
}

describe.if(!!binaries && hasProc)("hostile: a small upload with a large result, served by the web role", () => {
  let pg: ThrowawayPostgres;
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const procs: GasProcess[] = [];

  beforeAll(async () => {
    pg = (await startThrowawayPostgres())!;
    db = await createTestDatabase(pg.url);
    dataDir = await mkdtemp(join(tmpdir(), "gas-results-memory-"));
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) if (p.proc.exitCode === null) await p.kill9();
    await db?.drop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  test("results page, rows pages and every export at once: web RSS bounded, /healthz answers", async () => {
    // The plan's input limits (issue 13 item 4) now stop this file at submit's other end: 150,000
    // variants is over the free plan's 50,000. Lifted here, because what this test measures is the
    // web role serving a result this large, whoever produced it.
    const env = { DATABASE_URL: db.url, FREE_MAX_INPUT_BYTES: "0", FREE_MAX_VARIANTS: "0", FREE_MAX_RESULT_BYTES: "0" };
    const web = await startGas({ role: "web", env, dataDir });
    const annotator = await startGas({ role: "annotator", env, dataDir });
    procs.push(web, annotator);

    const free: Client = createClient(web.url);
    await free.signIn("free@example.org");
    const file = await bombVcf();
    console.log(`upload: ${file.size} bytes of gzip, ${LIGHT_RECORDS.length * COPIES} records`);
    expect(file.size).toBeLessThan(30_000);
    const form = (await (await free.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const up = await postUpload(free, form.url, form.fields, file);
    expect(up.status).toBe(303);
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const submitted = await free.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const jobId = ((await submitted.json()) as { job_id: string }).job_id;
    const started = performance.now();
    const done = await waitForJob(free, jobId, undefined, 180_000);
    expect(done.job_status).toBe("COMPLETED");
    console.log(`annotated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const pid = web.proc.pid;
    const idle = rssMb(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 25);
    let healthWorst = 0;
    let stop = false;
    const health = (async () => {
      while (!stop) {
        const t = performance.now();
        expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
        healthWorst = Math.max(healthWorst, performance.now() - t);
        await Bun.sleep(100);
      }
    })();

    const rows = `/annotations/${jobId}/rows`;
    const html = { headers: { accept: "text/html" } };
    const pages: [string, () => Promise<Response>][] = [
      ["results page", () => free.request(`/annotations/${jobId}/results`, html)],
      ["results page, filtered, last page", () => free.request(`/annotations/${jobId}/results?impact=MODIFIER&last=1`, html)],
      ["rows JSON", () => free.json(`${rows}?limit=1000`)],
      ["rows JSON, last page by gene", () => free.json(`${rows}?limit=1000&sort=gene&last=1`)],
      ["rows JSON, effects", () => free.json(`${rows}?limit=1000&view=transcripts`)],
    ];
    // A process streams two exports at a time (a third waits 5 s, then is told to retry): two
    // waves of two, each beside the pages.
    const waves: [string, () => Promise<Response>][][] = [
      [
        ["TSV", () => free.request(`${rows}?format=tsv`)],
        ["VCF", () => free.request(`${rows}?format=vcf`)],
      ],
      [
        ["Excel", () => free.request(`${rows}?format=xlsx`)],
        ["TSV, effects", () => free.request(`${rows}?format=tsv&view=transcripts`)],
      ],
    ];
    const t0 = performance.now();
    const fetchAll = (list: [string, () => Promise<Response>][]) =>
      Promise.all(
        list.map(async ([name, send]) => {
          const res = await send();
          const bytes = await drain(res);
          console.log(`${name}: ${res.status}, ${(bytes / 1e6).toFixed(1)} MB at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          expect(res.status).toBe(200);
          return [name, bytes] as const;
        }),
      );
    const sizes = [];
    for (const wave of waves) sizes.push(...(await Promise.all([fetchAll(wave), fetchAll(pages)])).flat());
    stop = true;
    await health;
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    console.log(
      `web RSS: idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (+${(peak - idle).toFixed(0)} MB); slowest /healthz ${healthWorst.toFixed(0)} ms`,
    );
    const size = Object.fromEntries(sizes);
    // Every export carried the whole result: 150k variant lines, ~200 MB of VCF.
    expect(size.TSV!).toBeGreaterThan(LIGHT_RECORDS.length * COPIES * 50);
    expect(size.VCF!).toBeGreaterThan(100e6);
    expect(peak - idle).toBeLessThan(RSS_BOUND_MB);
    expect(healthWorst).toBeLessThan(1000);
    for (const p of [annotator, web]) expect(await p.stop()).toBe(0);
  }, 400_000);
});
