import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mailerContract } from "../../ports/mailer.contract.ts";
import { createOutboxMailer } from "./outbox-mailer.ts";

mailerContract("outbox folder", async () => {
  const dir = await mkdtemp(join(tmpdir(), "gas-outbox-"));
  return {
    mailer: createOutboxMailer(dir, "GAS <noreply@gas.localhost>"),
    delivered: async () => Promise.all((await readdir(dir)).filter((f) => f.endsWith(".eml")).map((f) => Bun.file(join(dir, f)).text())),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});
