CREATE TABLE "payment_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "archive_id" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "payment_subscription_id" text;--> statement-breakpoint
CREATE INDEX "users_payment_customer_idx" ON "users" USING btree ("payment_customer_id");