/**
 * Payments for local development: no provider, no card. Checkout and the customer portal are
 * pages of our own web role (`<basePath>/<token>`), and "paying" or "cancelling" there produces a
 * webhook delivery signed like Stripe's (`t=<unix>,v1=<HMAC-SHA256(t.body)>`) that the web role
 * feeds to `verifyWebhook` and the billing module, exactly as it would a real one. Session tokens
 * are signed and self-contained (no table), and event ids derive from them, so paying twice on
 * the same page is one event. The container never builds this adapter when NODE_ENV=production.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type Payments, type PaymentEvent, type SimulatedCheckout, WebhookSignatureError } from "../../ports/payments.ts";

export interface LocalPaymentsOptions {
  /** Signs session tokens and webhook deliveries. */
  secret: string;
  /** Path of the simulated checkout pages in the web role. */
  basePath: string;
  /** How long a checkout link stays valid. */
  sessionSeconds?: number;
  /** Webhook deliveries older than this are refused (Stripe's default tolerance). */
  toleranceSeconds?: number;
}

export const LOCAL_SIGNATURE_HEADER = "gas-local-signature";

type Session = NonNullable<ReturnType<SimulatedCheckout["session"]>>;
interface Wire {
  id: string;
  type: "checkout.session.completed" | "customer.subscription.deleted";
  data: { customer: string; subscription: string; user: string };
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** Create the local adapter and its simulated checkout pages' backend. */
export function createLocalPayments(opts: LocalPaymentsOptions): Payments & { simulated: SimulatedCheckout } {
  const ttl = opts.sessionSeconds ?? 3600;
  const tolerance = opts.toleranceSeconds ?? 300;
  const mac = (purpose: string, s: string) => createHmac("sha256", opts.secret).update(`${purpose}\u0000${s}`).digest("base64url");
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  const issue = (s: Session) => {
    const body = Buffer.from(
      JSON.stringify({ ...s, exp: Math.floor(Date.now() / 1000) + ttl, n: randomBytes(6).toString("hex") }),
    ).toString("base64url");
    return `${body}.${mac("session", body)}`;
  };
  const session = (token: string): Session | null => {
    const [body, sig] = token.split(".");
    if (!body || !sig || !same(sig, mac("session", body))) return null;
    const s = JSON.parse(Buffer.from(body, "base64url").toString()) as Session & { exp: number }; // signed by us: well-formed
    if (s.exp < Date.now() / 1000) return null;
    return { kind: s.kind, userId: s.userId, customerId: s.customerId, returnUrl: s.returnUrl, cancelUrl: s.cancelUrl };
  };
  const sign = (body: string, t = Math.floor(Date.now() / 1000)) => `t=${t},v1=${mac("webhook", `${t}.${body}`)}`;

  return {
    provider: "local",
    testMode: true,
    // Nothing is charged in development: the pages say so instead of quoting a price.
    async price() {
      return null;
    },
    async createCustomer(user) {
      return `cus_local_${sha(user.id).slice(0, 24)}`;
    },
    async createCheckout(req) {
      return {
        url: `${opts.basePath}/${issue({ kind: "checkout", userId: req.userId, customerId: req.customerId, returnUrl: req.successUrl, cancelUrl: req.cancelUrl })}`,
      };
    },
    async createPortal(req) {
      return {
        url: `${opts.basePath}/${issue({ kind: "portal", userId: "", customerId: req.customerId, returnUrl: req.returnUrl, cancelUrl: req.returnUrl })}`,
      };
    },
    async verifyWebhook(rawBody, headers): Promise<PaymentEvent> {
      const header = headers.get(LOCAL_SIGNATURE_HEADER) ?? "";
      const t = Number(/(?:^|,)t=(\d+)/.exec(header)?.[1]);
      const v1 = /(?:^|,)v1=([A-Za-z0-9_-]+)/.exec(header)?.[1];
      if (!Number.isFinite(t) || !v1) throw new WebhookSignatureError(`${LOCAL_SIGNATURE_HEADER} header missing or malformed`);
      if (!same(v1, mac("webhook", `${t}.${rawBody}`))) throw new WebhookSignatureError("signature does not match the body");
      if (Math.abs(Date.now() / 1000 - t) > tolerance) throw new WebhookSignatureError("timestamp outside the tolerance zone");
      const e = JSON.parse(rawBody) as Wire;
      return e.type === "checkout.session.completed"
        ? { id: e.id, kind: "subscribed", customerId: e.data.customer, subscriptionId: e.data.subscription, userId: e.data.user }
        : { id: e.id, kind: "unsubscribed", customerId: e.data.customer, subscriptionId: e.data.subscription };
    },
    simulated: {
      session,
      async complete(token) {
        const s = session(token);
        if (!s) return null;
        const wire: Wire = {
          id: `evt_local_${sha(token).slice(0, 24)}`,
          type: s.kind === "checkout" ? "checkout.session.completed" : "customer.subscription.deleted",
          data: { customer: s.customerId, subscription: `sub_local_${sha(s.customerId).slice(0, 24)}`, user: s.userId },
        };
        const body = JSON.stringify(wire);
        return { body, headers: new Headers({ "content-type": "application/json", [LOCAL_SIGNATURE_HEADER]: sign(body) }) };
      },
    },
  };
}
