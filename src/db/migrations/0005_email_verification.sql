CREATE TABLE "email_verifications" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "email_verifications" ADD CONSTRAINT "email_verifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "email_verifications_user_idx" ON "email_verifications" USING btree ("user_id","created_at");--> statement-breakpoint
-- Existing accounts (issue 13 item 10). Until now any address typed on the profile page was
-- mailed, and nothing recorded whether an address came from the identity provider or was typed,
-- so an OIDC account's address cannot be told apart from an attacker's choice: every existing
-- address starts unverified. OIDC users become verified again at their next sign-in when the
-- provider asserts email_verified for the same address (accounts.service.ts signIn); anyone can
-- verify from the banner or the profile page. Dev sign-in accounts (`dev:<email>`, development
-- only, where anyone can be anyone) whose address is still the one they signed in with stay
-- verified, as a dev sign-in makes them.
UPDATE "users" SET "email_verified_at" = now() WHERE "email" <> '' AND "subject" = 'dev:' || "email";
