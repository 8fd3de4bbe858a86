/**
 * The notifier owns every email and the "send once" ledger: both kinds of message on its queue
 * (job.completed, result.restored) give their email once however often they are delivered, a
 * failing mailer hands the delivery back and the email goes out on a later attempt. The ledger is
 * a migrated PGlite; the queue, jobs, accounts and mailer are in-memory stand-ins. Only a verified
 * address is mailed (issue 13 item 10): "u1" has one, "u2" an address it has not verified.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Database } from "../../db/open-database.ts";
import { openTestPglite } from "../../db/test-database.ts";
import type { Job, JobStore } from "../../ports/job-store.ts";
import type { MailMessage } from "../../ports/mailer.ts";
import type { Delivery, Queue } from "../../ports/queue.ts";
import { createLogger } from "../../shared/logger.ts";
import type { AccountsService, User } from "../accounts/index.ts";
import { type NotifierMessage, createNotifier } from "./notifier.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestPglite();
}, 60_000);
afterAll(() => database.close());

const job = (id: string, over: Partial<Job> = {}): Job => ({
  id,
  userId: "u1",
  name: "ada.vcf",
  note: null,
  options: { pick: "none", fields: ["ann", "csq"] },
  manifestKey: null,
  deletedAt: null,
  inputFileName: "ada.vcf",
  inputKey: `u1/${id}~ada.vcf`,
  status: "COMPLETED",
  submitTime: new Date(0),
  startTime: new Date(0),
  completeTime: new Date("2026-01-02T03:04:05Z"),
  attempts: 1,
  resultKey: "r",
  logKey: "l",
  rowsKey: "j",
  resultState: "AVAILABLE",
  archiveId: null,
  failureReason: null,
  summary: null,
  progress: null,
  ...over,
});

/** A notifier over stand-ins; `failSends` makes that many mailer calls throw first. */
function notifier(jobs: Job[], failSends = 0) {
  const sent: MailMessage[] = [];
  const acked: string[] = [];
  const retried: string[] = [];
  const malformed: string[] = [];
  const logged: Record<string, unknown>[] = [];
  let failures = failSends;
  const handle = createNotifier({
    db: database.db,
    jobs: { get: async (id: string) => jobs.find((j) => j.id === id) ?? null } as unknown as JobStore,
    accounts: {
      get: async (id: string) =>
        id === "u1"
          ? ({ id, email: "ada@example.org", emailVerified: true } as User)
          : id === "u2"
            ? ({ id, email: "victim@example.org", emailVerified: false } as User)
            : null,
    } as unknown as AccountsService,
    mailer: {
      async send(m) {
        if (failures-- > 0) throw new Error("mail relay down");
        sent.push(m);
      },
    },
    queue: {
      name: "notifier",
      ack: async (d: Delivery) => acked.push(d.id) > 0,
      retry: async (d: Delivery) => retried.push(d.id) > 0,
    } as unknown as Queue<NotifierMessage>,
    publicUrl: "https://gas.test",
    log: createLogger("error", {}, (line) => logged.push(JSON.parse(line))), // the retry's error line is expected
    onMalformed: (q) => malformed.push(q),
  });
  let n = 0;
  const deliver = (message: NotifierMessage) => handle({ id: `d${++n}`, message, receiveCount: 1, receipt: `r${n}` });
  return { deliver, sent, acked, retried, malformed, logged };
}

describe("notifier", () => {
  test("job.completed: one 'results available' email however often it is delivered", async () => {
    const id = crypto.randomUUID();
    const n = notifier([job(id)]);
    const message = { jobId: id, userId: "u1", status: "COMPLETED" as const, completeTime: "2026-01-02T03:04:05Z" };
    expect([await n.deliver(message), await n.deliver(message)]).toEqual(["sent", "duplicate"]);
    expect(n.sent.map((m) => [m.to, m.subject, m.idempotencyKey])).toEqual([
      ["ada@example.org", `Results available for job ${id} (ada.vcf)`, `job.completed:${id}`],
    ]);
    expect(n.sent[0]!.text).toContain(`https://gas.test/annotations/${id}`);
    expect(n.acked).toEqual(["d1", "d2"]);
  });

  test("result.restored: one 'results restored' email per archive, even when announced twice", async () => {
    const id = crypto.randomUUID();
    const n = notifier([job(id)]);
    const restored = { jobId: id, userId: "u1", archiveId: "archive-1" };
    expect([await n.deliver(restored), await n.deliver(restored)]).toEqual(["sent", "duplicate"]);
    // A later archive of the same job, restored again, is another email.
    expect(await n.deliver({ ...restored, archiveId: "archive-2" })).toBe("sent");
    expect(n.sent.map((m) => [m.subject, m.idempotencyKey])).toEqual([
      [`Results restored for job ${id} (ada.vcf)`, `job.restored:${id}:archive-1`],
      [`Results restored for job ${id} (ada.vcf)`, `job.restored:${id}:archive-2`],
    ]);
    expect(n.sent[0]!.text).toContain("restored from the archive");
    expect(n.sent[0]!.text).toContain("ada.vcf");
  });

  test("a failing mailer hands the delivery back; the next attempt sends the email once", async () => {
    const id = crypto.randomUUID();
    const n = notifier([job(id)], 1);
    const restored = { jobId: id, userId: "u1", archiveId: "archive-1" };
    expect(await n.deliver(restored)).toBe("retry");
    expect(n.retried).toEqual(["d1"]);
    expect([await n.deliver(restored), await n.deliver(restored)]).toEqual(["sent", "duplicate"]);
    expect(n.sent).toHaveLength(1);
  });

  test("an unknown job or user: acked without an email", async () => {
    const id = crypto.randomUUID();
    const n = notifier([job(id)]);
    expect(await n.deliver({ jobId: crypto.randomUUID(), userId: "u1", archiveId: "a" })).toBe("duplicate");
    expect(await n.deliver({ jobId: id, userId: "nobody", status: "COMPLETED", completeTime: "t" })).toBe("duplicate");
    expect(n.sent).toEqual([]);
    expect(n.acked).toEqual(["d1", "d2"]);
  });

  test("a job its owner deleted before the email went gets none: acked, not retried", async () => {
    const id = crypto.randomUUID();
    const n = notifier([job(id, { deletedAt: new Date() })]);
    expect(await n.deliver({ jobId: id, userId: "u1", status: "COMPLETED", completeTime: "2026-01-02T03:04:05Z" })).toBe("deleted");
    expect(await n.deliver({ jobId: id, userId: "u1", archiveId: "archive-1" })).toBe("deleted");
    expect(n.sent).toEqual([]);
    expect(n.acked).toEqual(["d1", "d2"]);
    expect(n.retried).toEqual([]);
  });

  test("an unverified address gets neither email: acked, not retried (it would never become deliverable)", async () => {
    const id = crypto.randomUUID();
    const n = notifier([job(id, { userId: "u2", inputFileName: "CLICK-evil.example.vcf" })]);
    expect(await n.deliver({ jobId: id, userId: "u2", status: "COMPLETED", completeTime: "2026-01-02T03:04:05Z" })).toBe("unverified");
    expect(await n.deliver({ jobId: id, userId: "u2", archiveId: "archive-1" })).toBe("unverified");
    expect(n.sent).toEqual([]);
    expect(n.acked).toEqual(["d1", "d2"]);
    expect(n.retried).toEqual([]);
  });

  test("a message that is not a notification is deleted at once, logged with its body and counted", async () => {
    const n = notifier([]);
    const bad = ["not json", { jobId: "42", userId: "u1" }, { jobId: crypto.randomUUID() }] as unknown as NotifierMessage[];
    for (const m of bad) expect(await n.deliver(m)).toBe("malformed");
    expect([n.sent, n.retried, n.acked, n.malformed]).toEqual([[], [], ["d1", "d2", "d3"], ["notifier", "notifier", "notifier"]]);
    expect(n.logged.map((l) => [l.msg, l.queue, l.why, l.body])).toEqual([
      ["malformed notification deleted", "notifier", "not a JSON object (string)", "not json"],
      ["malformed notification deleted", "notifier", "no job id (UUID)", '{"jobId":"42","userId":"u1"}'],
      ["malformed notification deleted", "notifier", "no userId", JSON.stringify(bad[2])],
    ]);
  });
});
