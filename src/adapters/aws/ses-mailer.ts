/**
 * Mailer on Amazon SES (v2 API, SendEmail with simple content): the notifier's HTML and its
 * plain-text twin, UTF-8, from the verified sender identity in SES_FROM. SES cannot deduplicate,
 * so the idempotency key only travels as a message tag for tracing; the notifier's own ledger
 * keeps a redelivered notification from mailing twice.
 */
import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
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
  };
}
