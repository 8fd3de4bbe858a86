/** Mailer contract: every adapter (outbox, SMTP, SES) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Mailer } from "./mailer.ts";

export interface MailerHarness {
  mailer: Mailer;
  /** Raw RFC 5322 messages the adapter delivered, as the receiving side saw them. */
  delivered(): Promise<string[]>;
  close(): Promise<void>;
}

/** Register the contract tests for one adapter. */
export function mailerContract(name: string, open: () => Promise<MailerHarness>) {
  describe(`Mailer contract: ${name}`, () => {
    let h: MailerHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(() => h.close());

    test("a sent message arrives with its recipient, subject and both bodies", async () => {
      await h.mailer.send({
        to: "ada@example.org",
        subject: "Results available for job 42",
        text: "Your annotation job completed.",
        html: "<p>Your annotation job completed.</p>",
        idempotencyKey: "job.completed:42",
      });
      const [raw] = await h.delivered();
      expect(raw).toContain("To: ada@example.org");
      expect(raw).toContain("Subject: Results available for job 42");
      expect(raw).toContain("Your annotation job completed.");
      expect(raw).toContain("text/html");
    });
  });
}
