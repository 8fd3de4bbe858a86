/**
 * A real SMTP server for tests (the `smtp-server` package, by the nodemailer authors) listening on
 * a free port on 127.0.0.1. It accepts mail, optionally only after AUTH with one user name and
 * password, and keeps every message it received with its SMTP envelope.
 */
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  /** MAIL FROM and RCPT TO addresses as the client sent them. */
  envelope: { from: string | null; to: string[] };
  /** The authenticated user, or null. */
  user: string | null;
  /** The DATA section: the RFC 5322 message. */
  raw: string;
}

export interface SmtpSink {
  port: number;
  /** `smtp://[user:pass@]127.0.0.1:port` for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** Wait until `n` messages have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** Start a sink; with `auth`, only that user name and password may send. */
export async function startSmtpSink(opts: { auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS (the client would verify the server's self-signed
    // certificate and refuse it), and AUTH allowed without TLS.
    disabledCommands: opts.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((a) => a.address),
          },
          user: typeof session.user === "string" ? session.user : null,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const srv = server.listen(0, "127.0.0.1", () => resolve((srv.address() as AddressInfo).port));
    srv.once("error", reject);
  });
  const cred = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@` : "";
  return {
    port,
    url: `smtp://${cred}127.0.0.1:${port}`,
    received,
    async waitFor(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: ${received.length} of ${n} messages after ${timeoutMs} ms`);
        await Bun.sleep(25);
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
