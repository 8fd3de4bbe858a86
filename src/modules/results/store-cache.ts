/**
 * The web role's local copies of results stores: SQLite needs a file to seek in, and the results
 * object store (S3 on AWS) only streams. A folder whose total size is capped: a download streams
 * to a temp file and is renamed into place (a crash leaves no half store under a real name),
 * concurrent requests for one key share that download, and when the folder is over its cap the
 * least recently used files that no caller holds are deleted. A held file is never deleted, so the
 * folder may exceed the cap while more stores are in use at once than fit in it.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { streamToFile } from "./stream-to-file.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { AppError } from "../../shared/errors.ts";

export interface StoreLease {
  /** The local file; valid until release(). */
  readonly path: string;
  release(): void;
}

export interface StoreCache {
  /** The store at `key` as a local file, downloaded first if needed; NOT_FOUND when the object is absent. */
  acquire(key: string): Promise<StoreLease>;
  /**
   * Drop the local copy of `key` (its job was deleted): at once when no caller holds it, else when
   * the last holder releases it. Nothing when it is not cached.
   */
  evict(key: string): void;
  /** Bytes of the files in the folder now. */
  readonly bytes: number;
}

export interface StoreCacheOptions {
  dir: string;
  /** The folder's size cap. */
  maxBytes: number;
  results: Pick<ObjectStore, "get">;
  /** Told when a file is deleted, so that whoever keeps it open closes it (its disk space is freed only then). */
  onEvict?: (path: string) => void;
}

interface Entry {
  path: string;
  size: number;
  holders: number;
  /** Set while the download runs; the entry counts only once it resolves. */
  ready: Promise<void>;
  lastUsed: number;
  /** Evicted while held: removed when the last holder releases it. */
  doomed?: true;
}

const SUFFIX = ".sqlite";
/** A temp file untouched this long belongs to a download that died (downloads write continuously). */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * The cache over `dir`. The folder is read on first use (not here, so that building the web role's
 * dependencies does no I/O): files left by an earlier process are reused, temp files deleted.
 */
export function createStoreCache(opts: StoreCacheOptions): StoreCache {
  const entries = new Map<string, Entry>();
  let tick = 0;
  let bytes = 0;
  let started: Promise<void> | null = null;

  async function start(): Promise<void> {
    await mkdir(opts.dir, { recursive: true });
    for (const name of await readdir(opts.dir)) {
      const path = join(opts.dir, name);
      const s = await stat(path);
      if (!name.endsWith(SUFFIX)) {
        // Another web process on this host may share the folder: only old temp files are dead ones.
        if (Date.now() - s.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true, recursive: true });
        continue;
      }
      if (!entries.has(name)) entries.set(name, { path, size: s.size, holders: 0, ready: Promise.resolve(), lastUsed: s.mtimeMs });
    }
    // LRU order is a counter; files found at start rank by their modification time.
    for (const e of [...entries.values()].sort((a, b) => a.lastUsed - b.lastUsed)) e.lastUsed = ++tick;
    bytes = [...entries.values()].reduce((n, e) => n + e.size, 0);
  }

  /** Drops the least recently used idle files until under the cap (bookkeeping first, synchronously). */
  function evict(): Promise<unknown> {
    if (bytes <= opts.maxBytes) return Promise.resolve();
    const idle = [...entries.entries()].filter(([, e]) => e.holders === 0 && e.size > 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    const removals: Promise<void>[] = [];
    for (const [name, e] of idle) {
      if (bytes <= opts.maxBytes) break;
      removals.push(remove(name, e));
    }
    return Promise.all(removals);
  }

  /** Forget one entry and delete its file (bookkeeping first, synchronously). */
  function remove(name: string, e: Entry): Promise<void> {
    entries.delete(name);
    bytes -= e.size;
    opts.onEvict?.(e.path);
    return rm(e.path, { force: true });
  }

  async function download(key: string, path: string, entry: Entry): Promise<void> {
    const object = await opts.results.get(key);
    if (!object)
      throw new AppError("NOT_FOUND", `The results store ${key.slice(key.indexOf("~") + 1)} is missing from the results storage`);
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await streamToFile(object.stream(), temp);
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw new AppError("UNAVAILABLE", `Could not fetch the results store of this job: ${(err as Error).message}`, { cause: err });
    }
    entry.size = (await stat(path)).size;
    bytes += entry.size;
  }

  const nameOf = (key: string) => `${createHash("sha256").update(key).digest("hex").slice(0, 32)}${SUFFIX}`;

  return {
    get bytes() {
      return bytes;
    },
    evict(key: string) {
      const name = nameOf(key);
      const e = entries.get(name);
      if (!e) return;
      // A download still running counts once it resolves: let it land, then drop it like a held one.
      if (e.holders > 0 || e.size === 0) e.doomed = true;
      else void remove(name, e);
    },
    async acquire(key: string): Promise<StoreLease> {
      started ??= start();
      await started;
      const name = nameOf(key);
      let entry = entries.get(name);
      if (!entry) {
        const path = join(opts.dir, name);
        const fresh: Entry = { path, size: 0, holders: 0, ready: Promise.resolve(), lastUsed: ++tick };
        fresh.ready = download(key, path, fresh).catch((err) => {
          if (entries.get(name) === fresh) entries.delete(name);
          throw err;
        });
        entries.set(name, fresh);
        entry = fresh;
      }
      entry.holders++;
      entry.lastUsed = ++tick;
      try {
        await entry.ready;
      } catch (err) {
        entry.holders--;
        throw err;
      }
      await evict();
      let released = false;
      const held = entry;
      return {
        path: held.path,
        release() {
          if (released) return;
          released = true;
          held.holders--;
          held.lastUsed = ++tick;
          if (held.doomed && held.holders === 0 && entries.get(name) === held) void remove(name, held);
          void evict();
        },
      };
    },
  };
}
