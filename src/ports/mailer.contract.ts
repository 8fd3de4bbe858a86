/** Mailer contract: every adapter (outbox, SMTP, SES) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { simpleParser } from "mailparser";
import type { MailMessage, Mailer } from "./mailer.ts";

export interface MailerHarness {
  mailer: Mailer;
  /** Raw RFC 5322 messages the adapter delivered, as the receiving side saw them. */
  delivered(): Promise<string[]>;
  close(): Promise<void>;
}

/** A message shaped like the notifier's: HTML with a link, the same text in plain form. */
const jobDone = (id: string, to = "ada@example.org"): MailMessage => {
  const url = `https://gas.example.org/annotations/${id}`;
  return {
    to,
    subject: `Results available for job ${id}`,
    text: `Your annotation job completed. Click here to view job details and results: ${url}.`,
    html: `<!DOCTYPE html><html lang="en"><body><p>Your annotation job completed. Click here to view job details and results: <a href="${url}">${url}</a>.</p></body></html>`,
    idempotencyKey: `job.completed:${id}`,
  };
};

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

    test("parsed by a mail client: sender, recipient, subject, and the job link in the text and the HTML", async () => {
      const id = "6f1c2b9e-0d4a-4c1e-9a57-3c2f1e0b8d11";
      const sent = jobDone(id);
      await h.mailer.send(sent);
      const raws = await h.delivered();
      expect(raws).toHaveLength(1);
      const mail = await simpleParser(raws[0]!);
      expect(mail.subject).toBe(sent.subject);
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(["ada@example.org"]);
      expect(mail.from?.value[0]?.address).toBeTruthy();
      expect(mail.text?.trim()).toBe(sent.text);
      expect(typeof mail.html === "string" ? mail.html : "").toContain(`<a href="https://gas.example.org/annotations/${id}">`);
    });

    test("non-ASCII subjects and bodies survive encoding; each message arrives on its own", async () => {
      await h.mailer.send({ ...jobDone("a"), subject: "Résultats — job a ✓", text: "Terminé: 12 µl, 3′ UTR." });
      await h.mailer.send(jobDone("b", "grace@example.org"));
      const mails = await Promise.all((await h.delivered()).map((raw) => simpleParser(raw)));
      const bySubject = new Map(mails.map((m) => [m.subject, m]));
      expect([...bySubject.keys()].sort()).toEqual(["Results available for job b", "Résultats — job a ✓"]);
      expect(bySubject.get("Résultats — job a ✓")?.text?.trim()).toBe("Terminé: 12 µl, 3′ UTR.");
      const b = bySubject.get("Results available for job b")!;
      expect(b.to && !Array.isArray(b.to) ? b.to.text : "").toBe("grace@example.org");
    });
  });
}
