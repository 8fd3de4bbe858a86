/**
 * The Mailer contract on SES v2, against aws-ses-v2-local started by this file. What the
 * contract parses is the RFC 5322 message the emulator renders from what SES received.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mailerContract } from "../../ports/mailer.contract.ts";
import { CreateEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import { simpleParser } from "mailparser";
import { emulatorName, externalEndpoint, startSesEmulator, emulatorFixture } from "../../../test/support/aws-emulators.ts";
import { createSesMailer, senderAddress } from "./ses-mailer.ts";

const FROM = "GAS <noreply@gas.example.org>";
const ses = emulatorFixture(startSesEmulator);
beforeAll(async () => {
  // moto, like SES, sends only from a verified identity (aws-ses-v2-local checks nothing).
  if (externalEndpoint) await ses.clients.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: "gas.example.org" }));
});

// moto keeps one body of a Simple message (the HTML one) and no MIME rendering, so the
// contract, which parses both bodies, runs on aws-ses-v2-local only; moto gets the checks below.
describe.if(!externalEndpoint)("in-process emulator", () =>
  mailerContract(`SES v2 on ${emulatorName("aws-ses-v2-local")}`, async () => {
    await ses.emulator.clear();
    return {
      mailer: createSesMailer({ ses: ses.clients.ses, from: FROM }),
      delivered: () => ses.emulator.rawEmails(),
      close: async () => {},
    };
  }),
);

describe.if(!!externalEndpoint)("SES v2 on moto", () => {
  test("the message moto records has the sender, recipient, subject and the HTML body", async () => {
    await ses.emulator.clear();
    await createSesMailer({ ses: ses.clients.ses, from: FROM }).send({
      to: "ada@example.org",
      subject: "Résultats",
      text: "t",
      html: "<p>done é</p>",
      idempotencyKey: "k",
    });
    // moto's mail store cannot be cleared and other files' tests (the AWS end-to-end run) mail
    // through the same server: pick this test's message by its subject.
    const parsed = await Promise.all((await ses.emulator.rawEmails()).map((raw) => simpleParser(raw)));
    const [mail, ...more] = parsed.filter((m) => m.subject === "Résultats");
    expect(more).toEqual([]);
    expect({ to: mail?.to && "text" in mail.to ? mail.to.text : null, subject: mail?.subject, body: mail?.text }).toEqual({
      to: "ada@example.org",
      subject: "Résultats",
      body: "<p>done é</p>",
    });
  });
});

// /readyz's check (GetEmailIdentity): aws-ses-v2-local has no identities API, so on moto only
// (the moto leg of .ci/run, and test/aws-iam.e2e.test.ts under each role's IAM policy).
describe.if(!!externalEndpoint)("SES sender check on moto", () => {
  test("ready when the sender's domain is a verified identity", async () => {
    await createSesMailer({ ses: ses.clients.ses, from: FROM }).ready?.();
  });

  test("not ready, naming the sender, when neither the address nor its domain is an identity", async () => {
    const mailer = createSesMailer({ ses: ses.clients.ses, from: "GAS <nobody@unverified.example.net>" });
    await expect(mailer.ready?.()).rejects.toThrow(
      "SES_FROM nobody@unverified.example.net: neither nobody@unverified.example.net nor unverified.example.net is an SES identity",
    );
  });
});

describe("SES specifics", () => {
  test("the sender's address is read from a display-name form or a bare address", () => {
    expect([senderAddress(FROM), senderAddress("noreply@gas.example.org"), senderAddress("GAS <a@b.org> ")]).toEqual([
      "noreply@gas.example.org",
      "noreply@gas.example.org",
      "a@b.org",
    ]);
  });

  test("the sender is the configured SES identity (the emulator does not keep tags, so the idempotency tag is not checked)", async () => {
    await ses.emulator.clear();
    await createSesMailer({ ses: ses.clients.ses, from: FROM }).send({
      to: "ada@example.org",
      subject: "s",
      text: "t",
      html: "<p>t</p>",
      idempotencyKey: "job.completed:6f1c/2b",
    });
    const mails = await Promise.all((await ses.emulator.rawEmails()).map((raw) => simpleParser(raw)));
    expect(mails.map((m) => m.from?.text)).toEqual([`"GAS" <noreply@gas.example.org>`]);
  });

  test("an SES error reaches the caller (the notifier retries the message)", async () => {
    // aws-ses-v2-local checks neither addresses nor verified identities (SES does); an empty
    // subject is one request it refuses with 400 as SES does. moto refuses an unverified sender.
    const mailer = createSesMailer({ ses: ses.clients.ses, from: externalEndpoint ? "nobody@unverified.example.net" : FROM });
    await expect(
      mailer.send({ to: "ada@example.org", subject: externalEndpoint ? "s" : "", text: "t", html: "<p>t</p>", idempotencyKey: "k" }),
    ).rejects.toThrow();
  });
});
