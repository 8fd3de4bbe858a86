ALTER TABLE "jobs" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "options" jsonb;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "manifest_key" text;