/**
 * Start-up sweep of half-written temp files. The local adapters write to a temp file and rename it
 * into place; a writer kill -9'd between the two leaves the temp file behind, and its retry writes
 * under a new temp name, so nothing else would ever remove it (the 10,000-job soak found some).
 *
 * Only files that cannot belong to a live writer are removed: several processes (web, annotators,
 * archiver, notifier) share one data folder, so at any start-up another process may be mid-write.
 * Every write here copies a body that is already complete (an email, a finished result file, an
 * archive, an upload the web role has received whole), so it takes seconds at most and its temp
 * file's mtime moves while it lasts. A temp file unchanged for STALE_TEMP_AFTER_MS, a hundred
 * times longer, is from a dead writer; an mtime test needs no pid or lock bookkeeping, and works
 * across processes. Were the guess ever wrong, removing the file only makes that writer's rename
 * fail with ENOENT: its write is retried, and nothing half-written ever becomes visible.
 *
 * The mtime test alone kept a killed writer's file until a start 10 minutes later: a kill -9
 * during an upload, then a restart, left a full-size temp file (issue 13). So temp names also
 * carry their writer (WRITER_TAG: pid and start time) and a file whose writer is gone is removed
 * at once. "Gone" is no such pid, or a pid now held by another process (a different start time in
 * /proc/<pid>/stat: pids are reused). This assumes the processes sharing a data folder share a pid
 * namespace (one box, or one container); a name without a tag falls back to the mtime test.
 */
import { readFileSync } from "node:fs";
import { lstat, readdir, unlink } from "node:fs/promises";
import { basename, join } from "node:path";

/** How long a temp file must have been unchanged (by mtime) before a sweep may remove it. */
export const STALE_TEMP_AFTER_MS = 10 * 60 * 1000;

/** Matches a lower-case `crypto.randomUUID()` (the temp names of two adapters contain one). */
export const UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * Start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), or null
 * where there is no /proc or no such process.
 */
export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

/** This process as a temp file's writer: `<pid>-<start time>` (`<pid>-0` without /proc). */
export const WRITER_TAG = `${process.pid}-${processStartTime(process.pid) ?? 0}`;
/** Matches a writer tag in a temp name. */
export const WRITER_TAG_PATTERN = "\\d+-\\d+";

/**
 * Is the writer named by `tag` still running? No such pid: no. A pid whose start time differs
 * from the tag's: no (the pid was reused). Without /proc, or for a tag without a start time, a
 * live pid counts as the writer.
 */
export function writerIsAlive(tag: string): boolean {
  const [pidText, startText] = tag.split("-");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to another user; only ESRCH says it is gone.
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = Number(startText ?? 0);
  if (!start) return true;
  const now = processStartTime(pid);
  return now === null || now === start;
}

export interface StaleTempSweepOptions {
  dir: string;
  /** Is this file name (no folder) one of the adapter's temp files? Nothing else is ever removed. */
  isTemp: (fileName: string) => boolean;
  /** Also look in subfolders (the object store keeps temps beside nested keys). */
  recursive?: boolean;
  /** Default STALE_TEMP_AFTER_MS. */
  olderThanMs?: number;
  /**
   * The writer tag in a temp file's name (WRITER_TAG), or null for a name without one. A file
   * whose writer is gone is removed whatever its age; one whose writer lives is kept.
   */
  writerOf?: (fileName: string) => string | null;
}

/** Implemented by adapters that sweep their stale temp files when they are created. */
export interface SweepsStaleTempFiles {
  /** Settles when the start-up sweep is done, with how many stale temp files it removed. */
  readonly staleTempsRemoved: Promise<number>;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === "ENOENT";

/**
 * Remove the adapter's temp files in `dir` whose writer is gone or, for names that do not say who
 * wrote them, not modified for `olderThanMs`; returns how many.
 * A missing folder (nothing written yet) is 0. Only regular files are removed, never folders or
 * symlinks. Files another process removes first (its own sweep) are skipped.
 */
export async function removeStaleTempFiles(opts: StaleTempSweepOptions): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(opts.dir, { recursive: opts.recursive ?? false })) as string[];
  } catch (err) {
    if (isMissing(err)) return 0;
    throw err;
  }
  const cutoff = Date.now() - (opts.olderThanMs ?? STALE_TEMP_AFTER_MS);
  let removed = 0;
  for (const rel of names) {
    const name = basename(rel);
    if (!opts.isTemp(name)) continue;
    const path = join(opts.dir, rel);
    const writer = opts.writerOf?.(name) ?? null;
    if (writer !== null && writerIsAlive(writer)) continue;
    try {
      const s = await lstat(path);
      if (!s.isFile() || (writer === null && s.mtimeMs > cutoff)) continue;
      await unlink(path);
      removed++;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
  return removed;
}

/**
 * Start `removeStaleTempFiles` without waiting for it, for adapter factories, which are
 * synchronous. The returned promise still rejects for whoever awaits it, but a failed sweep never
 * becomes an unhandled rejection that would stop the process: the adapter works without it.
 */
export function startStaleTempSweep(opts: StaleTempSweepOptions): Promise<number> {
  const sweep = removeStaleTempFiles(opts);
  sweep.catch(() => {});
  return sweep;
}
