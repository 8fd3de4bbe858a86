/**
 * The Stripe adapter against a small HTTP server speaking Stripe's wire format (form-encoded
 * requests, JSON objects and errors back), reached through the SDK's own host/port/protocol
 * settings: the real SDK builds and sends every request. Webhooks are signed with the SDK's own
 * test helper (`generateTestHeaderStringAsync`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { WebhookSignatureError } from "../../ports/payments.ts";
import { createStripePayments } from "./stripe-payments.ts";

interface Seen {
  method: string;
  path: string;
  form: Record<string, string>;
  auth: string | null;
  idempotencyKey: string | null;
}

const SECRET = "whsec_test_secret";
const seen: Seen[] = [];
let server: ReturnType<typeof Bun.serve>;

/** Stripe's API in miniature: the three endpoints the adapter calls, with Stripe's error shape. */
function fakeStripe(req: Request, form: Record<string, string>): Response {
  const path = new URL(req.url).pathname;
  if (req.headers.get("authorization") !== "Bearer sk_test_gas") {
    return Response.json({ error: { type: "invalid_request_error", message: "Invalid API Key provided" } }, { status: 401 });
  }
  if (path === "/v1/customers") return Response.json({ id: "cus_fake1", object: "customer", email: form.email ?? null, metadata: {} });
  if (path === "/v1/checkout/sessions") {
    if (form["line_items[0][price]"] !== "price_premium") {
      return Response.json(
        {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            param: "line_items[0][price]",
            message: `No such price: '${form["line_items[0][price]"]}'`,
          },
        },
        { status: 400 },
      );
    }
    return Response.json({
      id: "cs_test_1",
      object: "checkout.session",
      mode: "subscription",
      url: "https://checkout.stripe.com/c/pay/cs_test_1",
      customer: form.customer,
    });
  }
  if (path === "/v1/prices/price_premium")
    return Response.json({ id: "price_premium", object: "price", unit_amount: 2000, currency: "usd", recurring: { interval: "month" } });
  if (path === "/v1/billing_portal/sessions")
    return Response.json({
      id: "bps_1",
      object: "billing_portal.session",
      url: "https://billing.stripe.com/p/session/bps_1",
      customer: form.customer,
    });
  return Response.json({ error: { type: "invalid_request_error", message: `Unrecognized request URL (POST: ${path})` } }, { status: 404 });
}

const adapter = (priceId = "price_premium") =>
  createStripePayments({
    secretKey: "sk_test_gas",
    webhookSecret: SECRET,
    priceId,
    api: { host: "127.0.0.1", port: server.port!, protocol: "http" },
    maxNetworkRetries: 0,
  });

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const form = Object.fromEntries(new URLSearchParams(await req.text()));
      seen.push({
        method: req.method,
        path: new URL(req.url).pathname,
        form,
        auth: req.headers.get("authorization"),
        idempotencyKey: req.headers.get("idempotency-key"),
      });
      return fakeStripe(req, form);
    },
  });
});
afterAll(() => server.stop(true));
beforeEach(() => {
  seen.length = 0;
});

describe("Stripe adapter: API calls", () => {
  test("createCustomer: POST /v1/customers with email, name, our user id, and an idempotency key per user", async () => {
    const id = await adapter().createCustomer({ id: "u-1", email: "ada@example.org", name: "Ada" });
    expect(id).toBe("cus_fake1");
    expect(seen).toEqual([
      {
        method: "POST",
        path: "/v1/customers",
        form: { email: "ada@example.org", name: "Ada", "metadata[gas_user_id]": "u-1" },
        auth: "Bearer sk_test_gas",
        idempotencyKey: "gas-customer-u-1",
      },
    ]);
  });

  test("createCheckout: a subscription-mode session for the configured price, the customer and the user", async () => {
    const { url } = await adapter().createCheckout({
      customerId: "cus_fake1",
      userId: "u-1",
      successUrl: "http://gas.test/subscribe/confirm",
      cancelUrl: "http://gas.test/subscribe",
    });
    expect(url).toBe("https://checkout.stripe.com/c/pay/cs_test_1");
    expect(seen[0]?.path).toBe("/v1/checkout/sessions");
    expect(seen[0]?.form).toEqual({
      mode: "subscription",
      customer: "cus_fake1",
      client_reference_id: "u-1",
      "line_items[0][price]": "price_premium",
      "line_items[0][quantity]": "1",
      success_url: "http://gas.test/subscribe/confirm?session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "http://gas.test/subscribe",
      "metadata[gas_user_id]": "u-1",
      "subscription_data[metadata][gas_user_id]": "u-1",
    });
  });

  test("createPortal: POST /v1/billing_portal/sessions with the customer and the return URL", async () => {
    const { url } = await adapter().createPortal({ customerId: "cus_fake1", returnUrl: "http://gas.test/profile" });
    expect(url).toBe("https://billing.stripe.com/p/session/bps_1");
    expect(seen[0]).toMatchObject({
      path: "/v1/billing_portal/sessions",
      form: { customer: "cus_fake1", return_url: "http://gas.test/profile" },
    });
  });

  test("price: GET /v1/prices/<id> once, as amount, currency and interval", async () => {
    const payments = adapter();
    expect(await payments.price()).toEqual({ amount: 2000, currency: "usd", interval: "month" });
    expect(await payments.price()).toEqual({ amount: 2000, currency: "usd", interval: "month" });
    expect(seen.filter((s) => s.path === "/v1/prices/price_premium")).toHaveLength(1); // cached
    expect(seen[0]).toMatchObject({ method: "GET", path: "/v1/prices/price_premium" });
  });

  test("Stripe's error answers surface with Stripe's message", async () => {
    const err = await adapter("price_gone")
      .createCheckout({ customerId: "c", userId: "u", successUrl: "http://x/s", cancelUrl: "http://x/c" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((err as Error).message).toBe("No such price: 'price_gone'");
  });
});

const event = (id: string, type: string, object: Record<string, unknown>) =>
  JSON.stringify({ id, object: "event", type, api_version: "2026-10-28.endive", created: 1, data: { object } });
const completed = (over: Record<string, unknown> = {}) =>
  event("evt_1", "checkout.session.completed", {
    id: "cs_test_1",
    object: "checkout.session",
    mode: "subscription",
    payment_status: "paid",
    customer: "cus_fake1",
    subscription: "sub_1",
    client_reference_id: "u-1",
    metadata: { gas_user_id: "u-1" },
    ...over,
  });
const sign = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp });
const headers = (signature: string) => new Headers({ "stripe-signature": signature, "content-type": "application/json" });

describe("Stripe adapter: webhook verification", () => {
  test("a validly signed checkout.session.completed is a subscription for the customer and user", async () => {
    const body = completed();
    expect(await adapter().verifyWebhook(body, headers(await sign(body)))).toEqual({
      id: "evt_1",
      kind: "subscribed",
      customerId: "cus_fake1",
      subscriptionId: "sub_1",
      userId: "u-1",
    });
  });

  test("customer.subscription.deleted is an unsubscription; other types are 'other'; an unpaid checkout is not a subscription", async () => {
    const deleted = event("evt_2", "customer.subscription.deleted", {
      id: "sub_1",
      object: "subscription",
      customer: "cus_fake1",
      status: "canceled",
    });
    expect(await adapter().verifyWebhook(deleted, headers(await sign(deleted)))).toEqual({
      id: "evt_2",
      kind: "unsubscribed",
      customerId: "cus_fake1",
      subscriptionId: "sub_1",
    });
    const other = event("evt_3", "invoice.paid", { id: "in_1", object: "invoice" });
    expect(await adapter().verifyWebhook(other, headers(await sign(other)))).toEqual({ id: "evt_3", kind: "other", type: "invoice.paid" });
    const unpaid = completed({ payment_status: "unpaid" });
    expect((await adapter().verifyWebhook(unpaid, headers(await sign(unpaid)))).kind).toBe("other");
  });

  test("forged deliveries are refused: wrong secret, tampered body, stale timestamp, no signature", async () => {
    const body = completed();
    const refused = async (raw: string, h: Headers) =>
      (await adapter()
        .verifyWebhook(raw, h)
        .catch((e) => e)) as Error;
    const wrongSecret = await refused(body, headers(await sign(body, { secret: "whsec_someone_else" })));
    expect(wrongSecret).toBeInstanceOf(WebhookSignatureError);
    const tampered = await refused(body.replace('"u-1"', '"attacker"'), headers(await sign(body)));
    expect(tampered).toBeInstanceOf(WebhookSignatureError);
    const stale = await refused(body, headers(await sign(body, { timestamp: Math.floor(Date.now() / 1000) - 301 })));
    expect(stale).toBeInstanceOf(WebhookSignatureError);
    expect(stale.message).toContain("tolerance");
    const missing = await refused(body, new Headers());
    expect(missing).toBeInstanceOf(WebhookSignatureError);
    const garbage = await refused(body, headers("t=1,v1=deadbeef"));
    expect(garbage).toBeInstanceOf(WebhookSignatureError);
  });
});
