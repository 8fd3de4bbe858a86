/**
 * Job pages and the original's JSON API on the same paths, chosen by content negotiation
 * (see src/web/negotiate.ts). Thin: every ownership decision is in the jobs service, which
 * answers NOT_FOUND for another user's job. Results, sharing and live status are in
 * ./job-results.routes.tsx. Each API operation describes itself (`describeRoute`, and the
 * `documented` validators): that is what /openapi.json is made of.
 */
import { type Context, Hono } from "hono";
import { describeRoute, resolver } from "hono-openapi";
import { z } from "zod";
import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import { crossSiteResponse, errorResponse, jsonResponse, textResponse, urlTooLongResponse, uuidParam } from "../../web/api-doc.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { wantsJson } from "../../web/negotiate.ts";
import { pageCtx } from "../../web/page-context.ts";
import { requireProfile, userOf } from "../../web/user-guards.ts";
import { receiveStreamedUploadForm } from "../../web/streamed-upload-form.ts";
import { documented, fieldByField, jsonBody, queryField, validate } from "../../web/validate.ts";
import type { ResultsService } from "../results/index.ts";
import type { ShareLinksService } from "../sharing/index.ts";
import { fileResponse } from "./file-response.ts";
import type { DownloadEntry } from "./job-downloads.ts";
import { jobDownloadsRoutes } from "./job-downloads.routes.ts";
import { AFTER_ERROR, decodeJobCursor, encodeJobCursor } from "./job-list-cursor.ts";
import { jobManageRoutes } from "./job-manage.routes.tsx";
import { jobResultsRoutes } from "./job-results.routes.tsx";
import { JobSettingsSchema, optionsProblem, settingsQuery, toJobSettings } from "./job-settings.ts";
import {
  InputFilesResponse,
  JobDetailResponse,
  JobListResponse,
  PresignedUploadResponse,
  SubmitFileForm,
  SubmitJobBody,
  SubmitJobResponse,
  UploadFormResponse,
  UploadedQuery,
} from "./jobs.api-schemas.ts";
import type { JobsService } from "./jobs.service.ts";
import { lifecycleJson, resultLifecycle } from "./result-lifecycle.ts";
import { assertResultsAvailable } from "./results-availability.ts";
import { JobDetailPage } from "./views/job-detail-page.tsx";
import { AnnotatePage, ConfirmPage, JobListPage, LogPage } from "./views/job-pages.tsx";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const PAGE_SIZE = 20;
/** Jobs per response of the JSON list; `next` links the following page. */
const API_PAGE_SIZE = 1000;
/** The page number only labels a page (the cursor in `after` says where it starts). */
const MAX_PAGE = 1000;

const PAGE_ERROR = `The page parameter must be a whole number from 1 to ${MAX_PAGE}.`;
/**
 * The jobs list's query: `after` (where the previous page ended: keyset pages, see
 * job-list-cursor.ts) and `page`, the number the page shows (absent → 1). Anything else in either → 400 naming it.
 */
const ListQuery = z.object({
  page: queryField
    .pipe(
      z
        .string()
        .regex(/^\d{0,4}$/, PAGE_ERROR)
        .optional(),
    )
    .transform((v) => (v ? Number(v) : 1))
    .pipe(z.number().min(1, PAGE_ERROR).max(MAX_PAGE, PAGE_ERROR)),
  after: queryField.transform((v, ctx) => {
    if (!v) return null;
    const cursor = decodeJobCursor(v);
    if (!cursor) ctx.addIssue({ code: "custom", message: AFTER_ERROR });
    return cursor;
  }),
});

const SUBMIT_EXAMPLE = '{"input_file": "<job uuid>~<file name>"}';
const notSignedIn = { "401": errorResponse("Not signed in / bad token") };
const jobErrors = { ...notSignedIn, "404": errorResponse("Unknown job, or another user's job") };
const jobParams = [uuidParam("id")];

export interface JobsRoutesDeps {
  jobs: JobsService;
  shares: ShareLinksService;
  /** Completed jobs' results stores (the results page). */
  results: ResultsService;
  baseUrl: (requestUrl: string) => string;
  /** ARCHIVE_AFTER: a free user's results show "available until" (absent: no deadline shown). */
  archiveAfterSeconds?: number;
}

/** Routes under `/`: /annotate, /annotate/job, /annotate/files, /annotations…, /shared/… */
export function jobsRoutes(deps: JobsRoutesDeps) {
  const { jobs, shares, baseUrl } = deps;
  const archiveAfter = deps.archiveAfterSeconds ?? null;
  const lifeOf = (user: { tier: string }, job: Job) => resultLifecycle(job, user.tier === "premium" ? "premium" : "free", archiveAfter);
  const detail = (base: string, job: Job, log: string | null, downloads: DownloadEntry[], life: ReturnType<typeof lifeOf>) => ({
    code: 200 as const,
    status: "success" as const,
    job_id: job.id,
    job_status: job.status,
    log,
    name: job.name,
    note: job.note,
    options: job.options,
    input_file_name: job.inputFileName,
    submit_time: job.submitTime.toISOString(),
    start_time: iso(job.startTime),
    complete_time: iso(job.completeTime),
    failure_reason: job.failureReason,
    progress:
      job.status === "RUNNING" && job.progress
        ? {
            records: job.progress.records,
            chunks_done: job.progress.split?.done ?? null,
            chunks: job.progress.split?.chunks ?? null,
            variants_per_second: job.progress.split?.variantsPerSecond ?? null,
          }
        : null,
    ...lifecycleJson(life),
    // No link that would answer 402/409: an archived or restoring result has none (issue 17).
    result_url: job.resultKey && life?.state !== "archived" && life?.state !== "restoring" ? `${base}/annotations/${job.id}/result` : null,
    log_url: job.logKey ? `${base}/annotations/${job.id}/log` : null,
    downloads: downloads.map((d) => ({
      kind: d.kind,
      file_name: d.fileName,
      size: d.size,
      url: `${base}/annotations/${job.id}/${d.path}`,
    })),
  });

  // Explicit paths, not a `{result|rows|input}` pattern: an unanchored alternation let
  // /annotations/{id}/results fall into the download route.
  async function download(c: Context<AppEnv>, which: "json" | "input") {
    const user = userOf(c);
    const job = await jobs.get(user, c.req.param("id") ?? "");
    if (which !== "input") assertResultsAvailable(job, user.tier === "premium");
    const { name, object } = await jobs.file(user, job.id, which);
    return fileResponse(name, object.stream(), which === "json" ? "application/json" : "text/plain; charset=utf-8", object.size);
  }

  return new Hono<AppEnv>()
    .use("/annotate", requireProfile)
    .use("/annotate/*", requireProfile)
    .use("/annotations", requireProfile)
    .use("/annotations/*", requireProfile)
    .get(
      "/annotate",
      describeRoute({
        summary: "A signed upload form for one input file",
        responses: { "200": jsonResponse(UploadFormResponse, "Form fields"), ...notSignedIn },
      }),
      validate("query", JobSettingsSchema, fieldByField("Invalid job settings")),
      async (c) => {
        const user = userOf(c);
        const base = baseUrl(c.req.url);
        // The settings ride in the upload's redirect (the store sends the browser there with the key).
        const settings = toJobSettings(c.req.valid("query"));
        const problem = optionsProblem(settings.options);
        if (problem) throw new AppError("INVALID_INPUT", `These options cannot be used together: ${problem}.`);
        const query = settingsQuery(settings).toString();
        const signed = await jobs.uploadForm(user, `${base}/annotate/job${query ? `?${query}` : ""}`);
        const form = { ...signed, url: new URL(signed.url, base).toString() }; // local stores give a path
        if (wantsJson(c)) {
          return c.json({
            code: 200,
            status: "success",
            url: form.url,
            fields: form.fields,
            expires_at: form.expiresAt.toISOString(),
            max_bytes: form.maxBytes,
          });
        }
        c.header("cache-control", "no-store"); // the signed policy expires; never show a stale one
        return c.html(<AnnotatePage ctx={pageCtx(c)} form={form} freeMaxBytes={jobs.freeMaxUploadBytes} settings={settings} />);
      },
    )
    .get(
      "/annotate/job",
      describeRoute({
        summary: "Where the upload form redirects: submits the uploaded file for annotation",
        responses: {
          "201": jsonResponse(SubmitJobResponse, "Job created (PENDING)"),
          "400": errorResponse("Bad request"),
          ...jobErrors,
          "404": errorResponse("No such upload of yours"),
          ...urlTooLongResponse,
        },
      }),
      documented("query", UploadedQuery),
      async (c) => {
        const user = userOf(c);
        const { key, ...chosen } = c.req.valid("query");
        const job = await jobs.submit(user, key, toJobSettings(chosen));
        c.var.log.info("job submitted", { jobId: job.id, userId: user.id });
        if (wantsJson(c)) return c.json({ code: 201, status: "success", job_id: job.id, input_file: job.inputKey }, 201);
        return c.html(<ConfirmPage ctx={pageCtx(c)} job={job} />, 201);
      },
    )
    .get(
      "/annotate/files",
      describeRoute({
        summary: "Your uploaded input files",
        responses: { "200": jsonResponse(InputFilesResponse, "Files"), ...notSignedIn },
      }),
      async (c) => {
        const user = userOf(c);
        const files = await jobs.listInputs(user);
        return c.json({
          code: 200,
          status: "success",
          files: files.map((f) => ({
            input_file: f.key.slice(user.id.length + 1),
            file_name: f.key.slice(f.key.indexOf("~") + 1),
            size: f.size,
            uploaded: f.lastModified.toISOString(),
          })),
        });
      },
    )
    .get(
      "/annotations",
      describeRoute({
        summary: "List your annotation jobs",
        responses: { "200": jsonResponse(JobListResponse, "Jobs, newest first"), ...jobErrors },
      }),
      validate("query", ListQuery),
      async (c) => {
        const user = userOf(c);
        const { page, after } = c.req.valid("query");
        if (wantsJson(c)) {
          const list = await jobs.page(user, { limit: API_PAGE_SIZE, after });
          const base = baseUrl(c.req.url);
          return c.json({
            code: 200,
            status: "success",
            jobs: list.jobs.map((j) => ({
              job_id: j.id,
              job_details: `${base}/annotations/${j.id}`,
              job_status: j.status,
              name: j.name,
              input_file_name: j.inputFileName,
              submit_time: j.submitTime.toISOString(),
              start_time: iso(j.startTime),
              complete_time: iso(j.completeTime),
              ...lifecycleJson(lifeOf(user, j)),
            })),
            next: list.next ? `${base}/annotations?after=${encodeJobCursor(list.next)}` : null,
          });
        }
        // Keyset: this page's jobs only, however deep (an offset read every job before the page).
        const list = await jobs.page(user, { limit: PAGE_SIZE, after });
        const older = list.next ? `/annotations?after=${encodeJobCursor(list.next)}&page=${Math.min(page + 1, MAX_PAGE)}` : null;
        return c.html(
          <JobListPage ctx={pageCtx(c)} jobs={list.jobs} page={after ? page : 1} older={older} archiveAfterSeconds={archiveAfter} />,
        );
      },
    )
    .post(
      "/annotations",
      describeRoute({
        summary: "Submit a file for annotation: send it (multipart), or name one uploaded with GET /annotate (JSON)",
        description:
          "multipart/form-data: the settings fields, then `file` (streamed to the store, limited to your plan's upload size; 413 past it). " +
          "JSON: `input_file` names an upload; or `upload: true` without `input_file` returns a presigned upload form whose redirect submits the job with these settings.",
        requestBody: {
          content: {
            "multipart/form-data": { schema: resolver(SubmitFileForm) },
          },
        },
        responses: {
          "201": jsonResponse(SubmitJobResponse, "Job created (PENDING)"),
          "200": jsonResponse(PresignedUploadResponse, "A presigned upload (`upload: true`)"),
          "400": errorResponse("Bad request"),
          "413": errorResponse("The file is larger than your plan allows"),
          ...jobErrors,
          ...crossSiteResponse,
        },
      }),
      async (c, next) => {
        if (!/^multipart\/form-data/i.test(c.req.header("content-type") ?? "")) return next();
        // Streamed: the settings are read from the fields before the file, the file goes to the
        // store as it arrives, cut off at the plan's limit (the browser path's policy limit).
        const user = userOf(c);
        const key = await receiveStreamedUploadForm(c.req.raw, (fields, file) => {
          const parsed = JobSettingsSchema.safeParse(fields);
          if (!parsed.success) {
            const why = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
            throw new AppError("INVALID_INPUT", `Invalid job settings: ${why}`);
          }
          const settings = toJobSettings(parsed.data);
          const problem = optionsProblem(settings.options);
          if (problem) throw new AppError("INVALID_INPUT", `These options cannot be used together: ${problem}.`);
          return jobs.storeUpload(user, file.name, file.stream()).then((k) => ({ key: k, settings }));
        });
        const job = await jobs.submit(user, key.key, key.settings);
        c.var.log.info("job submitted", { jobId: job.id, userId: user.id, via: "multipart" });
        return c.json(
          { code: 201 as const, status: "success" as const, job_id: job.id, input_file: job.inputKey.slice(user.id.length + 1) },
          201,
        );
      },
      jsonBody(SUBMIT_EXAMPLE),
      documented("json", SubmitJobBody, fieldByField("Invalid request body")),
      async (c) => {
        const user = userOf(c);
        const { input_file, upload, ...chosen } = c.req.valid("json");
        const settings = toJobSettings(chosen);
        if (!input_file) {
          if (!upload)
            throw new AppError(
              "INVALID_INPUT",
              `Invalid request body: give input_file, or upload: true for an upload form; send ${SUBMIT_EXAMPLE}`,
            );
          const problem = optionsProblem(settings.options);
          if (problem) throw new AppError("INVALID_INPUT", `These options cannot be used together: ${problem}.`);
          const base = baseUrl(c.req.url);
          const query = settingsQuery(settings).toString();
          const signed = await jobs.uploadForm(user, `${base}/annotate/job${query ? `?${query}` : ""}`);
          return c.json({
            code: 200 as const,
            status: "success" as const,
            url: new URL(signed.url, base).toString(),
            fields: signed.fields,
            expires_at: signed.expiresAt.toISOString(),
            max_bytes: signed.maxBytes,
          });
        }
        const job = await jobs.submit(user, input_file, settings);
        c.var.log.info("job submitted", { jobId: job.id, userId: user.id });
        return c.json({ code: 201, status: "success", job_id: job.id, input_file }, 201);
      },
    )
    .get(
      "/annotations/:id",
      describeRoute({
        summary: "A job's status and, once COMPLETED, its log",
        parameters: jobParams,
        responses: { "200": jsonResponse(JobDetailResponse, "Job"), ...jobErrors },
      }),
      async (c) => {
        const user = userOf(c);
        const job = await jobs.get(user, c.req.param("id"));
        if (wantsJson(c)) {
          const log = job.status === "COMPLETED" ? await jobs.log(user, job.id) : null;
          const available = job.resultState === null || job.resultState === "AVAILABLE";
          return c.json(detail(baseUrl(c.req.url), job, log, available ? await jobs.downloads(user, job) : [], lifeOf(user, job)));
        }
        const links = job.status === "COMPLETED" ? await shares.listForJob(user.id, job.id) : [];
        const downloads = await jobs.downloads(user, job);
        const manifest = job.manifestKey ? ((await jobs.manifest(user, job.id))?.manifest ?? null) : null;
        return c.html(
          <JobDetailPage
            ctx={pageCtx(c)}
            job={job}
            shares={links}
            createdShare={null}
            downloads={downloads}
            archiveAfterSeconds={archiveAfter}
            owner={{ manifest }}
          />,
        );
      },
    )
    .get(
      "/annotations/:id/log",
      describeRoute({ summary: "The .count.log text", parameters: jobParams, responses: { "200": textResponse("Log"), ...jobErrors } }),
      async (c) => {
        const user = userOf(c);
        const id = c.req.param("id");
        const log = await jobs.log(user, id);
        if (log === null) throw new AppError("NOT_FOUND", `Job ${id} has no log yet`);
        if ((c.req.header("accept") ?? "").includes("text/html"))
          return c.html(<LogPage ctx={pageCtx(c)} jobId={id} log={log} back={`/annotations/${id}`} />);
        return c.text(log);
      },
    )
    .get(
      "/annotations/:id/input",
      describeRoute({
        summary: "Download the input VCF as uploaded",
        parameters: jobParams,
        responses: { "200": textResponse("VCF"), ...jobErrors },
      }),
      (c) => download(c, "input"),
    )
    .route("/", jobManageRoutes(deps))
    .route("/", jobDownloadsRoutes(deps))
    .route("/", jobResultsRoutes(deps));
}
