/**
 * Billing: premium subscriptions. Checkout and the customer portal go through the Payments port;
 * the provider's webhooks are the only thing that changes a tier. Each verified event is applied
 * once: its id goes into `payment_events` after its effects, which are all idempotent (setting a
 * tier, publishing thaw requests the archiver handles idempotently), so a crash halfway is
 * repaired by the provider's redelivery and a replayed event is ignored.
 */
import { and, eq } from "drizzle-orm";
import type { AppDb } from "../../db/open-database.ts";
import { paymentEvents } from "../../db/schema.ts";
import { eachJobOfUser, type JobStore } from "../../ports/job-store.ts";
import type { PaymentEvent, Payments, Price } from "../../ports/payments.ts";
import type { Topic } from "../../ports/queue.ts";
import { AppError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import type { AccountsService, User } from "../accounts/index.ts";

export interface BillingDeps {
  db: AppDb;
  accounts: AccountsService;
  payments: Payments;
  jobs: JobStore;
  topic: Topic;
  log: Logger;
  /** Jobs read per page when restoring a user's archives on upgrade (500; tests make it small). */
  restorePageSize?: number;
}

/** What a checkout needs of a user: who, the tier, and the customer made for them before, if any. */
export type Customer = Pick<User, "id" | "email" | "name" | "tier" | "paymentCustomerId">;

export type WebhookOutcome = { eventId: string; outcome: "applied" | "duplicate" | "ignored" };

/** Create the billing service. */
export function createBillingService(deps: BillingDeps) {
  const { db, accounts, payments, jobs, topic } = deps;

  /**
   * One thaw request per archived job of the user (the archiver restores each): every job of the
   * user, read a page at a time, however many they have (a capped read left older archives frozen).
   */
  async function restoreArchived(userId: string): Promise<number> {
    let thawed = 0;
    for await (const j of eachJobOfUser(jobs, userId, deps.restorePageSize)) {
      if (j.status !== "COMPLETED" || j.resultState !== "ARCHIVED") continue;
      await topic.publish("job.thaw", { jobId: j.id, userId });
      thawed++;
    }
    return thawed;
  }

  /** Apply an event's effects; true when it concerned one of our users. */
  async function apply(event: PaymentEvent): Promise<boolean> {
    const log = deps.log.child({ eventId: event.id, kind: event.kind });
    if (event.kind === "other") return false;
    if (event.kind === "subscribed") {
      // The customer we stored is authoritative; the user id we sent along is the fallback for a
      // customer created moments ago whose id the webhook beat into the database.
      let user = await accounts.findByPaymentCustomer(event.customerId);
      if (!user && event.userId) {
        const candidate = await accounts.get(event.userId);
        if (candidate) {
          const stored = await accounts.setPaymentCustomer(candidate.id, event.customerId);
          if (stored !== event.customerId)
            log.warn("subscription paid by another customer than the one stored", { userId: candidate.id, stored, paid: event.customerId });
          user = candidate;
        }
      }
      if (!user) {
        log.warn("subscription for an unknown customer", { customerId: event.customerId });
        return false;
      }
      // Webhooks are not ordered: this subscription's end may have arrived first.
      const [ended] = event.subscriptionId
        ? await db
            .select({ id: paymentEvents.id })
            .from(paymentEvents)
            .where(and(eq(paymentEvents.subscriptionId, event.subscriptionId), eq(paymentEvents.type, "unsubscribed")))
        : [];
      if (ended) {
        log.info("subscription already ended (its end arrived first); tier unchanged", {
          userId: user.id,
          subscriptionId: event.subscriptionId,
          endedBy: ended.id,
        });
        return true;
      }
      await accounts.setTier(user.id, "premium", { subscriptionId: event.subscriptionId });
      const thawed = await restoreArchived(user.id);
      log.info("user upgraded to premium", { userId: user.id, thawRequests: thawed });
      return true;
    }
    const user = await accounts.findByPaymentCustomer(event.customerId);
    if (!user) {
      log.warn("subscription ended for an unknown customer", { customerId: event.customerId });
      return false;
    }
    const changed = await accounts.setTier(user.id, "free", { subscriptionId: null, onlyIfSubscription: event.subscriptionId });
    log.info(changed ? "user back to free" : "an older subscription ended; tier unchanged", { userId: user.id });
    return true;
  }

  return {
    provider: payments.provider,
    testMode: payments.testMode,

    /** The premium price as the provider charges it (null: nothing is charged, or the provider did not answer). */
    async price(): Promise<Price | null> {
      try {
        return await payments.price();
      } catch (err) {
        // The page still works without the figure; it says where to find it instead.
        deps.log.warn("could not read the price from the payment provider", { err });
        return null;
      }
    },

    /** The provider's checkout URL for the premium subscription; the customer is created once per account. */
    async startCheckout(user: Customer, urls: { successUrl: string; cancelUrl: string }): Promise<string> {
      if (user.tier === "premium") throw new AppError("CONFLICT", "You are already a Premium user.");
      const customerId =
        user.paymentCustomerId ??
        (await accounts.setPaymentCustomer(user.id, await payments.createCustomer({ id: user.id, email: user.email, name: user.name })));
      if (!customerId) throw new AppError("NOT_FOUND", "Your account no longer exists; sign in again");
      return (await payments.createCheckout({ customerId, userId: user.id, ...urls })).url;
    },

    /** The provider's self-service page (cancel, change card). */
    async portalUrl(user: Pick<User, "paymentCustomerId">, returnUrl: string): Promise<string> {
      if (!user.paymentCustomerId) throw new AppError("NOT_FOUND", "You have no subscription to manage.");
      return (await payments.createPortal({ customerId: user.paymentCustomerId, returnUrl })).url;
    },

    /** Verify and apply one webhook delivery. Throws WebhookSignatureError for forged ones. */
    async handleWebhook(rawBody: string, headers: Headers): Promise<WebhookOutcome> {
      const event = await payments.verifyWebhook(rawBody, headers);
      const [seen] = await db.select({ id: paymentEvents.id }).from(paymentEvents).where(eq(paymentEvents.id, event.id));
      if (seen) {
        deps.log.info("payment event already applied", { eventId: event.id });
        return { eventId: event.id, outcome: "duplicate" };
      }
      const mine = await apply(event);
      await db
        .insert(paymentEvents)
        .values({
          id: event.id,
          type: event.kind === "other" ? event.type : event.kind,
          subscriptionId: event.kind === "other" ? null : event.subscriptionId,
        })
        .onConflictDoNothing();
      return { eventId: event.id, outcome: mine ? "applied" : "ignored" };
    },

    restoreArchived,
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
