/**
 * The JSON API of the original GAS (POST/GET /annotations, GET /annotations/{id}) as zod schemas:
 * request validation and the OpenAPI document (/openapi.json) both come from these (the routes
 * validate with them and describe themselves with them, see jobs.routes.tsx). The error envelope
 * is the web kit's (ErrorResponse in src/web/negotiate.ts).
 */
import { z } from "zod";
import { DOWNLOAD_KINDS } from "./job-downloads.ts";
import { JobSettingsFields } from "./job-settings.ts";
import { JOB_PICKS } from "../../ports/job-store.ts";
import { RESTORE_STEPS, RESULT_STATES } from "./result-lifecycle.ts";

/** An input key as issued by the upload form: `[<user id>/]<job uuid>~<file name>`. */
const INPUT_KEY = /^(?:[^/]+\/)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}~[^/]+$/;

export const JobStatusSchema = z.enum(["PENDING", "RUNNING", "COMPLETED", "FAILED"]);

export const SubmitJobBody = z
  .object({
    input_file: z
      .string()
      .max(1024)
      // The key scheme parseInputKey accepts (job-keys.ts), documented so clients (and API fuzzers)
      // know it: optional `<user id>/`, a lowercase job uuid, `~`, a file name without `/`.
      .regex(
        INPUT_KEY,
        "must be `<job uuid>~<file name>` (optionally prefixed with your user id and `/`), as listed by GET /annotate/files",
      )
      .describe("Key of an uploaded input: `<job uuid>~<file name>` (or with your user id prefix), as listed by GET /annotate/files")
      .optional(),
    upload: z
      .boolean()
      .optional()
      .describe("Without input_file: answer a presigned upload form (200) whose redirect submits the job with these settings"),
    ...JobSettingsFields,
  })
  .strict()
  .meta({ id: "SubmitJobBody" });

/** POST /annotations as multipart/form-data: the settings, then the file itself (streamed to the store). */
export const SubmitFileForm = z
  .object({
    ...JobSettingsFields,
    file: z.string().describe("The VCF (plain, gzip or BGZF): the last part of the form, named by its filename"),
  })
  .meta({ id: "SubmitFileForm" });

/** POST /annotations with `upload: true` and no file: a presigned upload whose redirect submits the job with these settings. */
export const PresignedUploadResponse = z
  .object({
    code: z.literal(200),
    status: z.literal("success"),
    url: z
      .url()
      .describe("POST a multipart form here: every field below, then `file` last; the store redirects to a URL that submits the job"),
    fields: z.record(z.string(), z.string()),
    expires_at: z.iso.datetime(),
    max_bytes: z.number().int(),
  })
  .meta({ id: "PresignedUploadResponse" });

export const SubmitJobResponse = z
  .object({ code: z.literal(201), status: z.literal("success"), job_id: z.uuid(), input_file: z.string() })
  .meta({ id: "SubmitJobResponse" });

/** Where a COMPLETED job's result is in its lifecycle (result-lifecycle.ts): the list and the job carry it. */
const ResultLifecycleFields = {
  result_state: z
    .enum(RESULT_STATES)
    .nullable()
    .describe(
      "COMPLETED jobs: `available` (downloadable), `archived` (in cold storage: a free plan's results after ARCHIVE_AFTER; upgrading restores them), `restoring` (on the way back); null before COMPLETED and for FAILED jobs",
    ),
  available_until: z.iso
    .datetime()
    .nullable()
    .describe("When a free plan's available result will be archived; null for Premium (never archived) and when not available"),
  restore: z
    .object({
      step: z.number().int().min(1).max(RESTORE_STEPS),
      steps: z.literal(RESTORE_STEPS),
    })
    .nullable()
    .describe("A restore under way: 1 requested, 2 the storage thawing the archive, 3 back; null otherwise"),
};

export const JobListResponse = z
  .object({
    code: z.literal(200),
    status: z.literal("success"),
    jobs: z.array(
      z.object({
        job_id: z.uuid(),
        job_details: z.url().describe("GET this URL for the job"),
        job_status: JobStatusSchema,
        name: z.string().describe("The job's name (default: the input's file name)"),
        input_file_name: z.string(),
        submit_time: z.iso.datetime(),
        start_time: z.iso.datetime().nullable().describe("When an annotator first started it; null while PENDING"),
        complete_time: z.iso.datetime().nullable().describe("When it COMPLETED or FAILED; null before"),
        ...ResultLifecycleFields,
      }),
    ),
    next: z.url().nullable().describe("GET this URL for the older jobs (1,000 per page); null on the last page"),
  })
  .meta({ id: "JobListResponse" });

export const JobDetailResponse = z
  .object({
    code: z.literal(200),
    status: z.literal("success"),
    job_id: z.uuid(),
    job_status: JobStatusSchema,
    name: z.string().describe("The job's name (default: the input's file name)"),
    note: z.string().nullable(),
    options: z
      .object({ pick: z.enum(JOB_PICKS), fields: z.array(z.enum(["ann", "csq"])) })
      .describe("The annotation options the job runs with"),
    log: z.string().nullable().describe("The .count.log text once COMPLETED"),
    input_file_name: z.string(),
    submit_time: z.iso.datetime(),
    start_time: z.iso.datetime().nullable(),
    complete_time: z.iso.datetime().nullable(),
    failure_reason: z.string().nullable(),
    progress: z
      .object({
        records: z.number().int().describe("Records annotated so far"),
        chunks_done: z.number().int().nullable().describe("A job split across the annotators: chunks done (null: not split)"),
        chunks: z.number().int().nullable().describe("A split job's number of chunks (null: not split)"),
        variants_per_second: z.number().int().nullable().describe("A split job's speed so far (null: not split)"),
      })
      .nullable()
      .describe("The latest progress while RUNNING; null before the first report and once finished"),
    ...ResultLifecycleFields,
    result_url: z
      .url()
      .nullable()
      .describe(
        "The annotated VCF as stored once COMPLETED: BGZF (`.annot.vcf.gz`); jobs from before 2026-12 stored it plain. Null while the result is archived or restoring (see result_state)",
      ),
    log_url: z.url().nullable(),
    downloads: z
      .array(
        z.object({
          kind: z.enum(DOWNLOAD_KINDS).describe("vcf.gz: BGZF VCF; tbi: its tabix index; vcf: plain text VCF; log: the count log"),
          file_name: z.string(),
          size: z.number().int().nullable().describe("Bytes; null when unknown"),
          url: z.url().describe("A GET answers the file, or on AWS a 303 to a short-lived S3 URL"),
        }),
      )
      .describe("Every file of a COMPLETED job whose results are available; [] otherwise"),
  })
  .meta({ id: "JobDetailResponse" });

export const UploadFormResponse = z
  .object({
    code: z.literal(200),
    status: z.literal("success"),
    url: z.url().describe("POST a multipart form here: every field below, then `file` last"),
    fields: z.record(z.string(), z.string()),
    expires_at: z.iso.datetime(),
    max_bytes: z.number().int(),
  })
  .meta({ id: "UploadFormResponse" });

export const InputFilesResponse = z
  .object({
    code: z.literal(200),
    status: z.literal("success"),
    files: z.array(z.object({ input_file: z.string(), file_name: z.string(), size: z.number().int(), uploaded: z.iso.datetime() })),
  })
  .meta({ id: "InputFilesResponse" });

/** Where the upload form sends the browser (and an API client that follows it): `?key=` of the stored input. */
export const UploadedQuery = z.object({
  ...JobSettingsFields,
  key: z
    .string({ error: "The upload redirect has no key parameter" })
    .min(1, "The upload redirect has no key parameter")
    .describe("The key the object store gave the uploaded input"),
});
