/** @jsxImportSource react */
/**
 * The "your archived results are back" email, in the same frame as the job-finished one: the
 * job's name, when it finished and when its results came back, a button to the results.
 */
import { Text, render } from "jsx-email";
import { ActionButton, COLORS, EmailFrame, FOOTER, Fact, textStyle } from "./email-frame.tsx";
import { emailTime } from "./email-format.ts";

export interface RestoredEmailProps {
  jobId: string;
  jobName: string;
  completeTime: Date | null;
  restoredTime: Date;
  jobUrl: string;
  resultsUrl: string;
}

function RestoredEmail(p: RestoredEmailProps & { subject: string }) {
  return (
    <EmailFrame preview={p.subject} heading="Your archived results are available again" footer={`${FOOTER} Job ID ${p.jobId}.`}>
      <Text style={textStyle}>
        Thank you for subscribing to GAS Premium. These results have been restored from the archive and will not be archived again.
      </Text>
      <Fact label="Job">
        <a href={p.jobUrl} style={{ color: COLORS.dark, fontWeight: 600 }}>
          {p.jobName}
        </a>
      </Fact>
      {p.completeTime ? <Fact label="Finished">{emailTime(p.completeTime)}</Fact> : null}
      <Fact label="Restored">{emailTime(p.restoredTime)}</Fact>
      <ActionButton href={p.resultsUrl}>View the results</ActionButton>
    </EmailFrame>
  );
}

/** Subject, plain text and HTML for the email. */
export async function renderRestoredEmail(p: RestoredEmailProps): Promise<{ subject: string; text: string; html: string }> {
  const subject = `Results restored for job ${p.jobId} (${p.jobName})`; // the id, as the job-finished email does
  const text = [
    "Your archived results are available again.",
    "",
    "Thank you for subscribing to GAS Premium. These results have been restored from the archive and will not be archived again.",
    "",
    `Job:      ${p.jobName} (${p.jobUrl})`,
    ...(p.completeTime ? [`Finished: ${emailTime(p.completeTime)}`] : []),
    `Restored: ${emailTime(p.restoredTime)}`,
    "",
    `View the results: ${p.resultsUrl}`,
    "",
    "--",
    `GAS, the Genomics Annotation Service. Job ID ${p.jobId}.`,
  ].join("\n");
  return { subject, text, html: await render(<RestoredEmail {...p} subject={subject} />) };
}
