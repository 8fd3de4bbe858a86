/**
 * API benchmark: POST /annotations requests per second (`bun bench/api.ts [N] [concurrency]`,
 * default 2000 and 64). Runs the web role alone so annotators do not compete for the CPU; the
 * inputs are uploaded first, then every submit is timed. Also prints the web process's CPU time per
 * request (Linux), which stays meaningful when other work shares the machine.
 *
 * Measured 2026-11-24 on 2 shared cores (load average 5–6 from other work), N=2000, C=64:
 *   PostgreSQL  before 326–379 req/s (p50 ~170 ms, web CPU ~2 ms/request)
 *               after  1,630–2,417 req/s (p50 22–35 ms, p99 93–136 ms, web CPU 0.26–0.40 ms/request)
 *   PGlite      before 191–247 req/s, after 426 req/s (web CPU 2.9 ms/request, nearly all inside PGlite)
 * What changed: API tokens cached 5 s (revocation immediate, other processes told over NOTIFY),
 * prepared statements on the submit path, and the job insert + job.requested enqueue + NOTIFY in
 * one statement (JobStore.createAndAnnounce).
 */
import { join } from "node:path";
import { rm } from "node:fs/promises";
import { startGas } from "../test/support/gas-process.ts";
import { apiClient, percentile, pool, upload } from "./bench-client.ts";

const N = Number(Bun.argv[2] ?? 2000);
const C = Number(Bun.argv[3] ?? 64);
const input = await Bun.file(join(import.meta.dir, "..", "data", "demo", "vcf", "test3.vcf")).bytes();
const env: Record<string, string> = { LOG_LEVEL: "warn" };
if (Bun.env.DATABASE_URL) env.DATABASE_URL = Bun.env.DATABASE_URL;
const gas = await startGas({ role: "web", env });
try {
  const api = await apiClient(gas.url, "bench-api@example.org");
  console.log(`uploading ${N} inputs…`);
  const keys = await pool(Array.from({ length: N }), 16, (_, i) => upload(api, input, `api-${i}.vcf`));
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = await cpuMs(gas.proc.pid);
  const started = performance.now();
  await pool(keys, C, async (key) => {
    const t = performance.now();
    const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    await res.arrayBuffer();
    if (res.status !== 201) errors++;
    latencies.push(performance.now() - t);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuMs(gas.proc.pid);
  console.log(
    JSON.stringify({
      requests: N,
      concurrency: C,
      errors,
      requestsPerSecond: Math.round(N / seconds),
      latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)) },
      // CPU the web process spent per request: steadier than req/s on a shared machine, and
      // 1000 / this is what one core could serve.
      webCpuMsPerRequest: cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) / N) * 1000) / 1000,
      database: env.DATABASE_URL ? "postgres" : "pglite",
    }),
  );
} finally {
  await gas.stop();
  await rm(gas.dataDir, { recursive: true, force: true });
}

/** User + system CPU of a process in ms (Linux /proc), or null elsewhere. */
async function cpuMs(pid: number): Promise<number | null> {
  try {
    const fields = (await Bun.file(`/proc/${pid}/stat`).text()).split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return null;
  }
}
