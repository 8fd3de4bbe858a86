/**
 * What `/readyz` checks: every backend the process's roles use, each with a short timeout, in
 * parallel, naming the ones that failed (issue 14: it pinged PostgreSQL only, so it answered 200
 * with the AWS endpoints dead). A check is the cheapest real call of the port: a read of a key or
 * id that does not exist, a queue's depth. The ALB's health check uses /healthz (liveness), so a
 * database failover makes instances not ready, and taken out of rotation, without replacing them.
 * The mailer is checked where it has a check (Mailer.ready: SES, that the sender is a verified
 * identity) for the roles that send mail: the web role (address verification) and the notifier.
 * Not checked: the archive vault, whose port has no free call to make (a Glacier outage delays
 * restores, which retry on their own), and the outbox and SMTP mailers (none either).
 */
import type { JobStore } from "../ports/job-store.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { QueueName } from "../ports/messaging-topology.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { Queue } from "../ports/queue.ts";

export type ProcessRole = "web" | "annotator" | "archiver" | "notifier";

/** What the checks reach: the container's database and ports. */
export interface ReadinessContext {
  database: { ping(): Promise<void> };
  ports: {
    jobStore: JobStore;
    inputs: ObjectStore;
    results: ObjectStore;
    mailer: Pick<Mailer, "ready">;
    queue<M>(name: QueueName): Queue<M>;
  };
}

export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

/** /readyz answered 503: these checks failed or did not answer in time. */
export class NotReadyError extends Error {
  constructor(readonly failed: string[]) {
    super(`not ready: ${failed.join(", ")}`);
  }
}

const PROBE_KEY = "readyz/probe";
const PROBE_JOB = "00000000-0000-4000-8000-000000000000";
/** Per check: a dependency slower than this is as good as down for a request. */
export const READINESS_TIMEOUT_MS = 2000;

/** The checks for a process running `roles`, one per backend whatever the number of roles using it. */
export function readinessChecks(c: ReadinessContext, roles: readonly ProcessRole[]): ReadinessCheck[] {
  const has = (...r: ProcessRole[]) => r.some((x) => roles.includes(x));
  const checks: ReadinessCheck[] = [
    { name: "database", check: () => c.database.ping() },
    { name: "jobs", check: () => c.ports.jobStore.get(PROBE_JOB) },
  ];
  if (has("web", "annotator")) checks.push({ name: "inputs", check: () => c.ports.inputs.head(PROBE_KEY) });
  if (has("web", "annotator", "archiver")) checks.push({ name: "results", check: () => c.ports.results.head(PROBE_KEY) });
  // The web role publishes job requests to the annotators' queue; each worker reads its own.
  const queues = new Set<QueueName>();
  if (has("web", "annotator")) queues.add("annotator");
  if (has("archiver")) queues.add("archiver");
  if (has("notifier")) queues.add("notifier");
  for (const q of queues) checks.push({ name: `queue ${q}`, check: () => c.ports.queue(q).depth() });
  const mailReady = c.ports.mailer.ready?.bind(c.ports.mailer);
  if (mailReady && has("web", "notifier")) checks.push({ name: "mail", check: mailReady });
  return checks;
}

/** Runs every check at once; throws NotReadyError naming the ones that failed or timed out. */
export async function checkReady(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS): Promise<void> {
  const outcomes = await Promise.all(
    checks.map(async (ch) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${ch.name}: no answer in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([ch.check(), timeout]);
        return null;
      } catch {
        return ch.name;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failed = outcomes.filter((n): n is string => n !== null);
  if (failed.length) throw new NotReadyError(failed);
}
