/** @jsxImportSource react */
/**
 * The "job finished" email (issue 17 item 6): the job's name, when it was submitted and finished
 * (readable, with the time zone), the variants by highest impact from the job's stored summary, a
 * button to the results, and for the free plan the time the results will be archived. The HTML
 * (jsx-email, in the site's style: email-frame.tsx) and the plain-text part say the same things.
 */
import { Text, render } from "jsx-email";
import type { JobSummary } from "../../ports/job-store.ts";
import { ActionButton, COLORS, EmailFrame, FOOTER, Fact, textStyle } from "./email-frame.tsx";
import { type Impact, count, emailDuration, emailTime, impactCounts } from "./email-format.ts";

export interface JobFinishedEmailProps {
  jobId: string;
  /** What the owner calls the job (email-format.ts `jobName`). */
  jobName: string;
  status: "COMPLETED" | "FAILED";
  submitTime: Date;
  completeTime: Date;
  /** The job's page. */
  jobUrl: string;
  /** The results browser (COMPLETED). */
  resultsUrl: string;
  failureReason: string | null;
  summary: Pick<JobSummary, "records" | "known" | "novel" | "byImpact" | "seconds"> | null;
  /** The free plan's archive deadline; null when the results are never archived (Premium). */
  availableUntil: Date | null;
  /** Where to upgrade (the subscribe page). */
  upgradeUrl: string;
}

const cell = { padding: "6px 10px", borderBottom: `1px solid ${COLORS.border}`, fontSize: "14px" } as const;

/** Variants by highest impact: a small table, each impact in the site's chart colour (and named: never colour alone). */
function ImpactTable(p: { rows: { impact: Impact; variants: number }[] }) {
  return (
    <table
      role="presentation"
      cellPadding={0}
      cellSpacing={0}
      style={{ borderCollapse: "collapse", margin: "4px 0 16px", minWidth: "260px" }}
    >
      <tbody>
        {p.rows.map((r) => (
          <tr key={r.impact}>
            <td style={cell}>
              <span
                style={{
                  display: "inline-block",
                  width: "10px",
                  height: "10px",
                  borderRadius: "2px",
                  backgroundColor: COLORS.impact[r.impact],
                  marginRight: "8px",
                }}
              />
              {r.impact}
            </td>
            <td style={{ ...cell, textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
              {count(r.variants)} {r.variants === 1 ? "variant" : "variants"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobFinishedEmail(p: JobFinishedEmailProps & { subject: string }) {
  const ok = p.status === "COMPLETED";
  const impacts = impactCounts(p.summary);
  return (
    <EmailFrame
      preview={p.subject}
      heading={ok ? "Your annotation results are ready" : "Your annotation job failed"}
      footer={`${FOOTER} Job ID ${p.jobId}.`}
    >
      <Fact label="Job">
        {/* The name links to the job's page (details, log, sharing); the button to its results. */}
        <a href={p.jobUrl} style={{ color: COLORS.dark, fontWeight: 600 }}>
          {p.jobName}
        </a>
      </Fact>
      <Fact label="Submitted">{emailTime(p.submitTime)}</Fact>
      <Fact label={ok ? "Finished" : "Failed"}>{emailTime(p.completeTime)}</Fact>
      {ok && p.summary ? (
        <>
          <Text style={{ ...textStyle, margin: "16px 0 4px" }}>
            {count(p.summary.records)} records annotated in {emailDuration(p.summary.seconds)} ({count(p.summary.known)} known and{" "}
            {count(p.summary.novel)} novel alleles). Variants by highest impact:
          </Text>
          {impacts ? <ImpactTable rows={impacts} /> : null}
        </>
      ) : null}
      {ok ? null : (
        <Text style={{ ...textStyle, margin: "16px 0 12px", color: COLORS.danger }}>{p.failureReason ?? "The job failed."}</Text>
      )}
      <ActionButton href={ok ? p.resultsUrl : p.jobUrl}>{ok ? "View the results" : "View the job"}</ActionButton>
      {ok && p.availableUntil ? (
        <Text
          style={{
            ...textStyle,
            backgroundColor: COLORS.warning,
            color: COLORS.warningText,
            padding: "10px 12px",
            borderRadius: "6px",
          }}
        >
          Free plan: these results are available until <strong>{emailTime(p.availableUntil)}</strong>. After that they are archived (the log
          stays readable); <a href={p.upgradeUrl}>Premium</a> restores archived results and keeps new ones available.
        </Text>
      ) : null}
    </EmailFrame>
  );
}

/**
 * The subject line: what happened, to which job (its id: two runs of one file share a name), and
 * the name. The id part keeps the original's wording, which mail filters and tests match on.
 */
const subjectOf = (p: JobFinishedEmailProps) =>
  p.status === "COMPLETED" ? `Results available for job ${p.jobId} (${p.jobName})` : `Annotation job ${p.jobId} failed (${p.jobName})`;

/** The plain-text part: the same facts, one per line, with the links written out. */
function plainText(p: JobFinishedEmailProps): string {
  const ok = p.status === "COMPLETED";
  const impacts = impactCounts(p.summary);
  const lines = [
    ok ? "Your annotation results are ready." : "Your annotation job failed.",
    "",
    `Job:       ${p.jobName} (${p.jobUrl})`,
    `Submitted: ${emailTime(p.submitTime)}`,
    `${ok ? "Finished" : "Failed"}:  ${emailTime(p.completeTime)}`,
  ];
  if (ok && p.summary) {
    lines.push(
      "",
      `${count(p.summary.records)} records annotated in ${emailDuration(p.summary.seconds)} (${count(p.summary.known)} known and ${count(p.summary.novel)} novel alleles).`,
    );
    if (impacts) lines.push("Variants by highest impact:", ...impacts.map((r) => `  ${r.impact.padEnd(9)} ${count(r.variants)}`));
  }
  if (!ok) lines.push("", `Reason: ${p.failureReason ?? "The job failed."}`);
  lines.push("", ok ? `View the results: ${p.resultsUrl}` : `View the job: ${p.jobUrl}`);
  if (ok && p.availableUntil) {
    lines.push(
      "",
      `Free plan: these results are available until ${emailTime(p.availableUntil)}. After that they are archived (the log stays readable); Premium restores archived results and keeps new ones available: ${p.upgradeUrl}`,
    );
  }
  lines.push("", "--", `GAS, the Genomics Annotation Service. Job ID ${p.jobId}.`);
  return lines.join("\n");
}

/** Subject, plain text and HTML for the email. */
export async function renderJobFinishedEmail(p: JobFinishedEmailProps): Promise<{ subject: string; text: string; html: string }> {
  const subject = subjectOf(p);
  return { subject, text: plainText(p), html: await render(<JobFinishedEmail {...p} subject={subject} />) };
}
