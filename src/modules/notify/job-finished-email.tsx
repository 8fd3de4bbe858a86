/** @jsxImportSource react */
/**
 * The "job finished" email, rendered with jsx-email (React components → email-safe HTML). The
 * subject and the text keep the original GAS wording users knew.
 */
import { Body, Container, Head, Heading, Html, Link, Preview, Text, render } from "jsx-email";

export interface JobFinishedEmailProps {
  jobId: string;
  status: "COMPLETED" | "FAILED";
  completeTime: string;
  jobUrl: string;
  inputFileName: string;
  failureReason: string | null;
}

function JobFinishedEmail(p: JobFinishedEmailProps) {
  const ok = p.status === "COMPLETED";
  return (
    <Html lang="en">
      <Head />
      <Preview>{ok ? `Results available for job ${p.jobId}` : `Annotation job ${p.jobId} failed`}</Preview>
      <Body style={{ fontFamily: "Helvetica, Arial, sans-serif" }}>
        <Container>
          <Heading as="h2">{ok ? "Your annotation results are ready" : "Your annotation job failed"}</Heading>
          {ok ? (
            <Text>
              Your annotation job completed at {p.completeTime}. Click here to view job details and results:{" "}
              <Link href={p.jobUrl}>{p.jobUrl}</Link>.
            </Text>
          ) : (
            <Text>
              Your annotation job for {p.inputFileName} failed at {p.completeTime}: {p.failureReason}. Job details:{" "}
              <Link href={p.jobUrl}>{p.jobUrl}</Link>.
            </Text>
          )}
          <Text style={{ color: "#666", fontSize: "12px" }}>GAS — Genomics Annotation Service (input file: {p.inputFileName})</Text>
        </Container>
      </Body>
    </Html>
  );
}

/** Subject, plain text and HTML for the email. */
export async function renderJobFinishedEmail(p: JobFinishedEmailProps): Promise<{ subject: string; text: string; html: string }> {
  const ok = p.status === "COMPLETED";
  const subject = ok ? `Results available for job ${p.jobId}` : `Annotation job ${p.jobId} failed`;
  const text = ok
    ? `Your annotation job completed at ${p.completeTime}. Click here to view job details and results: ${p.jobUrl}.`
    : `Your annotation job for ${p.inputFileName} failed at ${p.completeTime}: ${p.failureReason}. Job details: ${p.jobUrl}.`;
  return { subject, text, html: await render(<JobFinishedEmail {...p} />) };
}
