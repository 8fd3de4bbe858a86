import { describe, expect, test } from "bun:test";
import { WebhookSignatureError } from "../../ports/payments.ts";
import { LOCAL_SIGNATURE_HEADER, createLocalPayments } from "./local-payments.ts";

const payments = () => createLocalPayments({ secret: "local-payments-test-secret-0123456789", basePath: "/checkout/local" });

describe("local payments (development stand-in)", () => {
  test("checkout: a signed session page whose completion is a verifiable 'subscribed' delivery, one event id per session", async () => {
    const p = payments();
    const customerId = await p.createCustomer({ id: "u-1", email: "a@example.org", name: "A" });
    expect(await p.createCustomer({ id: "u-1", email: "a@example.org", name: "A" })).toBe(customerId); // reused per account
    const { url } = await p.createCheckout({ customerId, userId: "u-1", successUrl: "/subscribe/confirm", cancelUrl: "/subscribe" });
    const token = url.slice("/checkout/local/".length);
    expect(p.simulated.session(token)).toEqual({
      kind: "checkout",
      userId: "u-1",
      customerId,
      returnUrl: "/subscribe/confirm",
      cancelUrl: "/subscribe",
    });
    const first = (await p.simulated.complete(token))!;
    const again = (await p.simulated.complete(token))!;
    const event = await p.verifyWebhook(first.body, first.headers);
    expect(event).toMatchObject({ kind: "subscribed", customerId, userId: "u-1" });
    expect((await p.verifyWebhook(again.body, again.headers)).id).toBe(event.id); // paying twice is one event
  });

  test("portal: cancelling is an 'unsubscribed' delivery", async () => {
    const p = payments();
    const { url } = await p.createPortal({ customerId: "cus_local_x", returnUrl: "/profile" });
    const delivery = (await p.simulated.complete(url.split("/").pop()!))!;
    expect(await p.verifyWebhook(delivery.body, delivery.headers)).toMatchObject({ kind: "unsubscribed", customerId: "cus_local_x" });
  });

  test("forged sessions and deliveries are refused", async () => {
    const p = payments();
    const { url } = await p.createCheckout({ customerId: "c", userId: "u", successUrl: "/s", cancelUrl: "/c" });
    const token = url.split("/").pop()!;
    expect(p.simulated.session(`${token}x`)).toBeNull();
    expect(p.simulated.session("garbage")).toBeNull();
    const d = (await p.simulated.complete(token))!;
    const other = createLocalPayments({ secret: "another-secret-another-secret-0123", basePath: "/checkout/local" });
    expect(await other.verifyWebhook(d.body, d.headers).catch((e) => e)).toBeInstanceOf(WebhookSignatureError);
    expect(await p.verifyWebhook(d.body.replace('"u"', '"v"'), d.headers).catch((e) => e)).toBeInstanceOf(WebhookSignatureError);
    expect(await p.verifyWebhook(d.body, new Headers()).catch((e) => e)).toBeInstanceOf(WebhookSignatureError);
    const old = createLocalPayments({ secret: "local-payments-test-secret-0123456789", basePath: "/checkout/local", toleranceSeconds: -1 });
    expect(
      await old.verifyWebhook(d.body, new Headers({ [LOCAL_SIGNATURE_HEADER]: d.headers.get(LOCAL_SIGNATURE_HEADER)! })).catch((e) => e),
    ).toBeInstanceOf(WebhookSignatureError);
  });
});
