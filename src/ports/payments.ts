/**
 * Subscriptions (Stripe Checkout + signed webhooks; a simulated checkout in local development).
 * The provider tells us about payments only through webhooks: `verifyWebhook` checks a delivery's
 * signature on the raw body and turns it into a PaymentEvent. Everything the provider says is
 * applied by the billing module, once per event id.
 */

/** What a verified webhook delivery means for us. `id` is the provider's event id. */
export type PaymentEvent =
  /** A subscription was paid for: the customer becomes premium. */
  | { id: string; kind: "subscribed"; customerId: string; subscriptionId: string | null; userId: string | null }
  /** A subscription ended (cancelled, or unpaid at the end of its retries): back to free. */
  | { id: string; kind: "unsubscribed"; customerId: string; subscriptionId: string | null }
  /** Any other event type (acknowledged and ignored). */
  | { id: string; kind: "other"; type: string };

/** The delivery's signature is missing, wrong, for another secret or too old. Answer 400. */
export class WebhookSignatureError extends Error {
  override name = "WebhookSignatureError";
}

export interface CheckoutRequest {
  customerId: string;
  userId: string;
  /** Where the provider sends the browser after payment, and after a cancelled checkout. */
  successUrl: string;
  cancelUrl: string;
}

export interface Payments {
  /** "local": the development stand-in (pages say no real payment happens). */
  readonly provider: "stripe" | "local";
  /** No real money moves (Stripe test keys, the local adapter): pages say the card is not billed. */
  readonly testMode: boolean;
  /** Create the provider's customer for a user (the caller stores and reuses its id). */
  createCustomer(user: { id: string; email: string; name: string }): Promise<string>;
  /** A hosted checkout for the premium subscription; returns the URL to send the browser to. */
  createCheckout(req: CheckoutRequest): Promise<{ url: string }>;
  /** The provider's self-service page (change card, cancel), returning to `returnUrl`. */
  createPortal(req: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  /** Verify a webhook delivery (raw body as received, and its headers). Throws WebhookSignatureError. */
  verifyWebhook(rawBody: string, headers: Headers): Promise<PaymentEvent>;
  /** What the premium subscription costs, as the provider will charge it; null when nothing is charged. */
  price(): Promise<Price | null>;
}

/** A recurring price: `amount` in the currency's minor unit (cents), as Stripe gives it. */
export interface Price {
  amount: number;
  /** ISO 4217, lower case as Stripe writes it (`usd`). */
  currency: string;
  /** `day`, `week`, `month` or `year`; null for a one-off price. */
  interval: string | null;
}

/**
 * The local adapter's development-only checkout and portal pages: they stand in for the
 * provider's hosted pages and "pay" or "cancel" by producing a signed webhook delivery that goes
 * through the same `verifyWebhook` → billing path as a real one.
 */
export interface SimulatedCheckout {
  /** The pending checkout or portal session behind a URL the adapter issued, or null if unknown/expired. */
  session(token: string): { kind: "checkout" | "portal"; userId: string; customerId: string; returnUrl: string; cancelUrl: string } | null;
  /** The webhook delivery the provider would send when this session is paid (checkout) or the subscription is cancelled (portal). */
  complete(token: string): Promise<{ body: string; headers: Headers } | null>;
}
