/**
 * Graceful shutdown of an annotator on real PostgreSQL, every role in its own process. On SIGTERM
 * a running job either finishes within SHUTDOWN_GRACE_SECONDS, or is handed back to the queue at
 * once (claim released, message visible again) so another annotator finishes it long before its
 * lease would have lapsed. Either way the process exits 0, and there is exactly one result and
 * one email. Skips (with the reason) when no PostgreSQL binaries are installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { generateBenchVcf } from "../bench/generate-vcf.ts";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type Client, type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "./support/throwaway-postgres.ts";

const binaries = findPostgresBinaries();
if (!binaries) console.warn("graceful shutdown test skipped: no PostgreSQL binaries (install postgresql-15 or set PG_BIN_DIR)");

const FASTA = join(import.meta.dir, "..", "data", "demo", "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
/** ~4 MB: seconds of annotation (the results store included), more than the 1 s grace of the hand-back test. */
const RECORDS = 150_000;
/** Long enough that only a hand-back (not a lapsed lease) lets a second annotator start in time. */
const VISIBILITY_SECONDS = 120;

describe.if(!!binaries)("graceful shutdown: SIGTERM to an annotator mid-job on real PostgreSQL", () => {
  let pg: ThrowawayPostgres;
  let db: { url: string; drop(): Promise<void> };
  let sql: postgres.Sql;
  let dataDir: string;
  let input: File;
  let env: Record<string, string>;
  let web: GasProcess;
  let notifier: GasProcess;
  let browser: Client;
  const procs: GasProcess[] = [];

  beforeAll(async () => {
    pg = (await startThrowawayPostgres())!;
    db = await createTestDatabase(pg.url);
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    dataDir = await mkdtemp(join(tmpdir(), "gas-shutdown-"));
    input = new File([await generateBenchVcf(FASTA, RECORDS)], "big.vcf");
    env = {
      DATABASE_URL: db.url,
      QUEUE_VISIBILITY_SECONDS: String(VISIBILITY_SECONDS),
      FREE_MAX_UPLOAD_BYTES: String(64 * 1024 * 1024),
      FREE_MAX_INPUT_BYTES: "0",
      FREE_MAX_VARIANTS: "0",
      FREE_MAX_RESULT_BYTES: "0",
    };
    web = await startGas({ role: "web", env, dataDir });
    notifier = await startGas({ role: "notifier", env, dataDir });
    procs.push(web, notifier);
    browser = createClient(web.url);
    await browser.signIn("ada@example.org");
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) if (p.proc.exitCode === null) await p.kill9();
    await sql?.end();
    await db?.drop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Upload the big input and submit it; returns the job id. */
  async function submit(): Promise<string> {
    const form = (await (await browser.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const up = await postUpload(browser, form.url, form.fields, input);
    expect(up.status).toBe(303);
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const res = await browser.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { job_id: string }).job_id;
  }

  /**
   * Wait until the job is well into its run: RUNNING and either the engine has reported progress
   * or two seconds have passed since the claim (past fetching the input).
   */
  async function waitUntilAnnotating(jobId: string) {
    let runningSince = 0;
    for (const deadline = Date.now() + 60_000; ; await Bun.sleep(50)) {
      const [row] = await sql`select status, (progress ->> 'records')::int as records from jobs where id = ${jobId}`;
      if (row?.status === "RUNNING") {
        runningSince ||= Date.now();
        if (Number(row.records ?? 0) > 0 || Date.now() - runningSince >= 2000) return;
      } else if (row?.status !== "PENDING") throw new Error(`job ended before SIGTERM: ${JSON.stringify(row)}`);
      if (Date.now() > deadline) throw new Error(`job ${jobId} did not start running`);
    }
  }

  /** SIGTERM and wait for exit (and for its last log line to be read); returns the exit code and how long it took. */
  async function sigterm(p: GasProcess): Promise<{ code: number; seconds: number }> {
    const started = performance.now();
    const code = await p.stop();
    const seconds = (performance.now() - started) / 1000;
    // The exit can be seen before the pipe's last lines are read.
    for (const deadline = Date.now() + 5000; !p.logs().some((l) => l.msg === "stopped") && Date.now() < deadline; ) await Bun.sleep(20);
    return { code, seconds };
  }

  /** One annotated VCF (BGZF) and one log in the result store, one email in the outbox and its log. */
  async function expectOneResultAndOneEmail(jobId: string) {
    const results = (await readdir(join(dataDir, "objects", "gas-results"), { recursive: true }))
      .map(String)
      .filter((f) => f.includes(jobId));
    expect(results.filter((f) => f.endsWith(".annot.vcf.gz"))).toHaveLength(1);
    expect(results.filter((f) => f.endsWith(".count.log"))).toHaveLength(1);
    const outbox = join(dataDir, "outbox");
    await notifier.waitForLog((l) => l.msg === "email sent" && l.jobId === jobId, 30_000);
    await Bun.sleep(1500); // room for a late duplicate to show up
    expect((await readdir(outbox)).filter((f) => f.includes(jobId))).toHaveLength(1);
    expect(notifier.logs().filter((l) => l.msg === "email sent" && l.jobId === jobId)).toHaveLength(1);
    const [q] = await sql`select count(*)::int as n from queue_messages where queue like 'annotator%'`;
    expect(q?.n).toBe(0);
  }

  test("grace over: the job is handed back at once, the process exits 0 promptly, another annotator finishes it", async () => {
    const GRACE = 1;
    const first = await startGas({ role: "annotator", env: { ...env, SHUTDOWN_GRACE_SECONDS: String(GRACE) }, dataDir });
    procs.push(first);
    const jobId = await submit();
    await waitUntilAnnotating(jobId);

    const { code, seconds } = await sigterm(first);
    expect(code).toBe(0);
    // Grace, then abort the engine, release the claim and requeue: well under the grace + 5 s.
    expect(seconds).toBeLessThan(GRACE + 5);
    expect(first.logs().some((l) => l.msg === "job handed back on shutdown" && l.jobId === jobId)).toBe(true);
    expect(first.logs().some((l) => l.msg === "job completed")).toBe(false);

    // Handed back, not lost and not failed: still RUNNING for the user, claim released, the
    // message visible again now (not after the 120 s lease), no partial result, work folder gone.
    const [job] = await sql`select status, attempts, claim_expires_at <= now() as released, result_key from jobs where id = ${jobId}`;
    expect(job).toMatchObject({ status: "RUNNING", attempts: 1, released: true, result_key: null });
    const [msg] = await sql`select visible_at <= now() as visible, last_error from queue_messages where queue = 'annotator'`;
    expect(msg).toMatchObject({ visible: true, last_error: "worker shut down" });
    expect(await readdir(join(dataDir, "work")).catch(() => [])).toHaveLength(0);

    const second = await startGas({ role: "annotator", env, dataDir });
    procs.push(second);
    await second.waitForLog((l) => l.msg === "job running" && l.jobId === jobId, 15_000);
    const done = await waitForJob(browser, jobId, undefined, 120_000);
    expect(done.job_status).toBe("COMPLETED");
    // The job is COMPLETED in the database a moment before the worker publishes, acks and logs it.
    await second.waitForLog((l) => l.msg === "job completed" && l.jobId === jobId, 30_000);
    const [after] = await sql`select attempts, status from jobs where id = ${jobId}`;
    expect(after).toMatchObject({ attempts: 2, status: "COMPLETED" });
    await expectOneResultAndOneEmail(jobId);
    expect((await sigterm(second)).code).toBe(0);
  }, 300_000);

  test("within the grace: the running job completes normally before the process exits 0", async () => {
    const annotator = await startGas({ role: "annotator", env: { ...env, SHUTDOWN_GRACE_SECONDS: "120" }, dataDir });
    procs.push(annotator);
    const jobId = await submit();
    await waitUntilAnnotating(jobId);

    const stopped = sigterm(annotator);
    // Stopping: the job keeps running (it is not handed back) while the process waits for it.
    await Bun.sleep(300);
    expect(annotator.proc.exitCode).toBeNull();
    const { code } = await stopped;
    expect(code).toBe(0);
    const logs = annotator.logs();
    expect(logs.some((l) => l.msg === "job completed" && l.jobId === jobId)).toBe(true);
    expect(logs.some((l) => l.msg === "job handed back on shutdown")).toBe(false);
    // Completed before the process said it stopped.
    expect(logs.findIndex((l) => l.msg === "job completed")).toBeLessThan(logs.findIndex((l) => l.msg === "stopped"));

    const [job] = await sql`select status, attempts from jobs where id = ${jobId}`;
    expect(job).toMatchObject({ status: "COMPLETED", attempts: 1 });
    expect((await waitForJob(browser, jobId, undefined, 10_000)).job_status).toBe("COMPLETED");
    await expectOneResultAndOneEmail(jobId);
  }, 300_000);
});
