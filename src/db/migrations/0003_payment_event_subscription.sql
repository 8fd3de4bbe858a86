ALTER TABLE "payment_events" ADD COLUMN "subscription_id" text;--> statement-breakpoint
CREATE INDEX "payment_events_subscription_idx" ON "payment_events" USING btree ("subscription_id","type");