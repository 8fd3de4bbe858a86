/**
 * The job emails with sample content: what src/modules/notify/emails.test.ts checks and what
 * test/browser/email-screenshots.ts shows in docs/. A free user's trio exome, finished
 * 2026-01-02 03:04 UTC with ARCHIVE_AFTER of 5 minutes.
 */
import { renderJobFinishedEmail } from "../../src/modules/notify/job-finished-email.tsx";
import { renderRestoredEmail } from "../../src/modules/notify/restored-email.tsx";
import { renderAddressVerificationEmail } from "../../src/modules/notify/address-verification-email.tsx";

export const SAMPLE_JOB_ID = "8f14e45f-ceea-467f-a0e6-5b3c2d1e9a7b";
const BASE = "https://gas.example.org";
const jobUrl = `${BASE}/annotations/${SAMPLE_JOB_ID}`;
const completeTime = new Date("2026-01-02T03:04:05Z");

const finished = {
  jobId: SAMPLE_JOB_ID,
  jobName: "Trio exome, chr21",
  submitTime: new Date("2026-01-02T02:58:40Z"),
  completeTime,
  jobUrl,
  resultsUrl: `${jobUrl}/results`,
  upgradeUrl: `${BASE}/subscribe`,
  summary: { records: 1204, known: 1015, novel: 201, seconds: 3.2, byImpact: { HIGH: 12, MODERATE: 87, LOW: 140, MODIFIER: 965 } },
};

/** Every email GAS sends about a job, rendered (subject, text, html), plus the address check. */
export async function sampleEmails() {
  return {
    completedFree: await renderJobFinishedEmail({
      ...finished,
      status: "COMPLETED",
      failureReason: null,
      availableUntil: new Date(completeTime.getTime() + 300_000),
    }),
    completedPremium: await renderJobFinishedEmail({ ...finished, status: "COMPLETED", failureReason: null, availableUntil: null }),
    failed: await renderJobFinishedEmail({
      ...finished,
      status: "FAILED",
      summary: null,
      availableUntil: null,
      failureReason: "The input is not a valid VCF file: line 212: REF must be A, C, G, T or N (found 'X').",
    }),
    restored: await renderRestoredEmail({
      jobId: SAMPLE_JOB_ID,
      jobName: finished.jobName,
      completeTime,
      restoredTime: new Date("2026-01-03T10:15:00Z"),
      jobUrl,
      resultsUrl: `${jobUrl}/results`,
    }),
    addressVerification: await renderAddressVerificationEmail({
      to: "ada@example.org",
      link: `${BASE}/profile/verify-email?token=AbC_-123`,
      expiresAt: new Date("2026-01-03T03:04:05Z"),
    }),
  };
}
