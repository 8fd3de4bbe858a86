/**
 * The notifier role's handler: every email GAS sends, each once. Its queue carries two topics:
 * `job.completed` ("results available" or "job failed") and `result.restored` ("your archived
 * results are back", published by the archiver); a delivery is told apart by its payload (only
 * a restore names an archive). A ledger row (`sent_notifications`) written after a successful
 * send makes redeliveries and duplicate announcements no-ops; a crash between send and ledger
 * can repeat one email, never lose it (the outbox mailer even then rewrites the same file).
 *
 * Only to a verified address (issue 13 item 10): these emails carry text the user chose (the
 * input file's name, a failure reason quoting the VCF), so an unverified address gets none of
 * them; the delivery is acked, not retried, and the pages offer the verification link instead.
 */
import { eq } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { sentNotifications } from "../../db/schema.ts";
import type { Job, JobStore } from "../../ports/job-store.ts";
import type { Mailer } from "../../ports/mailer.ts";
import { malformedBody } from "../../metrics/malformed-messages.ts";
import type { Delivery, Queue, TopicMessages } from "../../ports/queue.ts";
import type { Logger } from "../../shared/logger.ts";
import type { AccountsService, User } from "../accounts/index.ts";
import { resultLifecycle } from "../jobs/result-lifecycle.ts";
import { jobName } from "./email-format.ts";
import { renderJobFinishedEmail } from "./job-finished-email.tsx";
import { renderRestoredEmail } from "./restored-email.tsx";

export type JobFinished = TopicMessages["job.completed"];
export type ResultRestored = TopicMessages["result.restored"];
/** What the notifier's queue carries (QUEUES.notifier in src/ports/messaging-topology.ts). */
export type NotifierMessage = JobFinished | ResultRestored;

export interface NotifierDeps {
  db: AppDb;
  jobs: JobStore;
  accounts: AccountsService;
  mailer: Mailer;
  queue: Queue<NotifierMessage>;
  /** Base URL for links in emails (PUBLIC_URL). */
  publicUrl: string;
  /** ARCHIVE_AFTER: the free plan's "available until" in the email (absent: not mentioned). */
  archiveAfterSeconds?: number;
  log: Logger;
  /** Called with the queue's name for each malformed message deleted (gas_malformed_messages_total). */
  onMalformed?: (queue: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a delivery cannot be a notification (null when it can): retrying one would never send it. */
export function malformedNotification(message: unknown): string | null {
  if (typeof message !== "object" || message === null) return `not a JSON object (${typeof message})`;
  const { jobId, userId } = message as { jobId?: unknown; userId?: unknown };
  if (typeof jobId !== "string" || !UUID.test(jobId)) return "no job id (UUID)";
  if (typeof userId !== "string" || userId === "") return "no userId";
  return null;
}

const isRestore = (m: NotifierMessage): m is ResultRestored => typeof (m as Partial<ResultRestored>).archiveId === "string";

/** The ledger key of the email a message asks for: one per finished job, one per restore of an archive. */
const ledgerKey = (m: NotifierMessage) => (isRestore(m) ? `job.restored:${m.jobId}:${m.archiveId}` : `job.completed:${m.jobId}`);

/** Create the handler for one delivery. */
export function createNotifier(deps: NotifierDeps) {
  const render = (m: NotifierMessage, job: Job, user: User) => {
    const jobUrl = `${deps.publicUrl}/annotations/${job.id}`;
    const resultsUrl = `${jobUrl}/results`;
    const name = jobName(job);
    if (isRestore(m))
      return renderRestoredEmail({
        jobId: job.id,
        jobName: name,
        completeTime: job.completeTime,
        restoredTime: new Date(),
        jobUrl,
        resultsUrl,
      });
    // The same deadline the job page shows (result-lifecycle.ts), for the owner's plan now.
    const life = resultLifecycle(job, user.tier === "premium" ? "premium" : "free", deps.archiveAfterSeconds ?? null);
    return renderJobFinishedEmail({
      jobId: job.id,
      jobName: name,
      status: job.status === "FAILED" ? "FAILED" : "COMPLETED",
      submitTime: job.submitTime,
      completeTime: job.completeTime ?? new Date(),
      jobUrl,
      resultsUrl,
      failureReason: job.failureReason,
      summary: job.summary,
      availableUntil: life?.availableUntil ?? null,
      upgradeUrl: `${deps.publicUrl}/subscribe`,
    });
  };

  return async function handle(
    d: Delivery<NotifierMessage>,
  ): Promise<"sent" | "duplicate" | "unverified" | "deleted" | "retry" | "malformed"> {
    const why = malformedNotification(d.message);
    if (why) {
      deps.log.error("malformed notification deleted", {
        queue: deps.queue.name,
        delivery: d.id,
        receiveCount: d.receiveCount,
        why,
        body: malformedBody(d.message),
      });
      await deps.queue.ack(d);
      deps.onMalformed?.(deps.queue.name);
      return "malformed";
    }
    const { jobId, userId } = d.message;
    const key = ledgerKey(d.message);
    const log = deps.log.child({ jobId, delivery: d.id });
    try {
      const [already] = await deps.db.select().from(sentNotifications).where(eq(sentNotifications.key, key));
      const job = await deps.jobs.get(jobId);
      const user = await deps.accounts.get(userId);
      if (already || !job || !user?.email) {
        await deps.queue.ack(d);
        return "duplicate";
      }
      if (job.deletedAt) {
        // Deleted by its owner after the announcement was queued (the archiver is removing its
        // files): an email linking to a job that is gone would only confuse.
        await deps.queue.ack(d);
        log.info("email not sent: the job was deleted", { key });
        return "deleted";
      }
      if (!user.emailVerified) {
        await deps.queue.ack(d);
        log.info("email not sent: the address is not verified", { userId, key });
        return "unverified";
      }
      const email = await render(d.message, job, user);
      await deps.mailer.send({ to: user.email, ...email, idempotencyKey: key });
      await deps.db.insert(sentNotifications).values({ key }).onConflictDoNothing();
      await deps.queue.ack(d);
      log.info("email sent", { to: user.email, subject: email.subject });
      return "sent";
    } catch (err) {
      log.error("email failed; will retry", { err });
      await deps.queue.retry(d, { error: String(err) });
      return "retry";
    }
  };
}
