/** @jsxImportSource react */
/** The "your archived results are back" email, rendered with jsx-email like the job-finished one. */
import { Body, Container, Head, Heading, Html, Link, Preview, Text, render } from "jsx-email";

export interface RestoredEmailProps {
  jobId: string;
  inputFileName: string;
  jobUrl: string;
}

function RestoredEmail(p: RestoredEmailProps) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{`Results restored for job ${p.jobId}`}</Preview>
      <Body style={{ fontFamily: "Helvetica, Arial, sans-serif" }}>
        <Container>
          <Heading as="h2">Your archived results are available again</Heading>
          <Text>
            Thank you for subscribing to GAS Premium. The results of your annotation job for {p.inputFileName} have been restored from the
            archive and can be downloaded again: <Link href={p.jobUrl}>{p.jobUrl}</Link>.
          </Text>
          <Text style={{ color: "#666", fontSize: "12px" }}>GAS — Genomics Annotation Service</Text>
        </Container>
      </Body>
    </Html>
  );
}

/** Subject, plain text and HTML for the email. */
export async function renderRestoredEmail(p: RestoredEmailProps): Promise<{ subject: string; text: string; html: string }> {
  return {
    subject: `Results restored for job ${p.jobId}`,
    text: `Thank you for subscribing to GAS Premium. The results of your annotation job for ${p.inputFileName} have been restored from the archive and can be downloaded again: ${p.jobUrl}.`,
    html: await render(<RestoredEmail {...p} />),
  };
}
