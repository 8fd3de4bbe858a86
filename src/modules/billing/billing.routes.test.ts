/**
 * Billing through the web app with the Stripe adapter: POST /subscribe and the portal against a
 * small server speaking Stripe's wire format (STRIPE_API_URL), and POST /billing/webhook with
 * deliveries signed by the Stripe library's own test helper. Forged deliveries (wrong secret,
 * tampered body, stale timestamp) are refused with 400 and change nothing; a replayed event is
 * acknowledged and ignored. Then: the local checkout is refused in production.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

const WHSEC = "whsec_routes_test";
const stripeCalls: string[] = [];
let stripeApi: ReturnType<typeof Bun.serve>;

const event = (id: string, type: string, object: Record<string, unknown>) =>
  JSON.stringify({ id, object: "event", type, created: 1, data: { object } });
const checkoutCompleted = (id: string, userId: string, subscription: string, customer = "cus_routes") =>
  event(id, "checkout.session.completed", {
    id: `cs_${id}`,
    object: "checkout.session",
    mode: "subscription",
    payment_status: "paid",
    customer,
    subscription,
    client_reference_id: userId,
  });
const subscriptionDeleted = (id: string, subscription: string, customer: string) =>
  event(id, "customer.subscription.deleted", { id: subscription, object: "subscription", customer, status: "canceled" });

describe("billing routes with the Stripe adapter", () => {
  let h: WebHarness;
  beforeAll(async () => {
    stripeApi = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        const path = new URL(req.url).pathname;
        stripeCalls.push(path);
        if (path === "/v1/customers") return Response.json({ id: "cus_routes", object: "customer" });
        if (path === "/v1/checkout/sessions")
          return Response.json({ id: "cs_1", object: "checkout.session", url: "https://checkout.stripe.com/c/pay/cs_1" });
        if (path === "/v1/billing_portal/sessions")
          return Response.json({ id: "bps_1", object: "billing_portal.session", url: "https://billing.stripe.com/p/session/bps_1" });
        if (path === "/v1/prices/price_premium")
          return Response.json({
            id: "price_premium",
            object: "price",
            unit_amount: 1250,
            currency: "eur",
            recurring: { interval: "month" },
          });
        return Response.json({ error: { type: "invalid_request_error", message: "unknown" } }, { status: 404 });
      },
    });
    h = await startWebHarness({
      STRIPE_SECRET_KEY: "sk_test_routes",
      STRIPE_WEBHOOK_SECRET: WHSEC,
      STRIPE_PRICE_ID: "price_premium",
      STRIPE_API_URL: `http://127.0.0.1:${stripeApi.port}`,
    });
  }, 60_000);
  afterAll(async () => {
    await h.close();
    stripeApi.stop(true);
  }, 60_000);

  const post = (body: string, signature: string) =>
    h.client().request("/billing/webhook", {
      method: "POST",
      body,
      headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": signature, accept: "application/json" },
    });
  const sign = (payload: string, o: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: o.secret ?? WHSEC, timestamp: o.timestamp });
  const tier = async (userId: string) => (await h.container.accounts.get(userId))!.tier;

  test("subscribe: checkout on Stripe with one customer per account; the subscribe page sends premium users to the profile", async () => {
    const c = h.client();
    const userId = await c.signIn("payer@example.org", "Payer");
    const page = await (await c.request("/subscribe")).text();
    expect(page).toContain("You are subscribing to the GAS Premium plan.");
    expect(page).toContain("Stripe&#39;s secure checkout page");
    expect(page).toContain("Subscribe (your credit card will not be billed)"); // sk_test_: test mode
    // Stripe's own price for STRIPE_PRICE_ID, in its currency.
    expect(page).toContain("Price: <strong>€12.50 per month</strong>, charged by Stripe (test mode: no card is charged)");
    const first = await c.submit("/subscribe", "/subscribe", {});
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("https://checkout.stripe.com/c/pay/cs_1");
    expect((await h.container.accounts.get(userId))!.paymentCustomerId).toBe("cus_routes");
    await c.submit("/subscribe", "/subscribe", {});
    expect(stripeCalls.filter((p) => p === "/v1/customers")).toHaveLength(1); // reused
    expect(stripeCalls.filter((p) => p === "/v1/checkout/sessions")).toHaveLength(2);

    const pending = await c.request("/subscribe/confirm");
    expect(pending.headers.get("refresh")).toBe("2");
    const body = checkoutCompleted("evt_paid", userId, "sub_1");
    expect((await post(body, await sign(body))).status).toBe(200);
    expect(await (await c.request("/subscribe/confirm")).text()).toContain("Subscription Succeeded");
    expect((await c.request("/subscribe")).headers.get("location")).toBe("/profile");
    const profile = await (await c.request("/profile")).text();
    expect(profile).toContain('id="manage-subscription"');
    const portal = await c.submit("/profile", "/billing/portal", {});
    expect(portal.headers.get("location")).toBe("https://billing.stripe.com/p/session/bps_1");
  });

  test("webhook: forged deliveries are refused and change nothing; a valid one applies once; a replay is ignored", async () => {
    const { user } = await h.container.accounts.signIn({
      subject: "dev:hook@example.org",
      email: "hook@example.org",
      name: "Hook",
      institution: null,
      tokens: null,
    });
    // A customer created a moment ago whose id is not stored yet: the user id Stripe echoes back links it.
    const body = checkoutCompleted("evt_hook_1", user.id, "sub_hook_1", "cus_hook");

    const wrongSecret = await post(body, await sign(body, { secret: "whsec_not_ours" }));
    expect(wrongSecret.status).toBe(400);
    expect(await wrongSecret.text()).toContain("signature verification failed");
    expect((await post(body.replace('"paid"', '"unpaid"'), await sign(body))).status).toBe(400); // tampered body
    expect((await post(body, await sign(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }))).status).toBe(400); // stale
    expect((await post(body, "t=1,v1=00")).status).toBe(400);
    expect(await tier(user.id)).toBe("free");

    const ok = await post(body, await sign(body));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: true, outcome: "applied" });
    expect(await tier(user.id)).toBe("premium");
    expect((await h.container.accounts.get(user.id))!.paymentCustomerId).toBe("cus_hook");

    // Cancelled; then an old delivery of the payment is replayed (freshly signed, so only the event id tells).
    const cancel = subscriptionDeleted("evt_hook_2", "sub_hook_1", "cus_hook");
    expect(await (await post(cancel, await sign(cancel))).json()).toEqual({ received: true, outcome: "applied" });
    expect(await tier(user.id)).toBe("free");
    const replay = await post(body, await sign(body));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ received: true, outcome: "duplicate" });
    expect(await tier(user.id)).toBe("free");
  });

  test("webhook: the end of an older subscription does not downgrade a user paying through a newer one", async () => {
    const { user } = await h.container.accounts.signIn({
      subject: "dev:two@example.org",
      email: "two@example.org",
      name: "Two",
      institution: null,
      tokens: null,
    });
    await h.container.accounts.setPaymentCustomer(user.id, "cus_two");
    const paid = (id: string, sub: string) =>
      event(id, "checkout.session.completed", {
        id: `cs_${id}`,
        object: "checkout.session",
        mode: "subscription",
        payment_status: "paid",
        customer: "cus_two",
        subscription: sub,
        client_reference_id: user.id,
      });
    for (const [id, sub] of [
      ["evt_two_1", "sub_old"],
      ["evt_two_2", "sub_new"],
    ] as const) {
      const b = paid(id, sub);
      await post(b, await sign(b));
    }
    const oldEnds = event("evt_two_3", "customer.subscription.deleted", { id: "sub_old", object: "subscription", customer: "cus_two" });
    await post(oldEnds, await sign(oldEnds));
    expect(await tier(user.id)).toBe("premium");
    const newEnds = event("evt_two_4", "customer.subscription.deleted", { id: "sub_new", object: "subscription", customer: "cus_two" });
    await post(newEnds, await sign(newEnds));
    expect(await tier(user.id)).toBe("free");
  });

  test("webhook: a subscription's end delivered before its checkout (webhooks are unordered) leaves the user free", async () => {
    const { user } = await h.container.accounts.signIn({
      subject: "dev:late@example.org",
      email: "late@example.org",
      name: "Late",
      institution: null,
      tokens: null,
    });
    await h.container.accounts.setPaymentCustomer(user.id, "cus_late");
    const ends = subscriptionDeleted("evt_late_1", "sub_late", "cus_late");
    expect((await post(ends, await sign(ends))).status).toBe(200);
    const paid = checkoutCompleted("evt_late_2", user.id, "sub_late", "cus_late");
    const r = await post(paid, await sign(paid));
    expect(r.status).toBe(200);
    expect(await tier(user.id)).toBe("free");
    // A new subscription afterwards still upgrades.
    const again = checkoutCompleted("evt_late_3", user.id, "sub_late_2", "cus_late");
    await post(again, await sign(again));
    expect(await tier(user.id)).toBe("premium");
  });
});

describe("billing routes in production without Stripe", () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness({ NODE_ENV: "production" });
  }, 60_000);
  afterAll(() => h.close(), 60_000);

  test("no simulated checkout: its pages do not exist, the webhook is unavailable, /subscribe says payment is off", async () => {
    expect(h.container.ports.payments).toBeNull();
    expect(h.container.simulatedCheckout).toBeNull();
    const res = await h.client().request("/billing/webhook", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    expect(res.status).toBe(503);
    expect((await h.client().request("/checkout/local/anything")).status).toBe(404);
  });
});
