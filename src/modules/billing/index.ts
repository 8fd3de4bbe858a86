/** Public surface of the billing module: the service and its routes. */
export { type BillingService, type WebhookOutcome, createBillingService } from "./billing.service.ts";
export { billingRoutes, LOCAL_CHECKOUT_PATH, WEBHOOK_PATH } from "./billing.routes.tsx";
