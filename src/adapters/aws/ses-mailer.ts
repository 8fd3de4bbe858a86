/**
 * Mailer on Amazon SES (v2 API, SendEmail with simple content): the notifier's HTML and its
 * plain-text twin, UTF-8, from the verified sender identity in SES_FROM. SES cannot deduplicate,
 * so the idempotency key only travels as a message tag for tracing; the notifier's own ledger
 * keeps a redelivered notification from mailing twice.
 */
import { GetEmailIdentityCommand, type GetEmailIdentityCommandOutput, SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import type { MailMessage, Mailer } from "../../ports/mailer.ts";

export interface SesMailerOptions {
  ses: SESv2Client;
  /** A verified SES identity, e.g. `GAS <noreply@gas.example.org>`. */
  from: string;
  /** SES configuration set (bounce/complaint events), if the account uses one. */
  configurationSet?: string | null;
}

const utf8 = (Data: string) => ({ Data, Charset: "UTF-8" });
/** SES tag values allow only letters, digits, `_`, `-`, `.`, `@` (256 characters). */
const tagValue = (v: string) => v.replace(/[^A-Za-z0-9_.@-]/g, "_").slice(0, 256);

/** The address of `GAS <noreply@gas.example.org>` (or of a bare address). */
export const senderAddress = (from: string) => (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).trim();

/**
 * SES's newer VerificationStatus when present (moto reports it, and keeps VerifiedForSendingStatus
 * false even for an identity it calls SUCCESS), else the older flag.
 */
const verified = (r: GetEmailIdentityCommandOutput) =>
  r.VerificationStatus ? r.VerificationStatus === "SUCCESS" : r.VerifiedForSendingStatus === true;

/**
 * Whether SES would send from `from` now: the address, or else its domain, is a verified identity
 * (GetEmailIdentity of each; ses:GetEmailIdentity in the web and notifier policies). What an
 * operator needs to know before the first email bounces with MessageRejected, and it proves SES
 * answers under the role's credentials. Throws naming what is wrong.
 * Not GetAccount (which would also say whether sending is paused): moto has no GetAccount and
 * aws-ses-v2-local no GetEmailIdentity, and no read call is in both; this one is run on moto
 * (ses-mailer.test.ts, test/aws-iam.e2e.test.ts).
 */
export async function checkSesSender(ses: SESv2Client, from: string): Promise<void> {
  const address = senderAddress(from);
  const domain = address.slice(address.lastIndexOf("@") + 1);
  const found: string[] = [];
  for (const identity of [address, domain]) {
    try {
      const r = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      if (verified(r)) return;
      found.push(`${identity} is ${r.VerificationStatus ?? "not verified"}`);
    } catch (err) {
      if ((err as { name?: string }).name !== "NotFoundException") throw err;
    }
  }
  throw new Error(
    `SES_FROM ${address}: ${found.length ? found.join("; ") : `neither ${address} nor ${domain} is an SES identity`} (verify one in SES)`,
  );
}

/** Create the SES mailer. */
export function createSesMailer(opts: SesMailerOptions): Mailer {
  return {
    async send(m: MailMessage) {
      await opts.ses.send(
        new SendEmailCommand({
          FromEmailAddress: opts.from,
          Destination: { ToAddresses: [m.to] },
          Content: { Simple: { Subject: utf8(m.subject), Body: { Text: utf8(m.text), Html: utf8(m.html) } } },
          EmailTags: [{ Name: "gas-idempotency-key", Value: tagValue(m.idempotencyKey) }],
          ...(opts.configurationSet ? { ConfigurationSetName: opts.configurationSet } : {}),
        }),
      );
    },
    ready: () => checkSesSender(opts.ses, opts.from),
  };
}
