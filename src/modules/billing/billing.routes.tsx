/**
 * Subscribe, confirmation, customer portal and the payment webhook; plus, in development only,
 * the simulated checkout and portal pages of the local Payments adapter. The webhook is
 * authorised by its signature (verified on the raw body), not by a session: it is JSON, so the
 * CSRF middleware lets it through, and a forged one gets 400.
 */
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { SimulatedCheckout } from "../../ports/payments.ts";
import { WebhookSignatureError } from "../../ports/payments.ts";
import { AppError } from "../../shared/errors.ts";
import { crossSiteResponse, errorResponse, jsonResponse, noAuth } from "../../web/api-doc.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { formBody } from "../../web/form-body.ts";
import { wantsJson } from "../../web/negotiate.ts";
import { pageCtx } from "../../web/page-context.ts";
import { requireUser, userOf } from "../../web/user-guards.ts";
import { queryFlag, validate } from "../../web/validate.ts";
import type { BillingService } from "./billing.service.ts";
import { ConfirmPage, LocalCheckoutPage, SubscribePage } from "./views/billing-pages.tsx";

/** Where the payment provider posts events (configure this URL in Stripe's dashboard). */
export const WEBHOOK_PATH = "/billing/webhook";
/** The local adapter's stand-in for Stripe's hosted pages. */
export const LOCAL_CHECKOUT_PATH = "/checkout/local";

const CheckoutStarted = z
  .object({
    code: z.literal(200),
    status: z.literal("success"),
    checkout_url: z
      .string()
      .describe("Send the user here to pay: the provider's page, or with the simulated checkout (development) a path on this site"),
  })
  .meta({ id: "CheckoutStarted" });
const WebhookReceived = z
  .object({ received: z.literal(true), outcome: z.enum(["applied", "duplicate", "ignored"]) })
  .meta({ id: "WebhookReceived" });
/** Stripe's shape for a refused webhook, not the API's envelope: the provider reads it. */
const WebhookRefused = z.object({ error: z.object({ message: z.string() }) }).meta({ id: "WebhookRefused" });
const noPayments = { "503": errorResponse("Online payment is not switched on for this server") };

export interface BillingRoutesDeps {
  /** null: no payment provider configured (production without Stripe). */
  billing: BillingService | null;
  /** The local adapter's pages; null outside development. */
  simulated: SimulatedCheckout | null;
  limits: { freeMaxUploadBytes: number; archiveAfterSeconds: number };
  baseUrl: (requestUrl: string) => string;
}

/** Routes /subscribe, /subscribe/confirm, /billing/portal, /billing/webhook and /checkout/local/{token}. */
export function billingRoutes(deps: BillingRoutesDeps) {
  const { billing, simulated } = deps;
  const needBilling = () => {
    if (!billing) throw new AppError("UNAVAILABLE", "Online payment is not switched on for this server.");
    return billing;
  };
  const app = new Hono<AppEnv>()
    .use("/subscribe", requireUser)
    .use("/subscribe/*", requireUser)
    .use("/billing/portal", requireUser)
    .get("/subscribe", validate("query", z.object({ cancelled: queryFlag })), async (c) => {
      const ctx = pageCtx(c);
      if (ctx.user?.tier === "premium") return c.redirect("/profile", 303);
      return c.html(
        <SubscribePage
          ctx={ctx}
          provider={billing?.provider ?? null}
          testMode={billing?.testMode ?? false}
          price={billing ? await billing.price() : null}
          limits={deps.limits}
          cancelled={c.req.valid("query").cancelled}
        />,
      );
    })
    .post(
      "/subscribe",
      describeRoute({
        summary: "Start a Premium subscription: the payment provider's checkout page",
        responses: {
          "200": jsonResponse(CheckoutStarted, "Checkout started"),
          "303": { description: "Already Premium: to the profile page" },
          "401": errorResponse("Not signed in / bad token"),
          ...crossSiteResponse,
          ...noPayments,
        },
      }),
      async (c) => {
        const user = userOf(c);
        if (user.tier === "premium") return c.redirect("/profile", 303);
        const base = deps.baseUrl(c.req.url);
        const url = await needBilling().startCheckout(user, {
          successUrl: `${base}/subscribe/confirm`,
          cancelUrl: `${base}/subscribe?cancelled=1`,
        });
        c.var.log.info("checkout started", { userId: user.id });
        if (wantsJson(c)) return c.json({ code: 200, status: "success", checkout_url: url });
        return c.redirect(url, 303);
      },
    )
    .get("/subscribe/confirm", (c) => {
      const user = userOf(c);
      // The provider's webhook may arrive a moment after the browser: the page waits for it.
      if (user.tier !== "premium") c.header("refresh", "2");
      return c.html(<ConfirmPage ctx={pageCtx(c)} premium={user.tier === "premium"} customerId={user.paymentCustomerId} />);
    })
    .post("/billing/portal", async (c) => {
      const url = await needBilling().portalUrl(userOf(c), `${deps.baseUrl(c.req.url)}/profile`);
      return c.redirect(url, 303);
    })
    .post(
      WEBHOOK_PATH,
      describeRoute({
        summary: "The payment provider's events (authorised by their signature, not a token)",
        ...noAuth,
        // Read as raw text: the signature covers these exact bytes, so there is no validator here.
        requestBody: {
          required: true,
          content: { "application/json": { schema: { type: "object", description: "The provider's event" } } },
        },
        responses: {
          "200": jsonResponse(WebhookReceived, "Applied, or already applied"),
          "400": jsonResponse(WebhookRefused, "Signature verification failed"),
          ...noPayments,
        },
      }),
      async (c) => {
        const b = needBilling();
        const raw = await c.req.text(); // the signature covers these exact bytes
        try {
          const r = await b.handleWebhook(raw, c.req.raw.headers);
          c.var.log.info("payment webhook", { eventId: r.eventId, outcome: r.outcome });
          return c.json({ received: true, outcome: r.outcome });
        } catch (err) {
          if (!(err instanceof WebhookSignatureError)) throw err; // 500: the provider retries
          c.var.log.warn("payment webhook refused", { reason: err.message });
          return c.json({ error: { message: `Webhook signature verification failed: ${err.message}` } }, 400);
        }
      },
    );

  if (simulated) {
    const open = (c: Context<AppEnv>) => {
      const token = c.req.param("token") ?? "";
      const session = simulated.session(token);
      const user = userOf(c);
      // A session belongs to the user it was made for (checkout) or to the customer's owner (portal).
      if (!session || (session.kind === "checkout" ? session.userId !== user.id : session.customerId !== user.paymentCustomerId)) {
        throw new AppError("NOT_FOUND", "This checkout link is unknown or has expired. Start again from the subscribe page.");
      }
      return { token, session };
    };
    app
      .use(`${LOCAL_CHECKOUT_PATH}/*`, requireUser)
      .get(`${LOCAL_CHECKOUT_PATH}/:token`, (c) => {
        const { session } = open(c);
        return c.html(<LocalCheckoutPage ctx={pageCtx(c)} kind={session.kind} action={c.req.path} cancelUrl={session.cancelUrl} />);
      })
      .post(`${LOCAL_CHECKOUT_PATH}/:token`, async (c) => {
        const { token, session } = open(c);
        if (session.kind === "portal" && (await formBody(c)).confirm !== "yes")
          throw new AppError("INVALID_INPUT", "To cancel the subscription, tick the box that confirms it, then press Cancel subscription.");
        // Exactly what the provider would post to the webhook, through the same verification and billing code.
        const delivery = (await simulated.complete(token))!;
        const r = await needBilling().handleWebhook(delivery.body, delivery.headers);
        c.var.log.info("simulated payment event", { eventId: r.eventId, outcome: r.outcome, kind: session.kind });
        return c.redirect(session.returnUrl, 303);
      });
  }
  return app;
}
