/**
 * Plays Amazon SNS towards an HTTP(S) subscription, which no emulator does with real signatures:
 * its own RSA key and self-signed X.509 certificate (node:crypto makes keys but cannot issue
 * certificates, so node-forge builds the certificate), the certificate served over HTTP on
 * 127.0.0.1, messages signed as SNS signs them (SignatureVersion 1: SHA1withRSA, 2:
 * SHA256withRSA, over the documented fields), and a SubscribeURL it answers and records.
 *
 * The webhook trusts this publisher only through SNS_PUSH_TEST_TRUSTED_ORIGIN (`origin` here),
 * which configuration refuses when NODE_ENV=production. The string to sign is written here
 * again from AWS's documentation rather than imported from the verifier, so a mistake there is
 * not repeated here.
 */
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import forge from "node-forge";

export type SnsType = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

/** An SNS HTTP(S) message as posted (every field a string, as SNS sends them). */
export type SnsEnvelope = Record<string, string>;

export interface SignOptions {
  /** 1 (SHA1withRSA) or 2 (SHA256withRSA, default). */
  version?: 1 | 2;
  /** Sign with a key that does not belong to the served certificate. */
  foreignKey?: boolean;
}

export interface MessageOptions extends SignOptions {
  topicArn?: string;
  message?: string;
  subject?: string;
  messageId?: string;
  /** Default now. */
  timestamp?: Date;
  certUrl?: string;
  /** Confirmations: default this publisher's confirmation URL with a fresh token. */
  subscribeUrl?: string;
}

export interface SnsTestPublisher {
  /** http://127.0.0.1:PORT: the value for SNS_PUSH_TEST_TRUSTED_ORIGIN. */
  origin: string;
  /** Where the signing certificate is served (a .pem path on `origin`). */
  certUrl: string;
  /** The topic messages come from unless told otherwise. */
  topicArn: string;
  /** How often the certificate was fetched. */
  certFetches(): number;
  /** Tokens of the subscriptions confirmed through the SubscribeURL, in order. */
  confirmedTokens(): string[];
  /** Make confirmations answer 500 (true) or 200 (false). */
  failConfirmations(fail: boolean): void;
  notification(o?: MessageOptions): SnsEnvelope;
  confirmation(type: "SubscriptionConfirmation" | "UnsubscribeConfirmation", o?: MessageOptions): SnsEnvelope;
  /** (Re)sign an envelope as it now is: SignatureVersion and Signature set from `o`. */
  sign(m: SnsEnvelope, o?: SignOptions): SnsEnvelope;
  /** POST an envelope the way SNS does (text/plain body, x-amz-sns-* headers). */
  post(url: string, m: SnsEnvelope | string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** SNS's signed fields, from docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html. */
function canonical(m: SnsEnvelope): string {
  const fields =
    m.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  return fields
    .filter((f) => f !== "Subject" || m.Subject !== undefined)
    .map((f) => `${f}\n${m[f]}\n`)
    .join("");
}

const rsaKeys = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

/** A self-signed certificate for `keys`, valid from an hour ago for `days`. */
export function selfSignedCertificate(keys: { publicKey: string; privateKey: string }, days = 1): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = `01${randomUUID().replaceAll("-", "").slice(0, 14)}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86400_000);
  const name = [
    { name: "commonName", value: "sns.amazonaws.com" },
    { name: "organizationName", value: "GAS test publisher" },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Start the publisher's certificate and confirmation server on 127.0.0.1. */
export async function startSnsTestPublisher(opts: { topicArn?: string } = {}): Promise<SnsTestPublisher> {
  const keys = rsaKeys();
  const foreign = rsaKeys();
  const pem = selfSignedCertificate(keys);
  const topicArn = opts.topicArn ?? "arn:aws:sns:us-east-1:123456789012:gas-job-requested";
  const certPath = "/SimpleNotificationService-0123456789abcdef.pem";
  let fetches = 0;
  let failing = false;
  const confirmed: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === certPath) {
        fetches++;
        return new Response(pem, { headers: { "content-type": "application/x-x509-ca-cert" } });
      }
      if (url.pathname === "/" && url.searchParams.get("Action") === "ConfirmSubscription") {
        if (failing) return new Response("unavailable", { status: 500 });
        confirmed.push(url.searchParams.get("Token") ?? "");
        return new Response("<ConfirmSubscriptionResponse/>", { headers: { "content-type": "text/xml" } });
      }
      return new Response("not found", { status: 404 });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  const certUrl = origin + certPath;

  function sign(m: SnsEnvelope, o: SignOptions = {}): SnsEnvelope {
    const version = o.version ?? 2;
    const signer = createSign(version === 1 ? "RSA-SHA1" : "RSA-SHA256").update(canonical(m), "utf8");
    return {
      ...m,
      SignatureVersion: String(version),
      Signature: signer.sign(o.foreignKey ? foreign.privateKey : keys.privateKey, "base64"),
    };
  }

  const base = (type: SnsType, o: MessageOptions): SnsEnvelope => ({
    Type: type,
    MessageId: o.messageId ?? randomUUID(),
    TopicArn: o.topicArn ?? topicArn,
    Message: o.message ?? "{}",
    Timestamp: (o.timestamp ?? new Date()).toISOString(),
    SigningCertURL: o.certUrl ?? certUrl,
  });

  return {
    origin,
    certUrl,
    topicArn,
    certFetches: () => fetches,
    confirmedTokens: () => [...confirmed],
    failConfirmations(fail) {
      failing = fail;
    },
    notification(o = {}) {
      const m = base("Notification", o);
      if (o.subject !== undefined) m.Subject = o.subject;
      m.UnsubscribeURL = `${origin}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(`${m.TopicArn}:${randomUUID()}`)}`;
      return sign(m, o);
    },
    confirmation(type, o = {}) {
      const m = base(type, { message: `You have chosen to subscribe to the topic ${o.topicArn ?? topicArn}.`, ...o });
      const token = randomUUID().replaceAll("-", "");
      m.Token = token;
      m.SubscribeURL = o.subscribeUrl ?? `${origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(m.TopicArn!)}&Token=${token}`;
      return sign(m, o);
    },
    sign,
    post(url, m, headers = {}) {
      const type = typeof m === "string" ? "Notification" : (m.Type ?? "Notification");
      return fetch(url, {
        method: "POST",
        body: typeof m === "string" ? m : JSON.stringify(m),
        headers: {
          "content-type": "text/plain; charset=UTF-8",
          "x-amz-sns-message-type": type,
          "x-amz-sns-message-id": typeof m === "string" ? "" : (m.MessageId ?? ""),
          "x-amz-sns-topic-arn": typeof m === "string" ? "" : (m.TopicArn ?? ""),
          "user-agent": "Amazon Simple Notification Service Agent",
          ...headers,
        },
      });
    },
    async stop() {
      await server.stop(true);
    },
  };
}
