/**
 * Mailer that writes each message as an RFC 5322 `.eml` file into an outbox folder (open it with
 * any mail client). The file is named after the idempotency key and written atomically, so a
 * redelivered notification replaces its own file instead of adding a second email. Temp files
 * a killed writer left behind are removed when the mailer is created (stale-temp-files.ts).
 */
import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { toEml } from "jsx-email/eml";
import type { MailMessage, Mailer } from "../../ports/mailer.ts";
import { type SweepsStaleTempFiles, WRITER_TAG, WRITER_TAG_PATTERN, startStaleTempSweep } from "./stale-temp-files.ts";

/** File name for a message: the idempotency key with anything unusual replaced. */
export const outboxFileName = (idempotencyKey: string) => `${idempotencyKey.replace(/[^A-Za-z0-9._-]/g, "_")}.eml`;

/** Temp file of a message being written: `<file>.eml.<writer>.tmp` (see send; `<pid>` in older names). */
const OUTBOX_TEMP = new RegExp(`\\.eml\\.(?:(${WRITER_TAG_PATTERN})|\\d+)\\.tmp$`);
const isOutboxTemp = (fileName: string) => OUTBOX_TEMP.test(fileName);

/** Create a mailer writing to `dir`; it starts by removing stale temp files there. */
export function createOutboxMailer(dir: string, from: string): Mailer & SweepsStaleTempFiles {
  return {
    staleTempsRemoved: startStaleTempSweep({ dir, isTemp: isOutboxTemp, writerOf: (f) => OUTBOX_TEMP.exec(f)?.[1] ?? null }),
    async send(m: MailMessage) {
      await mkdir(dir, { recursive: true });
      const eml = toEml({ from, to: m.to, subject: m.subject, html: m.html, plain: m.text, date: new Date() });
      const target = join(dir, outboxFileName(m.idempotencyKey));
      const temp = `${target}.${WRITER_TAG}.tmp`;
      await Bun.write(temp, eml);
      await rename(temp, target);
    },
  };
}
