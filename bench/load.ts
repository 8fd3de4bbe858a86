/**
 * Load test: starts GAS, runs Locust (bench/load/locustfile.py: sign in, upload policy, signed
 * upload, submit, poll until COMPLETED, download result and log, job list) headless against it,
 * and prints requests/s, p50/p95/p99 latency and failures per endpoint from Locust's CSV stats.
 * Exits non-zero when the failure rate is above --max-error-rate.
 *
 *   pip install locust==2.47.0
 *   bun bench/load.ts                          # --mode=all: one `--role=all` process (PGlite)
 *   bun bench/load.ts --mode=roles             # web + annotator×2 + archiver + notifier on PostgreSQL
 *   bun bench/load.ts --mode=all --db=postgres -u 40 -r 5 -t 120s
 *
 * Options: -u users (20), -r spawn rate per second (5), -t duration (60s), --mode all|roles,
 * --db pglite|postgres (all: pglite; roles: always postgres), --max-error-rate (0.01),
 * --csv PREFIX (where Locust's CSVs go; default a temp folder). The sign-in and upload rate limits
 * are off (test/support/gas-process.ts sets both to 0): every simulated user comes from 127.0.0.1.
 * The web process logs at warn (no line per request); workers at info.
 */
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type GasProcess, startGas } from "../test/support/gas-process.ts";
import { type ThrowawayPostgres, startThrowawayPostgres } from "../test/support/throwaway-postgres.ts";
import { formatStatsTable, parseLocustStats } from "./load/locust-stats.ts";

const { values: opt } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    mode: { type: "string", default: "all" },
    db: { type: "string" },
    users: { type: "string", short: "u", default: "20" },
    "spawn-rate": { type: "string", short: "r", default: "5" },
    time: { type: "string", short: "t", default: "60s" },
    "max-error-rate": { type: "string", default: "0.01" },
    csv: { type: "string" },
  },
  strict: true,
});
const mode = opt.mode;
if (mode !== "all" && mode !== "roles") throw new Error(`--mode must be all or roles (got ${mode})`);
const dbKind = mode === "roles" ? "postgres" : (opt.db ?? "pglite");
if (dbKind !== "pglite" && dbKind !== "postgres") throw new Error(`--db must be pglite or postgres (got ${dbKind})`);
const maxErrorRate = Number(opt["max-error-rate"]);

const dataDir = await mkdtemp(join(tmpdir(), "gas-load-"));
const csvPrefix = opt.csv ?? join(dataDir, "locust");
const procs: GasProcess[] = [];
let pg: ThrowawayPostgres | null = null;
let code = 1;
try {
  const env: Record<string, string> = {};
  if (dbKind === "postgres") {
    pg = await startThrowawayPostgres();
    if (!pg) throw new Error("no PostgreSQL binaries found (install postgresql or set PG_BIN_DIR)");
    env.DATABASE_URL = (await createTestDatabase(pg.url)).url;
  }
  const web = await startGas({ role: mode === "all" ? "all" : "web", env: { ...env, LOG_LEVEL: "warn" }, dataDir });
  procs.push(web);
  if (mode === "roles") {
    for (const role of ["annotator", "annotator", "archiver", "notifier"]) procs.push(await startGas({ role, env, dataDir }));
  }
  const layout = mode === "all" ? "one --role=all process" : "web + annotator×2 + archiver + notifier";
  console.log(`GAS: ${layout} on ${dbKind === "postgres" ? "PostgreSQL (throwaway)" : "PGlite"} at ${web.url}`);
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, load average before ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  const locust = [
    "locust",
    "-f",
    join(import.meta.dir, "load", "locustfile.py"),
    "--headless",
    "-u",
    opt.users,
    "-r",
    opt["spawn-rate"],
    "-t",
    opt.time,
    "--host",
    web.url,
    "--csv",
    csvPrefix,
    "--only-summary",
    "--stop-timeout",
    "30",
    "--loglevel",
    "WARNING",
  ];
  console.log(`$ ${locust.join(" ")}`);
  const started = performance.now();
  const run = Bun.spawn(locust, { stdout: "inherit", stderr: "inherit" });
  const locustCode = await run.exited;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `load average after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  const rows = parseLocustStats(await Bun.file(`${csvPrefix}_stats.csv`).text());
  console.log(`\n${formatStatsTable(rows)}`);
  const total = rows.find((r) => r.name === "Aggregated");
  const errorRate = total && total.requests > 0 ? total.failures / total.requests : 1;
  const jobs = rows.find((r) => r.type === "JOB");
  console.log(
    `\n${Math.round(seconds)} s; locust exit ${locustCode}; ${total?.requests ?? 0} requests, ${total?.failures ?? 0} failed (${(errorRate * 100).toFixed(2)} %); ${jobs?.requests ?? 0} jobs completed end to end`,
  );
  const failures = Bun.file(`${csvPrefix}_failures.csv`);
  if (total && total.failures > 0 && (await failures.exists()))
    console.log(`\nfailures:\n${(await failures.text()).split("\n").slice(0, 11).join("\n")}`);
  code = errorRate > maxErrorRate || !jobs?.requests ? 1 : 0;
  if (code)
    console.log(`LOAD FAILED: error rate ${(errorRate * 100).toFixed(2)} % > ${(maxErrorRate * 100).toFixed(2)} %, or no job completed`);
} finally {
  for (const p of procs.reverse()) if (p.proc.exitCode === null) await p.stop();
  await pg?.stop();
  if (!opt.csv) await rm(dataDir, { recursive: true, force: true });
}
process.exit(code);
