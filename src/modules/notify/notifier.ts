/**
 * The notifier role's handler: on `job.completed`, email the job's owner once. A ledger row
 * (`sent_notifications`) written after a successful send makes redeliveries no-ops; a crash
 * between send and ledger can repeat one email, never lose it (the outbox mailer even then
 * rewrites the same file).
 */
import { eq } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { sentNotifications } from "../../db/schema.ts";
import type { JobStore } from "../../ports/job-store.ts";
import type { Mailer } from "../../ports/mailer.ts";
import type { Delivery, Queue, TopicMessages } from "../../ports/queue.ts";
import type { Logger } from "../../shared/logger.ts";
import type { AccountsService } from "../accounts/index.ts";
import { renderJobFinishedEmail } from "./job-finished-email.tsx";

export type JobFinished = TopicMessages["job.completed"];

export interface NotifierDeps {
  db: AppDb;
  jobs: JobStore;
  accounts: AccountsService;
  mailer: Mailer;
  queue: Queue<JobFinished>;
  /** Base URL for links in emails (PUBLIC_URL). */
  publicUrl: string;
  log: Logger;
}

/** Create the handler for one delivery. */
export function createNotifier(deps: NotifierDeps) {
  return async function handle(d: Delivery<JobFinished>): Promise<"sent" | "duplicate" | "retry"> {
    const { jobId, userId } = d.message;
    const key = `job.completed:${jobId}`;
    const log = deps.log.child({ jobId, delivery: d.id });
    try {
      const [already] = await deps.db.select().from(sentNotifications).where(eq(sentNotifications.key, key));
      const job = await deps.jobs.get(jobId);
      const user = await deps.accounts.get(userId);
      if (already || !job || !user) {
        await deps.queue.ack(d);
        return "duplicate";
      }
      const email = await renderJobFinishedEmail({
        jobId,
        status: job.status === "FAILED" ? "FAILED" : "COMPLETED",
        completeTime: (job.completeTime ?? new Date()).toISOString(),
        jobUrl: `${deps.publicUrl}/annotations/${jobId}`,
        inputFileName: job.inputFileName,
        failureReason: job.failureReason,
      });
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
