CREATE TABLE "job_split_chunks" (
	"job_id" text NOT NULL,
	"n" integer NOT NULL,
	"claim_token" text,
	"claim_expires_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"done_at" timestamp with time zone,
	"result" jsonb,
	CONSTRAINT "job_split_chunks_job_id_n_pk" PRIMARY KEY("job_id","n")
);
--> statement-breakpoint
CREATE TABLE "job_splits" (
	"job_id" text PRIMARY KEY NOT NULL,
	"chunks" integer NOT NULL,
	"chunk_lines" integer NOT NULL,
	"records" bigint NOT NULL,
	"input_bytes" bigint NOT NULL,
	"input_sha256" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merge_token" text,
	"merge_expires_at" timestamp with time zone,
	"merged_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "job_split_chunks" ADD CONSTRAINT "job_split_chunks_job_id_job_splits_job_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."job_splits"("job_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_splits" ADD CONSTRAINT "job_splits_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;