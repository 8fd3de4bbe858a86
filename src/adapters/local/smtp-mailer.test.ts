import { afterEach, describe, expect, test } from "bun:test";
import { simpleParser } from "mailparser";
import { mailerContract } from "../../ports/mailer.contract.ts";
import { freePort } from "../../../test/support/free-port.ts";
import { type SmtpSink, startSmtpSink } from "../../../test/support/smtp-sink.ts";
import { messageIdFor, createSmtpMailer } from "./smtp-mailer.ts";

const FROM = "GAS <noreply@gas.example.org>";
const AUTH = { user: "gas-mailer", pass: "s3cret:with@odd/chars" };

const at = (sink: SmtpSink, auth: { user: string; pass: string } | null = AUTH) => ({
  host: "127.0.0.1",
  port: sink.port,
  secure: false,
  user: auth?.user ?? null,
  pass: auth?.pass ?? null,
});

// The contract against a real SMTP server that requires AUTH: what arrives is what a mail
// server received over the wire.
mailerContract("SMTP (nodemailer → smtp-server)", async () => {
  const sink = await startSmtpSink({ auth: AUTH });
  const mailer = createSmtpMailer({ smtp: at(sink), from: FROM, timeoutMs: 5000 });
  return {
    mailer,
    delivered: async () => sink.received.map((m) => m.raw),
    close: async () => {
      mailer.close();
      await sink.close();
    },
  };
});

describe("SMTP mailer", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0)) await f();
  });
  const open = async (auth: { user: string; pass: string } | null, sinkAuth = auth) => {
    const sink = await startSmtpSink(sinkAuth ? { auth: sinkAuth } : {});
    const mailer = createSmtpMailer({ smtp: at(sink, auth), from: FROM, timeoutMs: 5000 });
    cleanup.push(
      () => mailer.close(),
      () => sink.close(),
    );
    return { sink, mailer };
  };
  const message = {
    to: "ada@example.org",
    subject: "Results available for job 7",
    text: "done",
    html: "<p>done</p>",
    idempotencyKey: "job.completed:7",
  };

  test("envelope: MAIL FROM is MAIL_FROM's address, RCPT TO the recipient; it authenticated as the URL's user", async () => {
    const { sink, mailer } = await open(AUTH);
    await mailer.send(message);
    expect(sink.received[0]!.envelope).toEqual({ from: "noreply@gas.example.org", to: ["ada@example.org"] });
    expect(sink.received[0]!.user).toBe("gas-mailer");
  });

  test("a redelivered notification carries the same Message-ID (clients collapse duplicates)", async () => {
    const { sink, mailer } = await open(null);
    await mailer.send(message);
    await mailer.send(message);
    await mailer.send({ ...message, idempotencyKey: "job.completed:8" });
    const ids = await Promise.all(sink.received.map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(ids[0]).toBe(messageIdFor("job.completed:7", FROM));
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  test("a wrong password rejects the send (the notifier then retries), nothing is delivered", async () => {
    const { sink, mailer } = await open({ user: AUTH.user, pass: "wrong" }, AUTH);
    await expect(mailer.send(message)).rejects.toThrow(/Invalid login|auth|Invalid username/i);
    expect(sink.received).toHaveLength(0);
  });

  test("an unreachable server rejects the send", async () => {
    const port = await freePort(); // nothing listens there
    const mailer = createSmtpMailer({
      smtp: { host: "127.0.0.1", port, secure: false, user: null, pass: null },
      from: FROM,
      timeoutMs: 2000,
    });
    cleanup.push(() => mailer.close());
    await expect(mailer.send(message)).rejects.toThrow(/ECONNREFUSED|connect/i);
  });
});
