/** @jsxImportSource react */
/**
 * "Confirm your email address": the only email GAS sends to an address it has not verified
 * (issue 13 item 10). It must not let an account holder write to a stranger, so the only thing
 * in it the user chose is the address itself; no name, no institution, no file name. The
 * recipient is told what confirming means and that ignoring it is enough.
 */
import { Link, Text, render } from "jsx-email";
import type { Mailer } from "../../ports/mailer.ts";
import { ActionButton, EmailFrame, textStyle } from "./email-frame.tsx";
import { emailTime } from "./email-format.ts";

export interface AddressVerificationEmailProps {
  to: string;
  link: string;
  expiresAt: Date;
}

const SUBJECT = "Confirm your email address for GAS";
const when = (d: Date) => emailTime(d);

function AddressVerificationEmail(p: AddressVerificationEmailProps) {
  return (
    <EmailFrame preview={SUBJECT} heading="Confirm your email address" footer="GAS — the Genomics Annotation Service.">
      <Text style={textStyle}>
        A GAS (Genomics Annotation Service) account asked to receive its job notifications at {p.to}. If that is your account, open this
        link and press Confirm (you may be asked to sign in first):
      </Text>
      <ActionButton href={p.link}>Confirm the address</ActionButton>
      <Text style={textStyle}>
        Or copy this link: <Link href={p.link}>{p.link}</Link>
      </Text>
      <Text style={textStyle}>The link works once, until {when(p.expiresAt)}.</Text>
      <Text style={textStyle}>
        If you did not ask for this, ignore this email: GAS sends nothing else to this address unless it is confirmed.
      </Text>
    </EmailFrame>
  );
}

/** Subject, plain text and HTML for the email. */
export async function renderAddressVerificationEmail(
  p: AddressVerificationEmailProps,
): Promise<{ subject: string; text: string; html: string }> {
  const text = [
    `A GAS (Genomics Annotation Service) account asked to receive its job notifications at ${p.to}. If that is your account, open this link and press Confirm (you may be asked to sign in first): ${p.link}`,
    `The link works once, until ${when(p.expiresAt)}.`,
    "If you did not ask for this, ignore this email: GAS sends nothing else to this address unless it is confirmed.",
  ].join("\n\n");
  return { subject: SUBJECT, text, html: await render(<AddressVerificationEmail {...p} />) };
}

/** The accounts module's mail sender for verification links, over the mailer port. */
export const addressVerificationSender =
  (mailer: Mailer) =>
  async (m: AddressVerificationEmailProps & { idempotencyKey: string }): Promise<void> =>
    mailer.send({ to: m.to, ...(await renderAddressVerificationEmail(m)), idempotencyKey: m.idempotencyKey });
