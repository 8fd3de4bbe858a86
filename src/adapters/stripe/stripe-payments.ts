/**
 * Payments through Stripe: a Checkout Session in subscription mode for the premium price, the
 * customer portal for self-service cancellation, and signed webhooks. Under Bun the `stripe`
 * package loads its worker build (fetch + Web Crypto), whose webhook helpers are the async
 * forms: `constructEventAsync` verifies the `Stripe-Signature` header (HMAC-SHA256 of
 * `<timestamp>.<raw body>`, timestamp within the tolerance) before anything is parsed.
 * No Stripe type crosses the port.
 */
import Stripe from "stripe";
import { type Payments, type PaymentEvent, type Price, WebhookSignatureError } from "../../ports/payments.ts";

export interface StripePaymentsOptions {
  secretKey: string;
  /** The endpoint's signing secret (`whsec_…`). */
  webhookSecret: string;
  /** The premium subscription's recurring price (`price_…`). */
  priceId: string;
  /** Another API endpoint (stripe-mock, a test server): host, port and protocol for the SDK. */
  api?: { host: string; port: number; protocol: "http" | "https" } | null;
  /** Maximum age of a webhook delivery (Stripe's default: 300 s). */
  toleranceSeconds?: number;
  maxNetworkRetries?: number;
}

/** Expandable fields arrive as an id or as the object. */
const idOf = (v: string | { id: string } | null | undefined) => (typeof v === "string" ? v : (v?.id ?? null));

/** Create the Stripe adapter. */
export function createStripePayments(opts: StripePaymentsOptions): Payments {
  const stripe = new Stripe(opts.secretKey, {
    maxNetworkRetries: opts.maxNetworkRetries ?? 2,
    timeout: 20_000,
    telemetry: false,
    ...(opts.api ? { host: opts.api.host, port: opts.api.port, protocol: opts.api.protocol } : {}),
  });
  const tolerance = opts.toleranceSeconds ?? Stripe.webhooks.DEFAULT_TOLERANCE;
  // The price changes only when the operator edits it in Stripe: asked once per 10 minutes.
  let price: { value: Promise<Price>; at: number } | null = null;

  return {
    provider: "stripe",
    testMode: /^(sk|rk)_test_/.test(opts.secretKey),
    async createCustomer(user) {
      const customer = await stripe.customers.create(
        { email: user.email || undefined, name: user.name || undefined, metadata: { gas_user_id: user.id } },
        // Two tabs starting checkout at once get the same customer back from Stripe.
        { idempotencyKey: `gas-customer-${user.id}` },
      );
      return customer.id;
    },

    async createCheckout(req) {
      const session = await stripe.checkout.sessions.create({
        mode: "subscription",
        customer: req.customerId,
        client_reference_id: req.userId,
        line_items: [{ price: opts.priceId, quantity: 1 }],
        success_url: `${req.successUrl}${req.successUrl.includes("?") ? "&" : "?"}session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: req.cancelUrl,
        metadata: { gas_user_id: req.userId },
        subscription_data: { metadata: { gas_user_id: req.userId } },
      });
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { url: session.url };
    },

    price() {
      if (!price || Date.now() - price.at > 600_000) {
        const value = stripe.prices.retrieve(opts.priceId).then((p) => ({
          amount: p.unit_amount ?? 0,
          currency: p.currency,
          interval: p.recurring?.interval ?? null,
        }));
        price = { value, at: Date.now() };
        value.catch(() => {
          price = null; // asked again next time
        });
      }
      return price.value;
    },

    async createPortal(req) {
      const portal = await stripe.billingPortal.sessions.create({ customer: req.customerId, return_url: req.returnUrl });
      return { url: portal.url };
    },

    async verifyWebhook(rawBody, headers): Promise<PaymentEvent> {
      const signature = headers.get("stripe-signature");
      if (!signature) throw new WebhookSignatureError("Stripe-Signature header missing");
      let event: Stripe.Event;
      try {
        event = await stripe.webhooks.constructEventAsync(rawBody, signature, opts.webhookSecret, tolerance);
      } catch (err) {
        if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw new WebhookSignatureError(err.message);
        throw err;
      }
      switch (event.type) {
        case "checkout.session.completed":
        case "checkout.session.async_payment_succeeded": {
          const s = event.data.object;
          // Delayed payment methods complete the session unpaid; async_payment_succeeded follows.
          const paid = s.payment_status === "paid" || s.payment_status === "no_payment_required";
          const customerId = idOf(s.customer);
          if (s.mode !== "subscription" || !paid || !customerId)
            return { id: event.id, kind: "other", type: `${event.type} (${s.mode}, ${s.payment_status})` };
          return {
            id: event.id,
            kind: "subscribed",
            customerId,
            subscriptionId: idOf(s.subscription),
            userId: s.client_reference_id ?? s.metadata?.gas_user_id ?? null,
          };
        }
        case "customer.subscription.deleted": {
          const sub = event.data.object;
          const customerId = idOf(sub.customer);
          if (!customerId) return { id: event.id, kind: "other", type: event.type };
          return { id: event.id, kind: "unsubscribed", customerId, subscriptionId: sub.id };
        }
        default:
          return { id: event.id, kind: "other", type: event.type };
      }
    },
  };
}
