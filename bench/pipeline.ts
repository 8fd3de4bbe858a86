/**
 * Pipeline benchmark: N small jobs end to end on one box (`bun bench/pipeline.ts [N]`, default
 * 1000). Starts `--role=all` (PGlite; set DATABASE_URL for PostgreSQL), uploads the tiny demo
 * VCF N times through the signed form, submits every job, waits for all to finish, and prints
 * jobs/min and pickup latency (submit → RUNNING) p50/p99. In that burst pickup is mostly queueing
 * behind earlier jobs, so a second phase submits jobs one at a time to idle annotators and reports
 * the push (LISTEN/NOTIFY) pickup latency on its own. Set ANNOTATOR_CONCURRENCY to taste.
 */
import { join } from "node:path";
import { rm } from "node:fs/promises";
import { startGas } from "../test/support/gas-process.ts";
import { apiClient, percentile, pool, upload } from "./bench-client.ts";

const N = Number(Bun.argv[2] ?? 1000);
const input = await Bun.file(join(import.meta.dir, "..", "data", "demo", "vcf", "test3.vcf")).bytes();
const env: Record<string, string> = { LOG_LEVEL: "warn", ANNOTATOR_CONCURRENCY: Bun.env.ANNOTATOR_CONCURRENCY ?? "2" };
if (Bun.env.DATABASE_URL) env.DATABASE_URL = Bun.env.DATABASE_URL;
const gas = await startGas({ env });
try {
  const api = await apiClient(gas.url, "bench@example.org");
  console.log(`uploading ${N} inputs…`);
  const keys = await pool(Array.from({ length: N }), 8, (_, i) => upload(api, input, `bench-${i}.vcf`));
  console.log(`submitting ${N} jobs…`);
  const started = performance.now();
  const ids = await pool(keys, 8, async (key) => {
    const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    return ((await res.json()) as { job_id: string }).job_id;
  });
  const pending = new Set(ids);
  const details = new Map<string, Record<string, string | null>>();
  while (pending.size > 0) {
    await pool([...pending], 8, async (id) => {
      const d = (await (await api.json(`/annotations/${id}`)).json()) as Record<string, string | null>;
      if (d.job_status === "COMPLETED" || d.job_status === "FAILED") {
        pending.delete(id);
        details.set(id, d);
      }
    });
    if (pending.size > 0) await Bun.sleep(200);
  }
  const minutes = (performance.now() - started) / 60_000;
  // Phase 2: idle annotators, one job at a time.
  const idlePickups: number[] = [];
  const M = Math.min(50, Math.max(5, Math.floor(N / 10)));
  for (let i = 0; i < M; i++) {
    const key = await upload(api, input, `idle-${i}.vcf`);
    const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const id = ((await res.json()) as { job_id: string }).job_id;
    for (;;) {
      const d = (await (await api.json(`/annotations/${id}`)).json()) as Record<string, string | null>;
      if (d.job_status === "COMPLETED" || d.job_status === "FAILED") {
        idlePickups.push(Date.parse(d.start_time!) - Date.parse(d.submit_time!));
        break;
      }
      await Bun.sleep(20);
    }
  }
  const pickups = [...details.values()].map((d) => Date.parse(d.start_time!) - Date.parse(d.submit_time!));
  const failed = [...details.values()].filter((d) => d.job_status === "FAILED").length;
  console.log(
    JSON.stringify({
      jobs: N,
      failed,
      jobsPerMinute: Math.round(N / minutes),
      burstPickupMs: { p50: percentile(pickups, 50), p99: percentile(pickups, 99) },
      idlePickupMs: { jobs: M, p50: percentile(idlePickups, 50), p99: percentile(idlePickups, 99) },
      database: env.DATABASE_URL ? "postgres" : "pglite",
      annotatorConcurrency: Number(env.ANNOTATOR_CONCURRENCY),
    }),
  );
} finally {
  await gas.stop();
  await rm(gas.dataDir, { recursive: true, force: true });
}
