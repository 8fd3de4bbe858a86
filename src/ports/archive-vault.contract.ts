/**
 * ArchiveVault contract: the local folder vault, S3 archive storage classes and the Glacier vault
 * API must all pass this suite. The harness gives the vault and a way to receive what the vault
 * announced on the `archive.restored` topic (the restore queue's next message).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { randomBytes, randomUUID } from "node:crypto";
import type { ArchiveVault } from "./archive-vault.ts";

export interface ArchiveVaultHarness {
  vault: ArchiveVault;
  /** The next message published on `archive.restored` (acked), or null after `timeoutMs`. */
  nextNotice(timeoutMs: number): Promise<unknown | null>;
  /** Upper bound of one restore on this storage (the suite waits this long plus a margin). */
  restoreSeconds: number;
  close(): Promise<void>;
}

export interface ArchiveVaultContractOptions {
  /**
   * Tests an adapter cannot pass, with the reason (hono's runTest style): e.g. the Glacier vault
   * API gives every upload a new archive id, so "one archive per ref" cannot hold there.
   */
  skip?: { reason: string; tests: ("one archive per ref" | "a second startRestore starts nothing new")[] };
}

const text = (s: string) => new TextEncoder().encode(s);

/** Register the contract tests for one adapter. */
export function archiveVaultContract(name: string, open: () => Promise<ArchiveVaultHarness>, opts: ArchiveVaultContractOptions = {}) {
  const skipped = new Set(opts.skip?.tests ?? []);
  describe(`ArchiveVault contract: ${name}`, () => {
    let h: ArchiveVaultHarness;
    beforeEach(async () => {
      h = await open();
    }, 60_000);
    afterEach(() => h?.close(), 60_000);
    const waitMs = () => (h.restoreSeconds + 10) * 1000;

    test("archived bytes are not readable before a restore; refs get distinct ids", async () => {
      const a = await h.vault.archive(randomUUID(), text("alpha"));
      const b = await h.vault.archive(randomUUID(), text("alpha"));
      expect(typeof a).toBe("string");
      expect(a.length).toBeGreaterThan(0);
      expect(a).not.toBe(b);
      expect(await h.vault.readRestored(a)).toBeNull();
    });

    test.skipIf(skipped.has("one archive per ref"))(
      "one archive per ref: archiving the same ref again returns the same id with the new bytes",
      async () => {
        const ref = randomUUID();
        const first = await h.vault.archive(ref, text("first try"));
        const second = await h.vault.archive(ref, text("second try"));
        expect(second).toBe(first);
        expect(await h.vault.startRestore(second, ref)).toBe("started");
        expect(h.vault.readRestoreNotice(await h.nextNotice(waitMs()))).toEqual([{ archiveId: second, ref }]);
        expect(new TextDecoder().decode((await h.vault.readRestored(second))!)).toBe("second try");
      },
      60_000,
    );

    test("restore: started, announced with archive id and ref, then the same bytes are readable and 'ready'", async () => {
      const ref = randomUUID();
      const body = new Uint8Array(randomBytes(1024 * 1024 + 17)); // binary, not a multiple of any block size
      const id = await h.vault.archive(ref, body);
      expect(await h.vault.startRestore(id, ref)).toBe("started");
      const notice = await h.nextNotice(waitMs());
      expect(notice).not.toBeNull();
      expect(h.vault.readRestoreNotice(notice)).toEqual([{ archiveId: id, ref }]);
      const back = await h.vault.readRestored(id);
      expect(back?.length).toBe(body.length);
      expect(Buffer.from(back!).equals(Buffer.from(body))).toBe(true);
      expect(await h.vault.startRestore(id, ref)).toBe("ready");
    }, 60_000);

    test.skipIf(skipped.has("a second startRestore starts nothing new"))(
      "a second startRestore while one runs starts nothing new: one announcement",
      async () => {
        const ref = randomUUID();
        const id = await h.vault.archive(ref, text("once"));
        expect(await h.vault.startRestore(id, ref)).toBe("started");
        expect(await h.vault.startRestore(id, ref)).toBe("in-progress");
        expect(h.vault.readRestoreNotice(await h.nextNotice(waitMs()))).toEqual([{ archiveId: id, ref }]);
        expect(await h.nextNotice(1500)).toBeNull();
      },
      60_000,
    );

    test("delete is idempotent; a deleted or unknown archive is 'missing' and unreadable", async () => {
      const ref = randomUUID();
      const id = await h.vault.archive(ref, text("gone soon"));
      await h.vault.delete(id);
      await h.vault.delete(id);
      expect(await h.vault.startRestore(id, ref)).toBe("missing");
      expect(await h.vault.readRestored(id)).toBeNull();
      expect(await h.vault.startRestore(`no-such-${randomUUID()}`, ref)).toBe("missing");
      await h.vault.delete(`no-such-${randomUUID()}`);
    });

    test("messages that are not restore completions decode to []", () => {
      for (const m of [null, "x", 42, {}, { archiveId: 1 }, { Records: [] }]) expect(h.vault.readRestoreNotice(m)).toEqual([]);
    });
  });
}
