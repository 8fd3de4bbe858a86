/**
 * Verification of the messages Amazon SNS posts to an HTTP(S) subscription
 * (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html): the canonical
 * string to sign per message type, SHA1withRSA (SignatureVersion 1) or SHA256withRSA
 * (SignatureVersion 2) against the certificate at SigningCertURL, which must be an https URL on
 * an SNS host; plus what the signature alone does not give: the expected topic, a freshness
 * window on Timestamp and a memory of MessageIds seen within it (a captured message re-posted
 * later is refused).
 *
 * Written by hand rather than with npm's `sns-validator`: that library fetches certificates only
 * through node's `https.get` with no way to inject a test origin, keeps no Timestamp window or
 * replay memory, and checks no TopicArn; what remains is ~100 lines over node:crypto.
 */
import { type KeyObject, X509Certificate, createVerify } from "node:crypto";

/** The JSON body SNS posts (its field names, as AWS spells them). */
export interface SnsMessage {
  Type: "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: "1" | "2";
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  /** Confirmations only. */
  Token?: string;
  SubscribeURL?: string;
  /** Notifications only (not signed). */
  UnsubscribeURL?: string;
}

/** Why a message was refused, with the HTTP status the webhook answers. Never a 500. */
export class SnsRefusal extends Error {
  override name = "SnsRefusal";
  constructor(
    message: string,
    /** 400 malformed, 403 not authentic or not for us, 409 replayed, 503 certificate unreachable (SNS retries 5xx). */
    readonly status: 400 | 403 | 409 | 503,
  ) {
    super(message);
  }
}

/** Signed fields per message type, in the (alphabetical) order AWS documents. */
const SIGNED_FIELDS = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
} as const satisfies Record<SnsMessage["Type"], readonly (keyof SnsMessage)[]>;

/**
 * The string SNS signs: `name\nvalue\n` for each signed field of the message's type, in the
 * documented order. Subject is signed only when the notification has one.
 */
export function stringToSign(m: SnsMessage): string {
  let out = "";
  for (const field of SIGNED_FIELDS[m.Type]) {
    const value = m[field];
    if (value === undefined && field === "Subject") continue;
    out += `${field}\n${value}\n`;
  }
  return out;
}

/** SNS endpoints: sns.<region>.amazonaws.com, and .com.cn in the China regions. */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * True when `url` is on Amazon SNS: https, an SNS host, default port, no user info. With
 * `trustedTestOrigin` (configuration refuses it in production) that origin is accepted too.
 */
export function isSnsUrl(url: string, trustedTestOrigin: string | null = null): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (trustedTestOrigin !== null && u.origin === trustedTestOrigin) return true;
  return u.protocol === "https:" && u.port === "" && SNS_HOST.test(u.hostname);
}

/** True when `url` may serve a signing certificate: an SNS URL (see isSnsUrl) whose path ends in .pem. */
export function isSigningCertUrl(url: string, trustedTestOrigin: string | null = null): boolean {
  return isSnsUrl(url, trustedTestOrigin) && new URL(url).pathname.endsWith(".pem");
}

export interface SnsVerifierOptions {
  /** The only topic whose messages are accepted (another account's topic signs with the same SNS certificate). */
  topicArn: string;
  /** Messages whose Timestamp is older are refused, and MessageIds are remembered this long. Default 1 hour. */
  maxAgeSeconds?: number;
  /** How far in the future a Timestamp may be (clock skew). Default 5 minutes. */
  maxSkewSeconds?: number;
  /** Test only (SNS_PUSH_TEST_TRUSTED_ORIGIN): an origin trusted like an SNS host. */
  trustedTestOrigin?: string | null;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface SnsVerifier {
  /**
   * Parse and verify a posted body; returns the message or throws SnsRefusal. A verified
   * message's MessageId is remembered: a second delivery is refused until it is `forget`-ten.
   * `typeHeader` is the x-amz-sns-message-type header, which must agree with the body's Type.
   */
  verify(body: string, typeHeader?: string | null): Promise<SnsMessage>;
  /** Let a MessageId be delivered again (its handling failed and SNS will retry). */
  forget(messageId: string): void;
}

const CERT_FETCH_TIMEOUT_MS = 10_000;
/** SNS certificates are ~2 KB; anything much larger is not one. */
const MAX_CERT_BYTES = 64 * 1024;
/** Certificates kept at once (SNS rotates its certificate rarely; a few URLs at most). */
const MAX_CACHED_CERTS = 32;

/** Create a verifier; it caches certificates by URL and remembers MessageIds for `maxAgeSeconds`. */
export function createSnsVerifier(opts: SnsVerifierOptions): SnsVerifier {
  const maxAgeMs = (opts.maxAgeSeconds ?? 3600) * 1000;
  const maxSkewMs = (opts.maxSkewSeconds ?? 300) * 1000;
  const trusted = opts.trustedTestOrigin ?? null;
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const certs = new Map<string, Promise<{ key: KeyObject; validTo: number }>>();
  /** MessageId → when it may be forgotten; insertion order is close to expiry order. */
  const seen = new Map<string, number>();

  async function fetchCertificate(url: string): Promise<{ key: KeyObject; validTo: number }> {
    let text: string;
    try {
      // No redirects: a redirect could lead off the SNS host this URL was checked against.
      const r = await doFetch(url, { redirect: "error", signal: AbortSignal.timeout(CERT_FETCH_TIMEOUT_MS) });
      if (!r.ok) throw new SnsRefusal(`SigningCertURL answered HTTP ${r.status}`, 403);
      text = await r.text();
    } catch (err) {
      if (err instanceof SnsRefusal) throw err;
      throw new SnsRefusal(`could not fetch the signing certificate: ${(err as Error).message}`, 503);
    }
    if (text.length > MAX_CERT_BYTES) throw new SnsRefusal("SigningCertURL did not serve a certificate (too large)", 403);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(text);
    } catch {
      throw new SnsRefusal("SigningCertURL did not serve a PEM certificate", 403);
    }
    const validFrom = Date.parse(cert.validFrom);
    const validTo = Date.parse(cert.validTo);
    if (!(validFrom <= now() && now() <= validTo))
      throw new SnsRefusal(`signing certificate is not valid now (valid ${cert.validFrom} to ${cert.validTo})`, 403);
    return { key: cert.publicKey, validTo };
  }

  /** The certificate's public key, fetched once per URL; failures are not cached. */
  async function certificateKey(url: string): Promise<KeyObject> {
    let entry = certs.get(url);
    if (entry) {
      const cached = await entry.catch(() => null);
      if (cached && cached.validTo < now()) entry = undefined; // expired since: fetch again (SNS rotated)
    }
    if (!entry) {
      if (certs.size >= MAX_CACHED_CERTS) certs.delete(certs.keys().next().value!);
      entry = fetchCertificate(url);
      certs.set(url, entry);
      entry.catch(() => certs.get(url) === entry && certs.delete(url));
    }
    return (await entry).key;
  }

  function pruneSeen() {
    const t = now();
    for (const [id, until] of seen) {
      if (until > t) break;
      seen.delete(id);
    }
  }

  return {
    async verify(body, typeHeader) {
      const m = parseMessage(body);
      if (typeHeader && typeHeader !== m.Type)
        throw new SnsRefusal(`x-amz-sns-message-type is ${JSON.stringify(typeHeader)} but the message's Type is ${m.Type}`, 400);
      if (!isSigningCertUrl(m.SigningCertURL, trusted)) {
        throw new SnsRefusal(
          `SigningCertURL ${JSON.stringify(m.SigningCertURL)} is not an https://sns.<region>.amazonaws.com/….pem URL`,
          403,
        );
      }
      if (m.TopicArn !== opts.topicArn) throw new SnsRefusal(`TopicArn ${JSON.stringify(m.TopicArn)} is not the subscribed topic`, 403);
      const sent = Date.parse(m.Timestamp);
      if (Number.isNaN(sent)) throw new SnsRefusal(`Timestamp ${JSON.stringify(m.Timestamp)} is not a date`, 400);
      if (now() - sent > maxAgeMs) throw new SnsRefusal(`Timestamp ${m.Timestamp} is older than ${maxAgeMs / 1000} s`, 403);
      if (sent - now() > maxSkewMs) throw new SnsRefusal(`Timestamp ${m.Timestamp} is in the future`, 403);
      const key = await certificateKey(m.SigningCertURL);
      const algorithm = m.SignatureVersion === "1" ? "RSA-SHA1" : "RSA-SHA256";
      const signature = Buffer.from(m.Signature, "base64");
      const ok = signature.length > 0 && createVerify(algorithm).update(stringToSign(m), "utf8").verify(key, signature);
      if (!ok) throw new SnsRefusal(`signature does not verify (SignatureVersion ${m.SignatureVersion})`, 403);
      pruneSeen();
      if (seen.has(m.MessageId)) throw new SnsRefusal(`MessageId ${m.MessageId} was already delivered (replay)`, 409);
      // Remembered until its Timestamp falls out of the window, after which the age check refuses it.
      seen.set(m.MessageId, sent + maxAgeMs + maxSkewMs);
      return m;
    },
    forget(messageId) {
      seen.delete(messageId);
    },
  };
}

const REQUIRED = ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"] as const;

/** The body as an SnsMessage with every field its type signs, or a 400 saying what is missing. */
function parseMessage(body: string): SnsMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new SnsRefusal("body is not JSON (expected an SNS message)", 400);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new SnsRefusal("body is not a JSON object (expected an SNS message)", 400);
  const m = raw as Record<string, unknown>;
  if (!(typeof m.Type === "string" && m.Type in SIGNED_FIELDS))
    throw new SnsRefusal(`Type ${JSON.stringify(m.Type)} is not an SNS message type`, 400);
  if (m.Signature === undefined || m.Signature === "") throw new SnsRefusal("message is unsigned (no Signature)", 400);
  if (m.SignatureVersion !== "1" && m.SignatureVersion !== "2")
    throw new SnsRefusal(`SignatureVersion ${JSON.stringify(m.SignatureVersion)} is not supported (1 or 2)`, 400);
  const needed = new Set<string>([...REQUIRED, ...SIGNED_FIELDS[m.Type as SnsMessage["Type"]].filter((f) => f !== "Subject")]);
  const missing = [...needed].filter((f) => typeof m[f] !== "string");
  if (missing.length > 0) throw new SnsRefusal(`SNS message lacks ${missing.join(", ")}`, 400);
  if (m.Subject !== undefined && typeof m.Subject !== "string") throw new SnsRefusal("Subject is not a string", 400);
  return m as unknown as SnsMessage;
}
