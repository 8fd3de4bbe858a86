/**
 * Crash safety on real PostgreSQL with every role in its own process: kill -9 the annotator in
 * the middle of a job; after its lease the message comes back, a second annotator finishes the
 * job, and there is exactly one result and one email. Skips (with the reason) when no PostgreSQL
 * binaries are installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "./support/throwaway-postgres.ts";

const binaries = findPostgresBinaries();
if (!binaries) console.warn("crash test skipped: no PostgreSQL binaries (install postgresql-15 or set PG_BIN_DIR)");

/** A VCF big enough that annotating it takes seconds: the demo records repeated. */
async function bigVcf(copies: number): Promise<File> {
  const text = await Bun.file(join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf")).text();
  const lines = text.split("\n").filter(Boolean);
  const header = lines.filter((l) => l.startsWith("#")).join("\n");
  const data = lines.filter((l) => !l.startsWith("#")).join("\n");
  return new File([header, "\n", ...Array.from({ length: copies }, () => `${data}\n`)], "big.vcf");
}

describe.if(!!binaries)("crash: kill -9 the annotator mid-job on real PostgreSQL", () => {
  let pg: ThrowawayPostgres;
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const procs: GasProcess[] = [];
  beforeAll(async () => {
    pg = (await startThrowawayPostgres())!;
    db = await createTestDatabase(pg.url);
    dataDir = await mkdtemp(join(tmpdir(), "gas-crash-"));
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) if (p.proc.exitCode === null) await p.kill9();
    await db?.drop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  test("a second annotator finishes the job; one result, one email", async () => {
    // Roles share the database and the data folder (the object store and outbox), as on one box.
    const env = {
      DATABASE_URL: db.url,
      QUEUE_VISIBILITY_SECONDS: "4",
      FREE_MAX_UPLOAD_BYTES: String(64 * 1024 * 1024),
      FREE_MAX_INPUT_BYTES: "0",
      FREE_MAX_VARIANTS: "0",
      FREE_MAX_RESULT_BYTES: "0",
    };
    const web = await startGas({ role: "web", env, dataDir });
    const notifier = await startGas({ role: "notifier", env, dataDir });
    const first = await startGas({ role: "annotator", env, dataDir });
    procs.push(web, notifier, first);

    const browser = createClient(web.url);
    await browser.signIn("ada@example.org");
    const form = (await (await browser.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const up = await postUpload(browser, form.url, form.fields, await bigVcf(600));
    expect(up.status).toBe(303);
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const submitted = await browser.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const jobId = ((await submitted.json()) as { job_id: string }).job_id;

    await waitForJob(browser, jobId, (s) => s !== "PENDING", 60_000);
    await first.waitForLog((l) => l.msg === "job running" && l.jobId === jobId);
    await first.kill9();
    expect((await waitForJob(browser, jobId, () => true)).job_status).toBe("RUNNING"); // stranded, not finished

    const second = await startGas({ role: "annotator", env, dataDir });
    procs.push(second);
    const done = await waitForJob(browser, jobId, undefined, 120_000);
    expect(done.job_status).toBe("COMPLETED");
    // The job is COMPLETED in the database a moment before the worker publishes, acks and logs it.
    await second.waitForLog((l) => l.msg === "job completed" && l.jobId === jobId, 30_000);

    const sql = postgres(db.url, { max: 1 });
    try {
      const [job] = await sql`select attempts, status from jobs where id = ${jobId}`;
      expect(job).toMatchObject({ attempts: 2, status: "COMPLETED" });
      const [q] = await sql`select count(*)::int as n from queue_messages where queue = 'annotator'`;
      expect(q?.n).toBe(0);
    } finally {
      await sql.end();
    }
    const results = (await readdir(join(dataDir, "objects", "gas-results"), { recursive: true })).filter((f) => String(f).includes(jobId));
    expect(results.filter((f) => String(f).endsWith(".annot.vcf.gz"))).toHaveLength(1);
    expect(results.filter((f) => String(f).endsWith(".count.log"))).toHaveLength(1);
    // The killed attempt's work folder is gone too (the second claim holder removes it; its own
    // goes in a finally just after the "job completed" line, hence the short wait).
    const work = () => readdir(join(dataDir, "work")).catch(() => [] as string[]);
    for (const until = Date.now() + 10_000; Date.now() < until && (await work()).length > 0; ) await Bun.sleep(100);
    expect(await work()).toEqual([]);

    // Exactly one email, even after waiting for any late duplicate.
    const outbox = join(dataDir, "outbox");
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(await readdir(outbox).catch(() => [] as string[])).some((f) => f.includes(jobId)))
      await Bun.sleep(100);
    await Bun.sleep(1500);
    expect((await readdir(outbox)).filter((f) => f.includes(jobId))).toHaveLength(1);
    expect(notifier.logs().filter((l) => l.msg === "email sent" && l.jobId === jobId)).toHaveLength(1);

    for (const p of [second, notifier, web]) expect(await p.stop()).toBe(0);
  }, 240_000);
});
