/**
 * The SNS message verifier against test/support/sns-test-publisher.ts, which signs as SNS does
 * with its own certificate served on 127.0.0.1 (trusted only through the test origin option).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type SnsEnvelope, type SnsTestPublisher, startSnsTestPublisher } from "../../../test/support/sns-test-publisher.ts";
import {
  type SnsMessage,
  SnsRefusal,
  type SnsVerifierOptions,
  createSnsVerifier,
  isSigningCertUrl,
  isSnsUrl,
  stringToSign,
} from "./sns-signature.ts";

let sns: SnsTestPublisher;
beforeAll(async () => {
  sns = await startSnsTestPublisher();
});
afterAll(() => sns.stop());

const verifier = (o: Partial<SnsVerifierOptions> = {}) =>
  createSnsVerifier({ topicArn: sns.topicArn, trustedTestOrigin: sns.origin, ...o });

/** The refusal a body gets (fails the test when it is accepted). */
async function refusal(v: ReturnType<typeof verifier>, m: SnsEnvelope | string, typeHeader?: string): Promise<SnsRefusal> {
  try {
    await v.verify(typeof m === "string" ? m : JSON.stringify(m), typeHeader);
  } catch (err) {
    if (err instanceof SnsRefusal) return err;
    throw err;
  }
  throw new Error("the message was accepted");
}

describe("string to sign", () => {
  test("notification: Message, MessageId, Subject (when present), Timestamp, TopicArn, Type; unsigned fields left out", () => {
    const m = {
      Type: "Notification",
      MessageId: "id-1",
      TopicArn: "arn:t",
      Message: "hi\nthere",
      Timestamp: "2026-01-01T00:00:00.000Z",
      Subject: "S",
      UnsubscribeURL: "u",
      SignatureVersion: "2",
      Signature: "x",
      SigningCertURL: "c",
    } as SnsMessage;
    expect(stringToSign(m)).toBe(
      "Message\nhi\nthere\nMessageId\nid-1\nSubject\nS\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:t\nType\nNotification\n",
    );
    expect(stringToSign({ ...m, Subject: undefined })).toBe(
      "Message\nhi\nthere\nMessageId\nid-1\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:t\nType\nNotification\n",
    );
  });

  test("confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type", () => {
    const m = {
      Type: "SubscriptionConfirmation",
      MessageId: "i",
      TopicArn: "t",
      Message: "m",
      Timestamp: "ts",
      Token: "k",
      SubscribeURL: "s",
      Subject: "ignored",
    } as SnsMessage;
    expect(stringToSign(m)).toBe(
      "Message\nm\nMessageId\ni\nSubscribeURL\ns\nTimestamp\nts\nToken\nk\nTopicArn\nt\nType\nSubscriptionConfirmation\n",
    );
    expect(stringToSign({ ...m, Type: "UnsubscribeConfirmation" })).toEndWith("Type\nUnsubscribeConfirmation\n");
  });
});

describe("SNS URLs", () => {
  test("certificate URLs: https, an sns.<region>.amazonaws.com(.cn) host, a .pem path", () => {
    expect(isSigningCertUrl("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")).toBe(true);
    expect(isSigningCertUrl("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem")).toBe(true);
    for (const bad of [
      "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com.evil.org/SimpleNotificationService-abc.pem",
      "https://evil.org/sns.us-east-1.amazonaws.com/x.pem",
      "https://sns.us-east-1.amazonaws.com@evil.org/x.pem",
      "https://user@sns.us-east-1.amazonaws.com/x.pem",
      "https://sns.us-east-1.amazonaws.com:8443/x.pem",
      "https://sqs.us-east-1.amazonaws.com/x.pem",
      "https://evilsns.us-east-1.amazonaws.com/x.pem",
      "https://sns.us-east-1.amazonaws.com/x.txt",
      "https://sns..amazonaws.com/x.pem",
      "not a url",
      "",
    ]) {
      expect([bad, isSigningCertUrl(bad)]).toEqual([bad, false]);
    }
  });

  test("the test origin is trusted only when given, and only that exact origin", () => {
    expect(isSnsUrl(`${sns.origin}/?Action=ConfirmSubscription`)).toBe(false);
    expect(isSnsUrl(`${sns.origin}/?Action=ConfirmSubscription`, sns.origin)).toBe(true);
    expect(isSnsUrl(`http://127.0.0.1:1/?Action=ConfirmSubscription`, sns.origin)).toBe(false);
    expect(isSigningCertUrl(sns.certUrl, sns.origin)).toBe(true);
  });
});

describe("verify", () => {
  test("valid notifications are accepted, SignatureVersion 1 and 2, with and without Subject", async () => {
    const v = verifier();
    for (const version of [1, 2] as const) {
      for (const subject of [undefined, "New job"]) {
        const m = sns.notification({ version, subject, message: JSON.stringify({ jobId: "j1" }) });
        const got = await v.verify(JSON.stringify(m), "Notification");
        expect(got).toMatchObject({
          Type: "Notification",
          MessageId: m.MessageId,
          Message: '{"jobId":"j1"}',
          SignatureVersion: String(version),
        });
      }
    }
  });

  test("valid subscription and unsubscribe confirmations are accepted", async () => {
    const v = verifier();
    for (const type of ["SubscriptionConfirmation", "UnsubscribeConfirmation"] as const) {
      for (const version of [1, 2] as const)
        expect((await v.verify(JSON.stringify(sns.confirmation(type, { version })), type)).Type).toBe(type);
    }
  });

  test("unsigned or malformed messages are refused with 400", async () => {
    const v = verifier();
    const unsigned = sns.notification();
    delete unsigned.Signature;
    expect(await refusal(v, unsigned)).toMatchObject({ status: 400, message: expect.stringContaining("unsigned") });
    expect(await refusal(v, { ...sns.notification(), Signature: "" })).toMatchObject({ status: 400 });
    expect(await refusal(v, { ...sns.notification(), SignatureVersion: "3" })).toMatchObject({
      status: 400,
      message: expect.stringContaining("SignatureVersion"),
    });
    const noTimestamp = sns.notification();
    delete noTimestamp.Timestamp;
    expect(await refusal(v, noTimestamp)).toMatchObject({ status: 400, message: expect.stringContaining("Timestamp") });
    const confirmation = sns.confirmation("SubscriptionConfirmation");
    delete confirmation.Token;
    expect(await refusal(v, confirmation)).toMatchObject({ status: 400, message: expect.stringContaining("Token") });
    expect(await refusal(v, "{not json")).toMatchObject({ status: 400 });
    expect(await refusal(v, "[]")).toMatchObject({ status: 400 });
    expect(await refusal(v, { ...sns.notification(), Type: "Surprise" })).toMatchObject({ status: 400 });
    expect(await refusal(v, sns.notification(), "SubscriptionConfirmation")).toMatchObject({
      status: 400,
      message: expect.stringContaining("x-amz-sns-message-type"),
    });
  });

  test("a wrong signature is refused: another key, the other SignatureVersion's hash, garbage", async () => {
    const v = verifier();
    expect(await refusal(v, sns.notification({ foreignKey: true }))).toMatchObject({
      status: 403,
      message: expect.stringContaining("signature"),
    });
    const v2 = sns.notification({ version: 2 });
    expect(await refusal(v, { ...v2, SignatureVersion: "1" })).toMatchObject({ status: 403 });
    expect(await refusal(v, { ...sns.notification(), Signature: Buffer.from("nope").toString("base64") })).toMatchObject({ status: 403 });
    expect(await refusal(v, { ...sns.notification(), Signature: "!!!" })).toMatchObject({ status: 403 });
  });

  test("an altered message is refused: every signed field, and a Subject added or removed", async () => {
    const v = verifier();
    const m = sns.notification({ subject: "s", message: JSON.stringify({ jobId: "a" }) });
    for (const [field, value] of [
      ["Message", JSON.stringify({ jobId: "b" })],
      ["MessageId", "another-id"],
      ["Subject", "t"],
      ["Timestamp", new Date(Date.parse(m.Timestamp!) - 1000).toISOString()],
    ] as const) {
      expect([field, (await refusal(v, { ...m, [field]: value })).status]).toEqual([field, 403]);
    }
    const { Subject: _, ...withoutSubject } = m;
    expect((await refusal(v, withoutSubject)).status).toBe(403);
    expect((await refusal(v, { ...sns.notification(), Subject: "added" })).status).toBe(403);
    const c = sns.confirmation("SubscriptionConfirmation");
    expect((await refusal(v, { ...c, SubscribeURL: `${sns.origin}/?Action=ConfirmSubscription&Token=evil` })).status).toBe(403);
    expect((await refusal(v, { ...c, Token: "evil" })).status).toBe(403);
    // The unsigned UnsubscribeURL may differ (SNS does not sign it).
    expect((await v.verify(JSON.stringify({ ...m, UnsubscribeURL: "https://example.org/" }))).MessageId).toBe(m.MessageId!);
  });

  test("foreign certificate URLs are refused without being fetched", async () => {
    let fetched = 0;
    const v = verifier({ fetch: ((...args: Parameters<typeof fetch>) => (fetched++, fetch(...args))) as typeof fetch });
    for (const certUrl of [
      sns.certUrl.replace("http://", "https://"), // right path, but not the trusted origin
      "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com.evil.org/SimpleNotificationService-abc.pem",
      "https://evil.org/SimpleNotificationService-abc.pem",
      `${sns.origin}/cert.txt`,
    ]) {
      // Signed correctly over the message: only the URL is wrong.
      const r = await refusal(v, sns.notification({ certUrl }));
      expect([certUrl, r.status, r.message]).toEqual([certUrl, 403, expect.stringContaining("SigningCertURL")]);
    }
    expect(fetched).toBe(0);
    // Without the test origin the publisher is a foreign host too.
    expect((await refusal(verifier({ trustedTestOrigin: null }), sns.notification())).status).toBe(403);
  });

  test("a message from another topic is refused (another account's topic is signed by the same SNS)", async () => {
    const r = await refusal(verifier(), sns.notification({ topicArn: "arn:aws:sns:us-east-1:999999999999:gas-job-requested" }));
    expect(r).toMatchObject({ status: 403, message: expect.stringContaining("TopicArn") });
  });

  test("a replayed message is refused with 409 until forgotten; another message is not", async () => {
    const v = verifier();
    const m = JSON.stringify(sns.notification());
    await v.verify(m);
    expect(await refusal(v, m)).toMatchObject({ status: 409, message: expect.stringContaining("replay") });
    expect((await v.verify(JSON.stringify(sns.notification()))).Type).toBe("Notification");
    v.forget(JSON.parse(m).MessageId);
    expect((await v.verify(m)).Type).toBe("Notification");
  });

  test("stale and future Timestamps are refused even when correctly signed", async () => {
    const v = verifier({ maxAgeSeconds: 3600, maxSkewSeconds: 300 });
    const stale = await refusal(v, sns.notification({ timestamp: new Date(Date.now() - 3601_000) }));
    expect(stale).toMatchObject({ status: 403, message: expect.stringContaining("older") });
    expect((await refusal(v, sns.notification({ timestamp: new Date(Date.now() + 600_000) }))).status).toBe(403);
    expect((await v.verify(JSON.stringify(sns.notification({ timestamp: new Date(Date.now() - 3500_000) })))).Type).toBe("Notification");
  });

  test("a replay is still refused after the first delivery's window moved on: its Timestamp has become stale", async () => {
    let now = Date.now();
    const v = verifier({ maxAgeSeconds: 60, now: () => now });
    const m = JSON.stringify(sns.notification());
    await v.verify(m);
    now += 61_000;
    expect(await refusal(v, m)).toMatchObject({ status: 403, message: expect.stringContaining("older") });
  });

  test("the certificate is fetched once for many messages, concurrent ones too", async () => {
    const p = await startSnsTestPublisher();
    try {
      const v = createSnsVerifier({ topicArn: p.topicArn, trustedTestOrigin: p.origin });
      const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify(p.notification({ version: i % 2 ? 1 : 2 })));
      await Promise.all(bodies.slice(0, 20).map((b) => v.verify(b)));
      for (const b of bodies.slice(20)) await v.verify(b);
      expect(p.certFetches()).toBe(1);
    } finally {
      await p.stop();
    }
  });

  test("a certificate URL that serves no certificate is refused; an unreachable one is a 503 and not cached", async () => {
    const v = verifier();
    expect(await refusal(v, sns.notification({ certUrl: `${sns.origin}/missing.pem` }))).toMatchObject({
      status: 403,
      message: expect.stringContaining("404"),
    });
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"),
    });
    const port = server.port;
    const origin = `http://127.0.0.1:${port}`;
    await server.stop(true);
    const unreachable = createSnsVerifier({ topicArn: sns.topicArn, trustedTestOrigin: origin });
    const m = sns.notification({ certUrl: `${origin}/x.pem` });
    expect(await refusal(unreachable, m)).toMatchObject({ status: 503 });
    // The same URL is tried again (the failure was not cached); now it answers junk.
    const again = Bun.serve({
      hostname: "127.0.0.1",
      port,
      fetch: () => new Response("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"),
    });
    try {
      expect(await refusal(unreachable, m)).toMatchObject({ status: 403, message: expect.stringContaining("PEM certificate") });
    } finally {
      await again.stop(true);
    }
  });

  test("an expired signing certificate is refused", async () => {
    const later = Date.now() + 3 * 86400_000; // the publisher's certificate is valid for one day
    const v = verifier({ now: () => later });
    const r = await refusal(v, sns.notification({ timestamp: new Date(later) }));
    expect(r).toMatchObject({ status: 403, message: expect.stringContaining("not valid now") });
  });
});
