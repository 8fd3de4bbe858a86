/**
 * The soak's end-of-run accounting: per job, what the database says and what is on disk (result
 * objects, vault archives, outbox emails, work folders). Every count is per job id so a loss in
 * one job cannot hide behind a duplicate in another.
 */
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type postgres from "postgres";

export interface SoakCounts {
  jobs: number;
  badInputs: number;
  completed: number;
  failedAsExpected: number;
  /** A good input that FAILED, a bad one that COMPLETED, or a FAILED job without a reason. */
  wrongOutcome: number;
  /** Up to 5 of them, so a failure says which job and why without a rerun. */
  wrongOutcomes: { id: string; bad: boolean; status: string; reason: string | null }[];
  notFinished: number;
  archived: number;
  /** COMPLETED jobs whose result is neither one hot object nor one archive (state and files agree). */
  resultsMissing: number;
  resultsDuplicated: number;
  /** Result files or archives for jobs that FAILED. */
  resultsForFailedJobs: number;
  emailsMissing: number;
  emailsDuplicated: number;
  /** Sends logged by notifiers beyond one per job: a kill between send and ledger (same idempotency key, same outbox file). */
  emailResends: number;
  orphanWorkFolders: number;
  /**
   * Half-written files (*.tmp, *.tmp-; up to 10 listed) in the object store, vault or outbox: a writer
   * kill -9'd between its write and its rename. Not a loss or a duplicate (the retry writes under a
   * new temp name and renames), so a warning, not a fault: the local adapters sweep their own temps
   * at start-up once unchanged for 10 minutes (src/adapters/local/stale-temp-files.ts), so a run
   * shows at most those of its last minutes.
   */
  tempFilesLeft: number;
  tempFiles: string[];
  queues: Record<string, number>;
}

/** The vault's archive id for a job (fs-archive-vault.ts derives it from the ref, the job id). */
const archiveIdOf = (jobId: string) => `local-${createHash("sha256").update(jobId).digest("hex").slice(0, 40)}`;

const list = async (dir: string) => (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String);

/** Count everything; `emailSends` are the jobIds of notifier "email sent" log lines. */
export async function countSoak(opts: {
  sql: postgres.Sql;
  dataDir: string;
  ids: string[];
  bad: Set<string>;
  emailSends: string[];
}): Promise<SoakCounts> {
  const { sql, dataDir, ids, bad } = opts;
  const rows = await sql<
    { id: string; status: string; result_state: string | null; archive_id: string | null; failure_reason: string | null }[]
  >`
    select id, status, result_state, archive_id, failure_reason from jobs`;
  const byId = new Map(rows.map((r) => [r.id, r]));

  const perJob = (files: string[], re: RegExp) => {
    const m = new Map<string, number>();
    for (const f of files) {
      const id = re.exec(f)?.[1];
      if (id) m.set(id, (m.get(id) ?? 0) + 1);
    }
    return m;
  };
  const resultFiles = await list(join(dataDir, "objects", "gas-results"));
  const hot = perJob(resultFiles, /([0-9a-f-]{36})~.*\.annot\.vcf(\.gz)?$/);
  const vaultFiles = await list(join(dataDir, "vault"));
  const archives = new Set(vaultFiles.filter((f) => f.endsWith(".archive")).map((f) => f.slice(0, -".archive".length)));
  const outboxFiles = await list(join(dataDir, "outbox"));
  const emails = perJob(outboxFiles, /^job\.completed_([0-9a-f-]{36})\.eml$/);
  const sends = new Map<string, number>();
  for (const id of opts.emailSends) sends.set(id, (sends.get(id) ?? 0) + 1);
  const inputFiles = await list(join(dataDir, "objects", "gas-inputs"));
  const temp = [
    ...resultFiles.map((f) => `objects/gas-results/${f}`),
    ...inputFiles.map((f) => `objects/gas-inputs/${f}`),
    ...vaultFiles.map((f) => `vault/${f}`),
    ...outboxFiles.map((f) => `outbox/${f}`),
  ].filter((f) => f.endsWith(".tmp") || f.endsWith(".tmp-")); // fs-object-store names its temps `.<uuid>.tmp-`

  let completed = 0,
    failedAsExpected = 0,
    wrongOutcome = 0,
    notFinished = 0,
    archived = 0;
  const wrongOutcomes: SoakCounts["wrongOutcomes"] = [];
  let resultsMissing = 0,
    resultsDuplicated = 0,
    resultsForFailedJobs = 0;
  for (const id of ids) {
    const job = byId.get(id);
    const copies = (hot.get(id) ?? 0) + (archives.has(archiveIdOf(id)) ? 1 : 0);
    if (!job || (job.status !== "COMPLETED" && job.status !== "FAILED")) {
      notFinished++;
      continue;
    }
    const wrong = () => {
      wrongOutcome++;
      if (wrongOutcomes.length < 5) wrongOutcomes.push({ id, bad: bad.has(id), status: job.status, reason: job.failure_reason });
    };
    if (job.status === "FAILED") {
      if (bad.has(id) && job.failure_reason) failedAsExpected++;
      else wrong();
      if (copies > 0) resultsForFailedJobs++;
      continue;
    }
    completed++;
    if (bad.has(id)) wrong();
    if (job.result_state === "ARCHIVED") archived++;
    // The database and the files must agree: ARCHIVED ⇔ the archive and no hot copy.
    const expected =
      job.result_state === "ARCHIVED"
        ? (hot.get(id) ?? 0) === 0 && job.archive_id === archiveIdOf(id) && archives.has(archiveIdOf(id))
        : (hot.get(id) ?? 0) === 1;
    if (copies === 0 || (!expected && copies === 1)) resultsMissing++;
    else if (copies > 1) resultsDuplicated++;
  }
  const queues = await sql<
    { queue: string; n: number }[]
  >`select queue, count(*)::int as n from queue_messages group by queue order by queue`;
  return {
    jobs: ids.length,
    badInputs: bad.size,
    completed,
    failedAsExpected,
    wrongOutcome,
    wrongOutcomes,
    notFinished,
    archived,
    resultsMissing,
    resultsDuplicated,
    resultsForFailedJobs,
    emailsMissing: ids.filter((id) => !emails.has(id)).length,
    emailsDuplicated: ids.filter((id) => (emails.get(id) ?? 0) > 1).length,
    emailResends: [...sends.values()].reduce((s, n) => s + Math.max(0, n - 1), 0),
    orphanWorkFolders: (await readdir(join(dataDir, "work")).catch(() => [] as string[])).length,
    tempFilesLeft: temp.length,
    tempFiles: temp.slice(0, 10),
    queues: Object.fromEntries(queues.map((q) => [q.queue, q.n])),
  };
}

/** The faults that fail the soak (empty: clean). */
export function soakFaults(c: SoakCounts): string[] {
  const out: string[] = [];
  const zero = [
    "wrongOutcome",
    "notFinished",
    "resultsMissing",
    "resultsDuplicated",
    "resultsForFailedJobs",
    "emailsMissing",
    "emailsDuplicated",
    "orphanWorkFolders",
  ] as const;
  for (const k of zero) if (c[k] > 0) out.push(`${k}: ${c[k]}`);
  if (c.completed + c.failedAsExpected !== c.jobs)
    out.push(`completed ${c.completed} + failed as expected ${c.failedAsExpected} ≠ ${c.jobs} jobs`);
  if (c.archived !== c.completed) out.push(`archived ${c.archived} of ${c.completed} completed (free user, every result is due)`);
  const left = Object.values(c.queues).reduce((s, n) => s + n, 0);
  if (left > 0) out.push(`messages left in queues: ${JSON.stringify(c.queues)}`);
  return out;
}
