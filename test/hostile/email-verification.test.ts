/**
 * Issue 13, item 10: the notification address was never verified, so anyone could type a
 * stranger's address on the profile page and have GAS, from its own sender, mail that stranger
 * text they chose (a job's input file name, a failure reason quoting their VCF). Now a new address
 * is unverified; the only email it gets is a verification link with nothing the user chose in it
 * but the address; job emails wait for the link to be used. The link works once, by the account
 * it was sent for, expires, and cannot be forged; sends are rate-limited.
 *
 * Driven through the whole web app and the real notifier handler, with the outbox mailer's .eml
 * files read as a mail client would (mailparser).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { type ParsedMail, simpleParser } from "mailparser";
import type { NotifierMessage } from "../../src/modules/notify/index.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { ORIGIN, type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";
import { csrfTokenIn } from "../support/gas-process.ts";

const VICTIM = "victim@example.org";
/** What an attacker would put in front of a stranger: in a file name and in the profile. */
const LURE = "URGENT-reset-your-bank-password-at-evil.example";

describe("hostile: the notification address is verified before GAS mails it", () => {
  let h: WebHarness;
  let mallory: WebClient;
  let malloryId: string;
  beforeAll(async () => {
    h = await startWebHarness();
    mallory = h.client();
    malloryId = await mallory.signIn("mallory@example.org", "Mallory");
  }, 60_000);
  afterAll(() => h.close());

  /** Every mail in the outbox, parsed. */
  async function outbox(): Promise<ParsedMail[]> {
    const dir = h.container.config.backend.outboxDir;
    const files = ((await readdir(dir).catch(() => [])) as string[]).filter((f) => f.endsWith(".eml"));
    return Promise.all(files.map(async (f) => simpleParser(await Bun.file(join(dir, f)).text())));
  }
  const to = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : []);
  const mailsTo = async (address: string) => (await outbox()).filter((m) => to(m).includes(address));
  const linkIn = (m: ParsedMail) => /https?:\/\/\S+\/profile\/verify-email\?token=[A-Za-z0-9_-]+/.exec(m.text ?? "")![0];

  /** A finished job of `userId` announced on job.completed, and the notifier role's handler run over its queue. */
  async function finishJobAndNotify(userId: string, fileName: string): Promise<string[]> {
    const jobId = await h.completedJob(userId, { fileName });
    const c = h.container;
    await c.ports.topic.publish("job.completed", { jobId, userId, status: "COMPLETED", completeTime: new Date().toISOString() });
    const queue = c.ports.queue<NotifierMessage>("notifier");
    const handle = c.notifier(createLogger("error", {}));
    const outcomes: string[] = [];
    for (let [d] = await queue.receive(); d; [d] = await queue.receive()) outcomes.push(await handle(d));
    return outcomes;
  }

  async function changeEmail(client: WebClient, email: string, name = "Mallory") {
    return client.submit("/profile", "/profile", { name, email, institution: LURE });
  }

  async function confirm(client: WebClient, link: string) {
    const url = new URL(link);
    const page = await client.request(url.pathname + url.search);
    if (page.status !== 200) return page;
    return client.request(url.pathname, {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrfTokenIn(await page.text()), token: url.searchParams.get("token")! }),
    });
  }

  test("a stranger's address typed on the profile gets one email: the link, with nothing the account chose in it", async () => {
    const saved = await changeEmail(mallory, VICTIM, LURE);
    expect(saved.status).toBe(303);
    const mails = await mailsTo(VICTIM);
    expect(mails.map((m) => m.subject)).toEqual(["Confirm your email address for GAS"]);
    const body = `${mails[0]!.text}\n${mails[0]!.html}`;
    expect(body).not.toContain(LURE); // not the name, not the institution
    expect(body).not.toContain("Mallory");
    expect(new URL(linkIn(mails[0]!)).origin).toBe(ORIGIN); // PUBLIC_URL
    // Every page says so, with the button to send a new link.
    const page = await (await mallory.request("/annotations")).text();
    expect(page).toContain("Verify your address to get emails");
    expect(page).toContain('action="/profile/verify-email/send"');
    const api = await mallory.request("/profile", { headers: { accept: "application/json" } });
    expect(await api.json()).toMatchObject({ email: VICTIM, email_verified: false });
  });

  test("a job's email is not sent to the unverified address, whatever the file is called", async () => {
    const before = (await mailsTo(VICTIM)).length;
    expect(await finishJobAndNotify(malloryId, `${LURE}.vcf`)).toContain("unverified");
    const after = await mailsTo(VICTIM);
    expect(after).toHaveLength(before);
    expect(after.some((m) => `${m.subject}${m.text}`.includes(LURE))).toBe(false);
  });

  test("the link's page only asks: opening it (a mail scanner) verifies nothing", async () => {
    const link = linkIn((await mailsTo(VICTIM)).at(-1)!);
    const url = new URL(link);
    const page = await mallory.request(url.pathname + url.search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(">Confirm<");
    expect(await (await mallory.request("/profile", { headers: { accept: "application/json" } })).json()).toMatchObject({
      email_verified: false,
    });
    // Signed out (a stranger's browser), the page asks for sign-in instead.
    const stranger = await h.app.request(`${ORIGIN}${url.pathname}${url.search}`, { redirect: "manual" });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get("location")).toStartWith("/login?next=");
  });

  test("forged tokens, and another account's link, are refused", async () => {
    const link = linkIn((await mailsTo(VICTIM)).at(-1)!);
    const token = new URL(link).searchParams.get("token")!;
    const other = h.client();
    await other.signIn("other@example.org", "Other");
    expect((await confirm(other, link)).status).toBe(400);
    for (const forged of [`${token.slice(0, -2)}xx`, "A".repeat(43), "", `${token}A`]) {
      const res = await confirm(mallory, `${ORIGIN}/profile/verify-email?token=${forged}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("not valid for the account");
    }
    // Straight to the POST with a forged token (no page first), as JSON.
    const json = await mallory.request("/profile/verify-email", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ token: "B".repeat(43) }),
    });
    expect(json.status).toBe(400);
    expect(await (await mallory.request("/profile", { headers: { accept: "application/json" } })).json()).toMatchObject({
      email_verified: false,
    });
  });

  test("the link works once; then job emails reach the address", async () => {
    const link = linkIn((await mailsTo(VICTIM)).at(-1)!);
    const first = await confirm(mallory, link);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/profile?verified=1");
    const second = await confirm(mallory, link);
    expect(second.status).toBe(400);
    expect(await second.text()).toContain("used already");
    expect(await finishJobAndNotify(malloryId, "calls.vcf")).toContain("sent");
    expect((await mailsTo(VICTIM)).some((m) => m.subject?.startsWith("Results available for job"))).toBe(true);
  });

  test("an expired link is refused", async () => {
    const grace = h.client();
    const graceId = await grace.signIn("grace@example.org", "Grace");
    await changeEmail(grace, "grace-new@example.org", "Grace");
    const link = linkIn((await mailsTo("grace-new@example.org")).at(-1)!);
    await h.container.database.db.execute(
      sql`update email_verifications set expires_at = now() - interval '1 second' where user_id = ${graceId}`,
    );
    const res = await confirm(grace, link);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("expired");
  });

  test("asking for links again and again is limited (429, Retry-After); the profile change itself is saved", async () => {
    const eve = h.client();
    await eve.signIn("eve@example.org", "Eve");
    await changeEmail(eve, "target-1@example.org", "Eve");
    const page = await (await eve.request("/profile")).text();
    const again = await eve.request("/profile/verify-email/send", {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrfTokenIn(page) }),
    });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    // Spraying addresses through the profile: saved, but no second link inside the minute.
    const moved = await changeEmail(eve, "target-2@example.org", "Eve");
    expect(moved.headers.get("location")).toBe("/profile?updated=1&verification=rate-limited");
    expect(await mailsTo("target-2@example.org")).toHaveLength(0);
  });
});
