/**
 * Soak with faults: N small jobs through web + notifier + two annotators, each its own process, on
 * a throwaway PostgreSQL, while a random annotator is kill -9'd every few seconds and restarted.
 * At the end: every job COMPLETED, exactly one result object and one email per job, the queues and
 * dead-letter queues empty. Prints the counts; exits non-zero on any loss or duplicate.
 *
 *   bun bench/soak.ts                      # 300 jobs, a kill every 3 s
 *   SOAK_JOBS=10000 SOAK_KILL_EVERY_S=5 bun bench/soak.ts
 *
 * Needs PostgreSQL binaries (see test/support/throwaway-postgres.ts).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type GasProcess, startGas } from "../test/support/gas-process.ts";
import { startThrowawayPostgres } from "../test/support/throwaway-postgres.ts";
import { apiClient, pool, upload } from "./bench-client.ts";

const JOBS = Number(process.env.SOAK_JOBS ?? 300);
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY_S ?? 3) * 1000;
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_S ?? 1800) * 1000;

const pg = await startThrowawayPostgres();
if (!pg) throw new Error("no PostgreSQL binaries found (install postgresql or set PG_BIN_DIR)");
const db = await createTestDatabase(pg.url);
const dataDir = await mkdtemp(join(tmpdir(), "gas-soak-"));
const env = { DATABASE_URL: db.url, QUEUE_VISIBILITY_SECONDS: "4", QUEUE_RETRY_BASE_SECONDS: "1" };
const procs: GasProcess[] = [];
const annotators: GasProcess[] = [];
let kills = 0;
let failed = false;

try {
  const web = await startGas({ role: "web", env, dataDir });
  const notifier = await startGas({ role: "notifier", env, dataDir });
  procs.push(web, notifier);
  for (let i = 0; i < 2; i++) annotators.push(await startGas({ role: "annotator", env, dataDir }));

  // kill -9 a random annotator every few seconds and start a new one in its place.
  let killing = true;
  const killer = (async () => {
    while (killing) {
      await Bun.sleep(KILL_EVERY_MS);
      if (!killing) break;
      const i = Math.floor(Math.random() * annotators.length);
      await annotators[i]!.kill9();
      kills++;
      annotators[i] = await startGas({ role: "annotator", env, dataDir });
    }
  })();

  const started = performance.now();
  const api = await apiClient(web.url, "soak@example.org");
  const vcf = new Uint8Array(await Bun.file(join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf")).arrayBuffer());
  const ids = await pool(Array.from({ length: JOBS }), 8, async (_, i) => {
    const key = await upload(api, vcf, `soak-${i}.vcf`);
    const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    if (res.status !== 201) throw new Error(`submit ${i}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { job_id: string }).job_id;
  });
  console.log(`submitted ${ids.length} jobs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const sql = postgres(db.url, { max: 1 });
  const deadline = Date.now() + TIMEOUT_MS;
  let byStatus: Record<string, number> = {};
  for (;;) {
    const rows = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from jobs group by status`;
    byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    if ((byStatus.COMPLETED ?? 0) + (byStatus.FAILED ?? 0) >= JOBS || Date.now() > deadline) break;
    await Bun.sleep(1000);
  }
  killing = false;
  await killer;
  console.log(`jobs settled in ${((performance.now() - started) / 1000).toFixed(1)} s with ${kills} annotator kills: ${JSON.stringify(byStatus)}`);

  // Give the notifier time for the last emails (and any late duplicate), then count.
  const outbox = join(dataDir, "outbox");
  const emailsFor = async () => {
    const per = new Map<string, number>();
    for (const f of await readdir(outbox).catch(() => [] as string[])) for (const id of ids) if (f.includes(id)) per.set(id, (per.get(id) ?? 0) + 1);
    return per;
  };
  for (const until = Date.now() + 60_000; Date.now() < until && (await emailsFor()).size < ids.length; ) await Bun.sleep(1000);
  await Bun.sleep(3000);
  const emails = await emailsFor();
  const resultFiles = (await readdir(join(dataDir, "objects", "gas-results"), { recursive: true })).map(String).filter((f) => f.endsWith(".annot.vcf"));
  const results = new Map<string, number>();
  for (const f of resultFiles) {
    const id = /([0-9a-f-]{36})~/.exec(f)?.[1];
    if (id) results.set(id, (results.get(id) ?? 0) + 1);
  }
  // Work folders left behind by killed annotators (each job works in its own folder under work/).
  const orphanWorkFolders = (await readdir(join(dataDir, "work")).catch(() => [] as string[])).length;
  const queues = await sql<{ queue: string; n: number }[]>`select queue, count(*)::int as n from queue_messages group by queue`;
  await sql.end();

  const count = (m: Map<string, number>, pred: (n: number) => boolean) => ids.filter((id) => pred(m.get(id) ?? 0)).length;
  const report = {
    jobs: JOBS,
    kills,
    completed: byStatus.COMPLETED ?? 0,
    failed: byStatus.FAILED ?? 0,
    notFinished: JOBS - (byStatus.COMPLETED ?? 0) - (byStatus.FAILED ?? 0),
    resultsMissing: count(results, (n) => n === 0),
    resultsDuplicated: count(results, (n) => n > 1),
    emailsMissing: count(emails, (n) => n === 0),
    emailsDuplicated: count(emails, (n) => n > 1),
    // Messages left for the roles that ran (annotator, notifier) and every dead-letter queue. The
    // archiver did not run, so its delayed messages are listed but not counted as a fault.
    queues: Object.fromEntries(queues.map((q) => [q.queue, q.n])),
    // The archiver did not run: each job's job.completed must be waiting for it (a republish after
    // a crash may add one more; the archiver is idempotent).
    orphanWorkFolders,
    archiverMessagesMissing: Math.max(0, JOBS - (queues.find((q) => q.queue === "archiver")?.n ?? 0)),
  };
  const leftInQueues = queues.filter((q) => !q.queue.startsWith("archive") || q.queue.endsWith(".dlq")).reduce((s, q) => s + q.n, 0);
  console.log(JSON.stringify(report, null, 2));
  failed =
    report.completed !== JOBS ||
    report.resultsMissing + report.resultsDuplicated + report.emailsMissing + report.emailsDuplicated + report.archiverMessagesMissing + report.orphanWorkFolders > 0 ||
    leftInQueues > 0;
  console.log(failed ? "SOAK FAILED: loss, duplicate or leftover work" : "SOAK OK: 0 lost, 0 duplicated");
} finally {
  for (const p of [...annotators, ...procs]) if (p.proc.exitCode === null) await p.kill9();
  await db.drop().catch(() => {});
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
