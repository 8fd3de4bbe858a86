/**
 * Mailer that delivers over SMTP through nodemailer (SMTP_URL): the same message the outbox
 * mailer writes (the notifier's jsx-email HTML plus its plain text, as multipart/alternative).
 * `smtps://` connects with implicit TLS (usually port 465); `smtp://` upgrades with STARTTLS when
 * the server offers it. Certificates are always verified.
 */
import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type { MailMessage, Mailer } from "../../ports/mailer.ts";

/** Where and how to connect; parsed from SMTP_URL by src/config.ts. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps://). */
  secure: boolean;
  user: string | null;
  pass: string | null;
}

export interface SmtpMailerOptions {
  smtp: SmtpSettings;
  from: string;
  /** Give up on a dead server after this long (connect, greeting and idle socket). Default 30 s. */
  timeoutMs?: number;
}

/**
 * A stable Message-ID per idempotency key: SMTP cannot deduplicate, but a redelivered email then
 * carries the same Message-ID, which mail stores and clients use to collapse duplicates.
 */
export const messageIdFor = (idempotencyKey: string, from: string) => {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? "gas.localhost";
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}@${domain}>`;
};

/** Create the SMTP mailer. `close()` ends the pooled connections (call it on shutdown). */
export function createSmtpMailer(opts: SmtpMailerOptions): Mailer & { close(): void } {
  const { smtp } = opts;
  const timeout = opts.timeoutMs ?? 30_000;
  // Pooled: the notifier sends one email per finished job, so reusing a connection saves a TCP
  // and TLS handshake (and AUTH) per message.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user !== null ? { user: smtp.user, pass: smtp.pass ?? "" } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(m: MailMessage) {
      await transport.sendMail({
        from: opts.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: messageIdFor(m.idempotencyKey, opts.from),
      });
    },
    close: () => transport.close(),
  };
}
