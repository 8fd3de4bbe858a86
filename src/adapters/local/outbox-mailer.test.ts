import { describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mailerContract } from "../../ports/mailer.contract.ts";
import { createOutboxMailer, outboxFileName } from "./outbox-mailer.ts";
import { STALE_TEMP_AFTER_MS } from "./stale-temp-files.ts";

mailerContract("outbox folder", async () => {
  const dir = await mkdtemp(join(tmpdir(), "gas-outbox-"));
  return {
    mailer: createOutboxMailer(dir, "GAS <noreply@gas.localhost>"),
    delivered: async () => Promise.all((await readdir(dir)).filter((f) => f.endsWith(".eml")).map((f) => Bun.file(join(dir, f)).text())),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("outbox folder: stale temp files of killed writers", () => {
  const aged = async (path: string, ageMs: number) => {
    await Bun.write(path, "half-written");
    const when = new Date(Date.now() - ageMs);
    await utimes(path, when, when);
  };

  test("removed when the mailer is created if older than the grace period; fresh temps and sent emails are kept", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gas-outbox-"));
    try {
      const stale = `${outboxFileName("job-1:completed")}.4242.tmp`;
      const fresh = `${outboxFileName("job-2:completed")}.4243.tmp`;
      const sent = outboxFileName("job-0:completed");
      await aged(join(dir, stale), STALE_TEMP_AFTER_MS + 60_000);
      await aged(join(dir, fresh), 5_000);
      await aged(join(dir, sent), STALE_TEMP_AFTER_MS * 100);
      const mailer = createOutboxMailer(dir, "GAS <noreply@gas.localhost>");
      expect(await mailer.staleTempsRemoved).toBe(1);
      expect((await readdir(dir)).sort()).toEqual([sent, fresh].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("an outbox folder that does not exist yet is fine, and is created by the first send", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "gas-outbox-")), "not-yet");
    try {
      const mailer = createOutboxMailer(dir, "GAS <noreply@gas.localhost>");
      expect(await mailer.staleTempsRemoved).toBe(0);
      await mailer.send({ to: "a@example.org", subject: "s", html: "<p>h</p>", text: "h", idempotencyKey: "k1" });
      expect(await readdir(dir)).toEqual(["k1.eml"]);
    } finally {
      await rm(join(dir, ".."), { recursive: true, force: true });
    }
  });
});
