/**
 * Soak with faults: N small jobs through web + notifier + archiver + two annotators, each its own
 * process, on a throwaway PostgreSQL, while a random worker (annotator, archiver or notifier) is
 * kill -9'd every few seconds and restarted, and PostgreSQL itself is crash-stopped once mid-run
 * and started again. The submitting user is on the free tier with a short ARCHIVE_AFTER, so every
 * result is archived during the run. A share of the inputs is deliberately bad.
 *
 * At the end: every good job COMPLETED with exactly one result (hot object or vault archive, the
 * database agreeing), every bad one FAILED with a reason and no result, exactly one email per job,
 * no orphan work folders, every queue and dead-letter queue empty. Prints the
 * counts; exits non-zero on any loss, duplicate or leftover.
 *
 *   bun bench/soak.ts                                        # 300 jobs, a kill every 3 s
 *   SOAK_JOBS=200 SOAK_KILL_EVERY_S=3 bun bench/soak.ts       # CI
 *   SOAK_JOBS=10000 SOAK_KILL_EVERY_S=5 bun bench/soak.ts
 *
 * Other knobs: SOAK_BAD_SHARE (0.02), SOAK_ARCHIVE_AFTER_S (3), SOAK_PG_RESTART_AT (0.5: when that
 * share of jobs has settled; 0 disables), SOAK_PG_DOWN_S (3), SOAK_TIMEOUT_S (1800).
 * Processes are supervised like systemd's Restart=on-failure (bench/soak-supervisor.ts); the
 * report says which exited on their own. Needs PostgreSQL binaries (test/support/throwaway-postgres.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import postgres from "postgres";
import { createTestDatabase } from "../src/db/test-database.ts";
import { startThrowawayPostgres } from "../test/support/throwaway-postgres.ts";
import type { Client } from "../test/support/gas-process.ts";
import { apiClient, pool, upload } from "./bench-client.ts";
import { countSoak, soakFaults } from "./soak-checks.ts";
import { restartPostgres } from "./soak-postgres.ts";
import { startSupervisor } from "./soak-supervisor.ts";

const JOBS = Number(process.env.SOAK_JOBS ?? 300);
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY_S ?? 3) * 1000;
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_S ?? 1800) * 1000;
const BAD_SHARE = Number(process.env.SOAK_BAD_SHARE ?? 0.02);
const ARCHIVE_AFTER_S = Number(process.env.SOAK_ARCHIVE_AFTER_S ?? 3);
const PG_RESTART_AT = Number(process.env.SOAK_PG_RESTART_AT ?? 0.5);
const PG_DOWN_MS = Number(process.env.SOAK_PG_DOWN_S ?? 3) * 1000;
const WORKERS = ["annotator-1", "annotator-2", "archiver", "notifier"];

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const goodVcf = new Uint8Array(await Bun.file(join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf")).arrayBuffer());
/** Deliberately bad inputs, each a different failure the engine must name (file, line, problem). */
const badInputs: { name: string; body: Uint8Array<ArrayBuffer> }[] = [
  { name: "no-header.vcf", body: new TextEncoder().encode("this is not a VCF file\n") },
  {
    name: "bad-pos.vcf",
    body: new TextEncoder().encode("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n21\tten\t.\tA\tG\t.\t.\t.\n"),
  },
  { name: "truncated.vcf.gz", body: new Uint8Array(gzipSync(goodVcf).subarray(0, 200)) },
];

const pg = await startThrowawayPostgres();
if (!pg) throw new Error("no PostgreSQL binaries found (install postgresql or set PG_BIN_DIR)");
const db = await createTestDatabase(pg.url);
const dataDir = await mkdtemp(join(tmpdir(), "gas-soak-"));
const env = {
  DATABASE_URL: db.url,
  QUEUE_VISIBILITY_SECONDS: "4",
  QUEUE_RETRY_BASE_SECONDS: "1",
  ARCHIVE_AFTER_SECONDS: String(ARCHIVE_AFTER_S),
  SHUTDOWN_GRACE_SECONDS: "2",
  // One user submits and polls every job: not what the per-user limit is for.
  RATE_LIMIT_API_PER_MINUTE: "0",
};
let sup: Awaited<ReturnType<typeof startSupervisor>> | null = null;
let failed = true;

/** Retry a step through web restarts and the database outage (connection errors, 5xx). */
async function retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= 60) throw new Error(`${what}: ${String(err)}`);
      await Bun.sleep(1000);
    }
  }
}

try {
  const started = performance.now();
  sup = await startSupervisor(
    [
      { name: "web", role: "web" },
      { name: "notifier", role: "notifier" },
      { name: "archiver", role: "archiver" },
      { name: "annotator-1", role: "annotator" },
      { name: "annotator-2", role: "annotator" },
    ],
    { env, dataDir },
  );
  const supervisor = sup;
  const webUrl = supervisor.byName("web").proc.url;

  // kill -9 a random worker every few seconds; the supervisor starts a new one in its place.
  let killing = true;
  const killer = (async () => {
    while (killing) {
      await Bun.sleep(KILL_EVERY_MS);
      if (killing)
        await supervisor.kill9(WORKERS[Math.floor(Math.random() * WORKERS.length)]!).catch((err) => console.error("kill/restart:", err));
    }
  })();

  const api: Client = await apiClient(webUrl, "soak@example.org");
  const badEvery = BAD_SHARE > 0 ? Math.max(1, Math.round(1 / BAD_SHARE)) : 0;
  const bad = new Set<string>();
  const ids = await pool(Array.from({ length: JOBS }), 8, async (_, i) => {
    const badInput = badEvery && i % badEvery === badEvery - 1 ? badInputs[((i / badEvery) % badInputs.length) | 0]! : null;
    const key = await retrying(`upload ${i}`, () => upload(api, badInput?.body ?? goodVcf, badInput?.name ?? `soak-${i}.vcf`));
    const id = await retrying(`submit ${i}`, async () => {
      const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
      if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
      return ((await res.json()) as { job_id: string }).job_id;
    });
    if (badInput) bad.add(id);
    return id;
  });
  console.log(`submitted ${ids.length} jobs (${bad.size} bad inputs) in ${seconds(started)}`);

  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  const deadline = Date.now() + TIMEOUT_MS;
  let pgRestart: { atSettled: number; downMs: number } | null = null;
  const PROGRESS_MS = 30_000;
  let nextProgress = Date.now() + PROGRESS_MS;
  let state = { settled: 0, archived: 0, completed: 0, queued: 0 };
  for (;;) {
    const read = await sql<{ settled: number; completed: number; archived: number; queued: number }[]>`
      select count(*) filter (where status in ('COMPLETED', 'FAILED'))::int as settled,
             count(*) filter (where status = 'COMPLETED')::int as completed,
             count(*) filter (where result_state = 'ARCHIVED')::int as archived,
             (select count(*)::int from queue_messages) as queued
      from jobs`.catch(() => null); // the database may be down right now
    if (read) state = read[0]!;
    if (PG_RESTART_AT > 0 && !pgRestart && state.settled >= JOBS * PG_RESTART_AT) {
      const downMs = await restartPostgres(pg.url, PG_DOWN_MS);
      pgRestart = { atSettled: state.settled, downMs };
      console.log(`PostgreSQL crash-stopped and started again at ${state.settled} settled jobs (down ${downMs} ms)`);
    }
    if (Date.now() >= nextProgress) {
      console.log(`${seconds(started)}: ${JSON.stringify(state)}`);
      nextProgress = Date.now() + PROGRESS_MS;
    }
    if (state.settled >= JOBS && state.archived >= state.completed && state.queued === 0) break;
    if (Date.now() > deadline) break;
    await Bun.sleep(1000);
  }
  killing = false;
  await killer;
  console.log(`settled and archived in ${seconds(started)}: ${JSON.stringify(state)}`);
  // A late duplicate (a redelivery after the last kill) would show up within a few leases.
  await Bun.sleep(5000);
  const emailSends = supervisor
    .logsOf("notifier")
    .filter((l) => l.msg === "email sent")
    .map((l) => String(l.jobId));
  const counts = await countSoak({ sql, dataDir, ids, bad, emailSends });
  await sql.end();
  const faults = soakFaults(counts);
  console.log(
    JSON.stringify(
      {
        ...counts,
        wallSeconds: Math.round((performance.now() - started) / 1000),
        kills: supervisor.counts.kills,
        exitedOnTheirOwn: supervisor.counts.exits,
        postgresRestart: pgRestart,
      },
      null,
      2,
    ),
  );
  failed = faults.length > 0;
  // A wrong outcome is rare and random (which kill hit which step): print each such job's story
  // from every process's log so the run itself says what happened.
  for (const w of counts.wrongOutcomes) {
    console.log(`wrong outcome: job ${w.id} (${w.bad ? "bad" : "good"} input) ${w.status}: ${w.reason ?? "no reason"}`);
    for (const name of ["web", ...WORKERS])
      for (const l of supervisor.logsOf(name).filter((l) => l.jobId === w.id)) console.log(`  ${name} ${JSON.stringify(l)}`);
  }
  if (counts.tempFilesLeft > 0)
    console.log(
      `warning: ${counts.tempFilesLeft} half-written temp files left by killed writers (not counted as a fault): ${counts.tempFiles.join(", ")}`,
    );
  console.log(failed ? `SOAK FAILED: ${faults.join("; ")}` : "SOAK OK: 0 lost, 0 duplicated, nothing left over");
} finally {
  await sup?.stopAll();
  await db.drop().catch(() => {});
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
