/**
 * ArchiveVault in a folder, for the local backend. It behaves like the AWS storage it stands in
 * for: archived bytes are unreadable until a restore is started, the restore "thaws" after
 * `restoreDelaySeconds`, and completion is announced on the `archive.restored` topic by a
 * delayed message (so no process sleeps on a timer, and a restart loses nothing).
 *
 * Layout: `<root>/<archiveId>.archive` (the bytes) and `<root>/<archiveId>.restore` (JSON
 * `{ readyAt }`, written when a restore starts). Archive ids are derived from the ref, so
 * archiving the same ref again replaces the archive instead of leaving a second one. Both are
 * written through `<file>.<uuid>.tmp`; temp files a killed writer left behind are removed when the
 * vault is created (stale-temp-files.ts).
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ArchiveVault, RestoreCompleted } from "../../ports/archive-vault.ts";
import type { Topic } from "../../ports/queue.ts";
import { type SweepsStaleTempFiles, UUID_PATTERN, WRITER_TAG, WRITER_TAG_PATTERN, startStaleTempSweep } from "./stale-temp-files.ts";

export interface FsArchiveVaultOptions {
  root: string;
  /** Where restore completions are announced (`archive.restored`). */
  topic: Topic;
  restoreDelaySeconds: number;
}

const ARCHIVE_ID = /^local-[0-9a-f]{40}$/;
/**
 * Temp file of writeAtomically: `<archiveId>.archive.<uuid>.<writer>.tmp` or
 * `<archiveId>.restore.<uuid>.<writer>.tmp` (no `<writer>` in older names).
 */
const VAULT_TEMP = new RegExp(`^local-[0-9a-f]{40}\\.(?:archive|restore)\\.${UUID_PATTERN}(?:\\.(${WRITER_TAG_PATTERN}))?\\.tmp$`);

/** Create the folder vault; it starts by removing stale temp files in `root`. */
export function createFsArchiveVault(opts: FsArchiveVaultOptions): ArchiveVault & SweepsStaleTempFiles {
  const { root, topic, restoreDelaySeconds } = opts;
  // Ids come back from messages and the job store: anything else never becomes a path.
  const paths = (archiveId: string) =>
    ARCHIVE_ID.test(archiveId) ? { bytes: join(root, `${archiveId}.archive`), restore: join(root, `${archiveId}.restore`) } : null;
  const readyAt = async (restorePath: string): Promise<number | null> => {
    const f = Bun.file(restorePath);
    if (!(await f.exists())) return null;
    const v = (await f.json().catch(() => null)) as { readyAt?: unknown } | null;
    return typeof v?.readyAt === "number" ? v.readyAt : null;
  };
  const writeAtomically = async (path: string, body: Uint8Array | string) => {
    const tmp = `${path}.${randomUUID()}.${WRITER_TAG}.tmp`;
    await Bun.write(tmp, body);
    await rename(tmp, path);
  };

  return {
    staleTempsRemoved: startStaleTempSweep({
      dir: root,
      isTemp: (f) => VAULT_TEMP.test(f),
      writerOf: (f) => VAULT_TEMP.exec(f)?.[1] ?? null,
    }),

    async archive(ref, body) {
      const archiveId = `local-${createHash("sha256").update(ref).digest("hex").slice(0, 40)}`;
      const p = paths(archiveId)!;
      await mkdir(root, { recursive: true });
      await writeAtomically(p.bytes, body);
      await rm(p.restore, { force: true }); // a new archive is frozen again
      return archiveId;
    },

    async startRestore(archiveId, ref) {
      const p = paths(archiveId);
      if (!p || !(await Bun.file(p.bytes).exists())) return "missing";
      const at = await readyAt(p.restore);
      if (at !== null) return at <= Date.now() ? "ready" : "in-progress";
      const ready = Date.now() + restoreDelaySeconds * 1000;
      // Announce first, then record: a crash in between leaves no marker, so the caller's retry
      // starts (and announces) again instead of waiting forever for an announcement never sent.
      await topic.publish("archive.restored", { archiveId, ref } satisfies RestoreCompleted, { delaySeconds: restoreDelaySeconds });
      await writeAtomically(p.restore, JSON.stringify({ readyAt: ready, ref }));
      return "started";
    },

    async readRestored(archiveId) {
      const p = paths(archiveId);
      if (!p) return null;
      const at = await readyAt(p.restore);
      if (at === null || at > Date.now()) return null;
      const f = Bun.file(p.bytes);
      return (await f.exists()) ? await f.bytes() : null;
    },

    async delete(archiveId) {
      const p = paths(archiveId);
      if (!p) return;
      await rm(p.bytes, { force: true });
      await rm(p.restore, { force: true });
    },

    readRestoreNotice(message) {
      const m = message as Partial<RestoreCompleted> | null;
      if (!m || typeof m !== "object" || typeof m.archiveId !== "string" || typeof m.ref !== "string") return [];
      return [{ archiveId: m.archiveId, ref: m.ref }];
    },
  };
}
