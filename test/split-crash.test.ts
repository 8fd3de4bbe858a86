/**
 * A split job survives kill -9 of an annotator mid-chunk (issue 16 item 5), on real PostgreSQL
 * with every role in its own process: two annotators share the chunks; one is killed while it
 * annotates a chunk; after the chunk's lease its message comes back, the other annotator redoes
 * that chunk (and only that one), merges, and the job completes with every variant, one result
 * and one email. Skips (with the reason) when no PostgreSQL binaries are installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { writeBenchVcf } from "../bench/generate-vcf.ts";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "./support/throwaway-postgres.ts";

const binaries = findPostgresBinaries();
if (!binaries) console.warn("split crash test skipped: no PostgreSQL binaries (install postgresql-15 or set PG_BIN_DIR)");

const FASTA = join(import.meta.dir, "..", "data", "demo", "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
const VARIANTS = 60_000;
const CHUNK = 10_000;

describe.if(!!binaries)("split job: kill -9 an annotator mid-chunk on real PostgreSQL", () => {
  let pg: ThrowawayPostgres;
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const procs: GasProcess[] = [];
  beforeAll(async () => {
    pg = (await startThrowawayPostgres())!;
    db = await createTestDatabase(pg.url);
    dataDir = await mkdtemp(join(tmpdir(), "gas-split-crash-"));
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) if (p.proc.exitCode === null) await p.kill9();
    await db?.drop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  test("the killed annotator's chunk is redone by the other; the job completes whole", async () => {
    const env = {
      DATABASE_URL: db.url,
      QUEUE_VISIBILITY_SECONDS: "4",
      FREE_MAX_UPLOAD_BYTES: String(64 * 1024 * 1024),
      FREE_MAX_INPUT_BYTES: "0",
      FREE_MAX_VARIANTS: "0",
      FREE_MAX_RESULT_BYTES: "0",
      SPLIT_MIN_VARIANTS: String(CHUNK),
      SPLIT_MIN_BYTES: "0",
      SPLIT_CHUNK_VARIANTS: String(CHUNK),
    };
    const web = await startGas({ role: "web", env, dataDir });
    const notifier = await startGas({ role: "notifier", env, dataDir });
    const victim = await startGas({ role: "annotator", env, dataDir });
    const survivor = await startGas({ role: "annotator", env, dataDir });
    procs.push(web, notifier, victim, survivor);

    const path = join(dataDir, "genome.vcf");
    await writeBenchVcf(path, FASTA, VARIANTS);
    const browser = createClient(web.url);
    await browser.signIn("ada@example.org");
    const form = (await (await browser.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const up = await postUpload(browser, form.url, form.fields, new File([await Bun.file(path).bytes()], "genome.vcf"));
    expect(up.status).toBe(303);
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const submitted = await browser.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const jobId = ((await submitted.json()) as { job_id: string }).job_id;

    // Kill the victim while it annotates a chunk (its first).
    const running = await victim.waitForLog((l) => l.msg === "chunk running" && l.jobId === jobId, 120_000);
    await victim.kill9();

    const done = await waitForJob(browser, jobId, (s) => s === "COMPLETED" || s === "FAILED", 240_000);
    expect(done.job_status).toBe("COMPLETED");
    const merged = await survivor.waitForLog((l) => l.msg === "split job merged" && l.jobId === jobId, 30_000);
    // One chunk redone: the victim's; every other chunk done once.
    expect(merged).toMatchObject({ chunks: VARIANTS / CHUNK, redone: 1, records: VARIANTS });
    const redone = survivor.logs().filter((l) => l.msg === "chunk redone" && l.jobId === jobId);
    expect(redone.map((l) => l.chunk)).toEqual([running.chunk]);

    const sql = postgres(db.url, { max: 1 });
    try {
      // The redone chunk's attempts, as the merger read them (the split's records are removed after the merge).
      const attempts = survivor.logs().filter((l) => l.msg === "chunk redone" && l.jobId === jobId);
      expect(attempts.map((l) => l.attempts)).toEqual([2]);
      // The merger completed the job under the cutter's claim: one claim of the job, not two.
      expect((await sql`select attempts from jobs where id = ${jobId}`)[0]?.attempts).toBe(1);
      // The last chunk's message is acked just after the merge (and the chunks' files removed).
      const left = async () => (await sql`select count(*)::int as n from queue_messages where queue = 'annotator'`)[0]?.n;
      for (const until = Date.now() + 15_000; Date.now() < until && (await left()) !== 0; ) await Bun.sleep(100);
      expect(await left()).toBe(0);
      // Acked after the chunks' files and the split's records were removed.
      expect((await sql`select count(*)::int as n from job_splits where job_id = ${jobId}`)[0]?.n).toBe(0);
      expect((await sql`select count(*)::int as n from job_split_chunks where job_id = ${jobId}`)[0]?.n).toBe(0);
    } finally {
      await sql.end();
    }
    const results = (await readdir(join(dataDir, "objects", "gas-results"), { recursive: true })).map(String);
    expect(results.filter((f) => f.includes(jobId) && f.endsWith(".annot.vcf.gz"))).toHaveLength(1);
    // The chunks' files are removed after the merge (the filesystem store may leave empty folders).
    const root = join(dataDir, "objects", "gas-results");
    expect(results.filter((f) => f.startsWith(`split/${jobId}/`) && statSync(join(root, f)).isFile())).toEqual([]);

    const outbox = join(dataDir, "outbox");
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(await readdir(outbox).catch(() => [] as string[])).some((f) => f.includes(jobId)))
      await Bun.sleep(100);
    await Bun.sleep(1500);
    expect((await readdir(outbox)).filter((f) => f.includes(jobId))).toHaveLength(1);

    for (const p of [survivor, notifier, web]) expect(await p.stop()).toBe(0);
  }, 420_000);
});
