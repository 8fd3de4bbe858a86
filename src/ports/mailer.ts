/** Outgoing email (SES on AWS; .eml files in an outbox folder, or SMTP, locally). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * Same key → same message: adapters that can (the outbox) store it once. The notifier keeps its
   * own ledger too, because SMTP and SES cannot deduplicate.
   */
  idempotencyKey: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /**
   * /readyz's check (metrics/readiness.ts): a cheap call that rejects when mail cannot be sent now
   * (SES: the sender is not a verified identity, or SES does not answer). Absent where there is
   * no such call (the outbox, SMTP).
   */
  ready?(): Promise<void>;
}
