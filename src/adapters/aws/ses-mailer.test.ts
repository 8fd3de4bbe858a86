/**
 * The Mailer contract on SES v2, against aws-ses-v2-local started by this file. What the
 * contract parses is the RFC 5322 message the emulator renders from what SES received.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mailerContract } from "../../ports/mailer.contract.ts";
import { type SesEmulator, emulatorClients, startSesEmulator } from "../../../test/support/aws-emulators.ts";
import type { AwsClients } from "./aws-clients.ts";
import { createSesMailer } from "./ses-mailer.ts";

// Emulator round trips on a shared 2-core CI machine: bun's 5 s default is too tight (bunfig has no test timeout).
setDefaultTimeout(30_000);

const FROM = "GAS <noreply@gas.example.org>";
let emulator: SesEmulator;
let clients: AwsClients;
beforeAll(async () => {
  emulator = await startSesEmulator();
  clients = emulatorClients(emulator.endpoint);
});
afterAll(async () => {
  clients.destroy();
  await emulator.stop();
});

mailerContract("SES v2 on aws-ses-v2-local", async () => {
  await emulator.clear();
  return { mailer: createSesMailer({ ses: clients.ses, from: FROM }), delivered: () => emulator.rawEmails(), close: async () => {} };
});

describe("SES specifics", () => {
  test("the sender is the configured SES identity (the emulator does not keep tags, so the idempotency tag is not checked)", async () => {
    await emulator.clear();
    await createSesMailer({ ses: clients.ses, from: FROM }).send({ to: "ada@example.org", subject: "s", text: "t", html: "<p>t</p>", idempotencyKey: "job.completed:6f1c/2b" });
    const store = (await (await fetch(`${emulator.endpoint}/store`)).json()) as { emails: { from: string }[] };
    expect(store.emails.map((e) => e.from)).toEqual([FROM]);
  });

  test("an SES error reaches the caller (the notifier retries the message)", async () => {
    // The emulator checks neither addresses nor verified identities (SES does); an empty subject
    // is one request it refuses with 400 as SES does.
    const mailer = createSesMailer({ ses: clients.ses, from: FROM });
    await expect(mailer.send({ to: "ada@example.org", subject: "", text: "t", html: "<p>t</p>", idempotencyKey: "k" })).rejects.toThrow();
  });
});
