/** Subscribe (the original's wording), the confirmation, and the local stand-in for Stripe's hosted pages. */
import { Alert, CsrfField, Layout, formatBytes } from "../../../web/layout.tsx";
import type { Price } from "../../../ports/payments.ts";
import type { PageCtx } from "../../../web/page-context.ts";

/** `$20.00 per month`, in the currency's own format. */
export function formatPrice(price: Price): string {
  const amount = new Intl.NumberFormat("en", { style: "currency", currency: price.currency.toUpperCase() }).format(price.amount / 100);
  return price.interval ? `${amount} per ${price.interval}` : amount;
}

const retention = (s: number) => (s >= 120 ? `${Math.round(s / 60)} minutes` : `${s} seconds`);

/** GET /subscribe for free users. */
export function SubscribePage(p: {
  ctx: PageCtx;
  provider: "stripe" | "local" | null;
  testMode: boolean;
  /** As the payment provider will charge it; null when nothing is charged or it is unknown. */
  price: Price | null;
  limits: { freeMaxUploadBytes: number; archiveAfterSeconds: number };
  cancelled: boolean;
}) {
  return (
    <Layout ctx={p.ctx} title="Subscribe">
      <h1 class="h2">Subscribe</h1>
      {p.cancelled ? <Alert kind="info">The checkout was cancelled; you have not been charged.</Alert> : null}
      <p class="lead">You are subscribing to the GAS Premium plan.</p>
      <p id="price">
        {p.price ? (
          <>
            Price: <strong>{formatPrice(p.price)}</strong>, charged by Stripe{p.testMode ? " (test mode: no card is charged)" : ""}. You can
            cancel at any time from your profile.
          </>
        ) : p.provider === "local" ? (
          "Price: none on this development server (no payment provider; nothing is charged)."
        ) : p.provider === "stripe" ? (
          "The price is shown on Stripe's checkout page before you pay."
        ) : null}
      </p>
      <ul>
        <li>No upload size limit (free accounts: {formatBytes(p.limits.freeMaxUploadBytes)}).</li>
        <li>Results stay downloadable forever (free accounts: {retention(p.limits.archiveAfterSeconds)}, then archived).</li>
        <li>Archived results from your free days are restored when you upgrade.</li>
      </ul>
      {p.provider === null ? (
        <div class="alert alert-info" role="status">
          Online payment is not switched on for this server yet, so the subscription cannot be bought here.
        </div>
      ) : (
        <form method="post" action="/subscribe" id="subscribe_form">
          <CsrfField ctx={p.ctx} />
          <p>
            {p.provider === "stripe"
              ? "Please enter your credit card details on Stripe's secure checkout page to complete your subscription."
              : "This development server has no payment provider: the next page simulates Stripe's checkout."}
          </p>
          <button id="bill-me" class="btn btn-lg btn-primary" type="submit">
            {p.testMode ? "Subscribe (your credit card will not be billed)" : "Subscribe"}
          </button>
        </form>
      )}
      <p class="mt-4">
        <a href="/profile">← back to profile</a>
      </p>
    </Layout>
  );
}

/** GET /subscribe/confirm: where checkout sends the browser back. */
export function ConfirmPage(p: { ctx: PageCtx; premium: boolean; customerId: string | null }) {
  if (!p.premium) {
    return (
      <Layout ctx={p.ctx} title="Subscribe">
        <h1 class="h2">Confirming your subscription…</h1>
        <Alert kind="info">Your payment is being confirmed; this page updates by itself in a moment.</Alert>
        <p>
          <a href="/subscribe/confirm">Check again</a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout ctx={p.ctx} title="Subscribe">
      <h1 class="h2">Subscription Succeeded</h1>
      <p id="subscription-succeeded">
        Thank you for subscribing. Your account is now Premium: results that were archived are being restored, and new results are never
        archived. <a href="/annotations">View your annotation jobs</a>.
      </p>
      {p.customerId ? (
        <p class="text-body-secondary">
          Your subscriber account number is <code>{p.customerId}</code>.
        </p>
      ) : null}
    </Layout>
  );
}

/** The local adapter's checkout ("Pay") and portal ("Cancel subscription") pages: development only. */
export function LocalCheckoutPage(p: { ctx: PageCtx; kind: "checkout" | "portal"; action: string; cancelUrl: string }) {
  const checkout = p.kind === "checkout";
  return (
    <Layout ctx={p.ctx} title={checkout ? "Test checkout" : "Manage subscription"}>
      <h1 class="h2">{checkout ? "Test checkout" : "Manage your subscription"}</h1>
      <Alert kind="warning">
        Development server: no payment provider is configured, so no card is charged. This page stands in for Stripe's hosted{" "}
        {checkout ? "checkout" : "customer portal"} and sends the same signed event Stripe would.
      </Alert>
      <dl class="row col-lg-6">
        <dt class="col-sm-5">Plan</dt>
        <dd class="col-sm-7">GAS Premium</dd>
        <dt class="col-sm-5">Price</dt>
        <dd class="col-sm-7">none: simulated, nothing is charged</dd>
      </dl>
      <form method="post" action={p.action} class="d-inline">
        <CsrfField ctx={p.ctx} />
        {checkout ? null : (
          // Cancelling asks first, as Stripe's portal does: what the user loses is said before they lose it.
          <div class="form-check mb-3">
            <input class="form-check-input" type="checkbox" name="confirm" value="yes" id="confirm-cancel" required />
            <label class="form-check-label" for="confirm-cancel">
              Yes, cancel Premium now. New results will be archived like a free account's, and files over the free limit can no longer be
              uploaded.
            </label>
          </div>
        )}
        <button type="submit" class={`btn ${checkout ? "btn-primary" : "btn-danger"}`} id="simulate">
          {checkout ? "Pay (simulated)" : "Cancel subscription"}
        </button>
      </form>{" "}
      <a class="btn btn-outline-secondary" href={p.cancelUrl}>
        {checkout ? "Cancel" : "Back"}
      </a>
    </Layout>
  );
}
