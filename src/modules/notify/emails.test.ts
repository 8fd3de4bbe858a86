/**
 * Every job email as a mail client gets it (issue 17 item 6): built into one MIME message with
 * its HTML and plain-text parts (jsx-email's toEml, as the outbox mailer writes it) and read back
 * with mailparser. Each says the job's name, readable times with their time zone (never raw ISO),
 * the counts by impact from the stored summary, a button to the results, and on the free plan the
 * archive deadline; the sample messages are the ones test/browser/email-screenshots.ts shows.
 */
import { describe, expect, test } from "bun:test";
import { toEml } from "jsx-email/eml";
import { type ParsedMail, simpleParser } from "mailparser";
import { emailTime, jobName } from "./email-format.ts";
import { renderJobFinishedEmail } from "./job-finished-email.tsx";
import { renderRestoredEmail } from "./restored-email.tsx";
import { SAMPLE_JOB_ID, sampleEmails } from "../../../test/support/sample-emails.ts";

async function asReceived(m: { subject: string; text: string; html: string }): Promise<ParsedMail> {
  const eml = toEml({ from: "GAS <noreply@gas.example.org>", to: "ada@example.org", subject: m.subject, html: m.html, plain: m.text });
  return simpleParser(eml);
}

const htmlOf = (mail: ParsedMail) => (typeof mail.html === "string" ? mail.html : "");
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe("job emails", () => {
  test("times read as a person writes them, with the time zone", () => {
    expect(emailTime(new Date("2026-01-02T03:04:05Z"))).toBe("Friday 2 January 2026, 03:04 UTC");
    expect(emailTime(new Date("2026-07-14T15:30:00Z"))).toBe("Tuesday 14 July 2026, 15:30 UTC");
    expect(jobName({ name: " ", inputFileName: "calls.vcf.gz" })).toBe("calls.vcf.gz");
    expect(jobName({ name: "Trio, chr21", inputFileName: "calls.vcf.gz" })).toBe("Trio, chr21");
  });

  test("results ready (free plan): name, times, counts by impact, the button, the archive deadline, in both parts", async () => {
    const s = await sampleEmails();
    const mail = await asReceived(s.completedFree);
    expect(mail.subject).toBe(`Results available for job ${SAMPLE_JOB_ID} (Trio exome, chr21)`);
    const text = mail.text ?? "";
    const html = htmlOf(mail);
    for (const body of [text, html]) {
      expect(body).toContain("Trio exome, chr21");
      expect(body).toContain("Friday 2 January 2026, 02:58 UTC"); // submitted
      expect(body).toContain("Friday 2 January 2026, 03:04 UTC"); // finished
      expect(body).toContain("Friday 2 January 2026, 03:09 UTC"); // archived after 5 minutes
      expect(body).not.toMatch(ISO);
      expect(body).toContain("1,204 records annotated in 3.2 seconds");
      expect(body).toContain(`https://gas.example.org/annotations/${SAMPLE_JOB_ID}`); // the job's page
      for (const impact of ["HIGH", "MODERATE", "LOW", "MODIFIER"]) expect(body).toContain(impact);
      expect(body).toContain(`https://gas.example.org/annotations/${SAMPLE_JOB_ID}/results`);
      expect(body).toContain("https://gas.example.org/subscribe");
      expect(body).not.toContain("Click here");
    }
    expect(text).toMatch(/HIGH\s+12\n\s+MODERATE\s+87\n\s+LOW\s+140\n\s+MODIFIER\s+965/);
    // One button: the results, with its label.
    expect(html).toMatch(new RegExp(`<a href="https://gas.example.org/annotations/${SAMPLE_JOB_ID}/results"[^>]*>View the results</a>`));
    expect(html).toContain(">12 variants<");
    expect(html).toMatch(new RegExp(`<a href="https://gas.example.org/annotations/${SAMPLE_JOB_ID}"[^>]*>Trio exome, chr21</a>`));
  });

  test("Premium: no archive deadline; a failed job: the reason and a button to the job", async () => {
    const s = await sampleEmails();
    const premium = await asReceived(s.completedPremium);
    for (const body of [premium.text ?? "", htmlOf(premium)]) {
      expect(body).toContain("View the results");
      expect(body).not.toContain("Free plan");
      expect(body).not.toContain("archived");
    }
    const failed = await asReceived(s.failed);
    expect(failed.subject).toBe(`Annotation job ${SAMPLE_JOB_ID} failed (Trio exome, chr21)`);
    for (const body of [failed.text ?? "", htmlOf(failed)]) {
      expect(body).toContain("line 212: REF");
      expect(body).toContain(`https://gas.example.org/annotations/${SAMPLE_JOB_ID}`);
      expect(body).not.toContain("/results");
      expect(body).not.toMatch(ISO);
    }
    expect(htmlOf(failed)).toContain(">View the job</a>");
  });

  test("results restored: the name, when, and the button", async () => {
    const s = await sampleEmails();
    const mail = await asReceived(s.restored);
    expect(mail.subject).toBe(`Results restored for job ${SAMPLE_JOB_ID} (Trio exome, chr21)`);
    for (const body of [mail.text ?? "", htmlOf(mail)]) {
      expect(body).toContain("Trio exome, chr21");
      expect(body).toContain("Saturday 3 January 2026, 10:15 UTC");
      expect(body).toContain(`https://gas.example.org/annotations/${SAMPLE_JOB_ID}/results`);
      expect(body).not.toMatch(ISO);
    }
  });

  test("a job name with markup is text in the HTML", async () => {
    const base = { jobId: SAMPLE_JOB_ID, jobUrl: "https://g/a", resultsUrl: "https://g/a/results" };
    const finished = await renderJobFinishedEmail({
      ...base,
      jobName: "<img src=x onerror=alert(1)>.vcf",
      status: "COMPLETED",
      submitTime: new Date(0),
      completeTime: new Date(0),
      failureReason: null,
      summary: null,
      availableUntil: null,
      upgradeUrl: "https://g/subscribe",
    });
    const restored = await renderRestoredEmail({ ...base, jobName: "<b>x</b>", completeTime: null, restoredTime: new Date(0) });
    expect(finished.html).not.toContain("<img src=x");
    expect(restored.html).not.toContain("<b>x</b>");
  });
});
