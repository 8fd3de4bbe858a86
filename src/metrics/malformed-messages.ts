/**
 * A malformed message (one that cannot be what its queue carries: not JSON, no job id) is deleted
 * at first sight by the consumer that meets it, logged with its body and counted in
 * gas_malformed_messages_total{queue} (issue 14 item 5). Not kept on the dead-letter queue: the
 * annotators consume theirs, so a copy there would be met again, and a retried one would wait
 * there only after QUEUE_MAX_ATTEMPTS useless attempts. The log line keeps what an operator needs
 * to find who sent it.
 */

/** How much of a malformed message's body its log line keeps (an SQS message is up to 256 KB). */
export const MALFORMED_BODY_LOGGED = 1000;

/** The message as its log line shows it: the raw text of a body that was not JSON, else its JSON; cut. */
export function malformedBody(message: unknown): string {
  const text = typeof message === "string" ? message : (JSON.stringify(message) ?? String(message));
  return text.slice(0, MALFORMED_BODY_LOGGED);
}
