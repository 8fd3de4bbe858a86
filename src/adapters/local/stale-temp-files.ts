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
 */
import { lstat, readdir, unlink } from "node:fs/promises";
import { basename, join } from "node:path";

/** How long a temp file must have been unchanged (by mtime) before a sweep may remove it. */
export const STALE_TEMP_AFTER_MS = 10 * 60 * 1000;

/** Matches a lower-case `crypto.randomUUID()` (the temp names of two adapters contain one). */
export const UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export interface StaleTempSweepOptions {
  dir: string;
  /** Is this file name (no folder) one of the adapter's temp files? Nothing else is ever removed. */
  isTemp: (fileName: string) => boolean;
  /** Also look in subfolders (the object store keeps temps beside nested keys). */
  recursive?: boolean;
  /** Default STALE_TEMP_AFTER_MS. */
  olderThanMs?: number;
}

/** Implemented by adapters that sweep their stale temp files when they are created. */
export interface SweepsStaleTempFiles {
  /** Settles when the start-up sweep is done, with how many stale temp files it removed. */
  readonly staleTempsRemoved: Promise<number>;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === "ENOENT";

/**
 * Remove the adapter's temp files in `dir` not modified for `olderThanMs`; returns how many.
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
    if (!opts.isTemp(basename(rel))) continue;
    const path = join(opts.dir, rel);
    try {
      const s = await lstat(path);
      if (!s.isFile() || s.mtimeMs > cutoff) continue;
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
