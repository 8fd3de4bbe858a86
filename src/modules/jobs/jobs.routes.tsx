/**
 * Job pages and the original's JSON API on the same paths, chosen by content negotiation
 * (see src/web/negotiate.ts). Thin: every decision is in the jobs service.
 */
import { Hono } from "hono";
import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { wantsJson } from "../../web/negotiate.ts";
import { requireUser, userOf } from "../../web/session.ts";
import { SubmitJobBody } from "./jobs.api-schemas.ts";
import type { JobsService } from "./jobs.service.ts";
import { AnnotatePage, ConfirmPage, JobDetailPage, JobListPage, LogPage } from "./views/job-pages.tsx";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Routes under `/`: /annotate, /annotate/job, /annotate/files, /annotations… */
export function jobsRoutes(jobs: JobsService, baseUrl: (requestUrl: string) => string) {
  const detail = (base: string, job: Job, log: string | null) => ({
    code: 200 as const,
    status: "success" as const,
    job_id: job.id,
    job_status: job.status,
    log,
    input_file_name: job.inputFileName,
    submit_time: job.submitTime.toISOString(),
    start_time: iso(job.startTime),
    complete_time: iso(job.completeTime),
    failure_reason: job.failureReason,
    result_url: job.resultKey ? `${base}/annotations/${job.id}/result` : null,
    log_url: job.logKey ? `${base}/annotations/${job.id}/log` : null,
  });

  return new Hono<AppEnv>()
    .use("/annotate", requireUser)
    .use("/annotate/*", requireUser)
    .use("/annotations", requireUser)
    .use("/annotations/*", requireUser)
    .get("/annotate", async (c) => {
      const user = userOf(c);
      const base = baseUrl(c.req.url);
      const signed = await jobs.uploadForm(user, `${base}/annotate/job`);
      const form = { ...signed, url: new URL(signed.url, base).toString() }; // local stores give a path
      if (wantsJson(c)) {
        return c.json({ code: 200, status: "success", url: form.url, fields: form.fields, expires_at: form.expiresAt.toISOString(), max_bytes: form.maxBytes });
      }
      return c.html(<AnnotatePage user={user} form={form} />);
    })
    .get("/annotate/job", async (c) => {
      const user = userOf(c);
      const key = c.req.query("key");
      if (!key) throw new AppError("INVALID_INPUT", "The upload redirect has no key parameter");
      const job = await jobs.submit(user, key);
      c.var.log.info("job submitted", { jobId: job.id, userId: user.id });
      if (wantsJson(c)) return c.json({ code: 201, status: "success", job_id: job.id, input_file: job.inputKey }, 201);
      return c.html(<ConfirmPage user={user} job={job} />, 201);
    })
    .get("/annotate/files", async (c) => {
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
    })
    .get("/annotations", async (c) => {
      const user = userOf(c);
      const list = await jobs.list(user);
      if (wantsJson(c)) {
        const base = baseUrl(c.req.url);
        return c.json({ code: 200, status: "success", jobs: list.map((j) => ({ job_id: j.id, job_details: `${base}/annotations/${j.id}` })) });
      }
      return c.html(<JobListPage user={user} jobs={list} />);
    })
    .post("/annotations", async (c) => {
      const user = userOf(c);
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        throw new AppError("INVALID_INPUT", 'The request body is not valid JSON; send {"input_file": "<job uuid>~<file name>"}');
      }
      const parsed = SubmitJobBody.safeParse(raw);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
        throw new AppError("INVALID_INPUT", `Invalid request body: ${detail}`);
      }
      const job = await jobs.submit(user, parsed.data.input_file);
      c.var.log.info("job submitted", { jobId: job.id, userId: user.id });
      return c.json({ code: 201, status: "success", job_id: job.id, input_file: parsed.data.input_file }, 201);
    })
    .get("/annotations/:id", async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      if (wantsJson(c)) {
        const log = job.status === "COMPLETED" ? await jobs.log(user, job.id) : null;
        return c.json(detail(baseUrl(c.req.url), job, log));
      }
      return c.html(<JobDetailPage user={user} job={job} />);
    })
    .get("/annotations/:id/log", async (c) => {
      const user = userOf(c);
      const id = c.req.param("id");
      const log = await jobs.log(user, id);
      if (log === null) throw new AppError("NOT_FOUND", `Job ${id} has no log yet`);
      if ((c.req.header("accept") ?? "").includes("text/html")) return c.html(<LogPage user={user} jobId={id} log={log} />);
      return c.text(log);
    })
    .get("/annotations/:id/:file{result|rows|input}", async (c) => {
      const user = userOf(c);
      const which = ({ result: "vcf", rows: "json", input: "input" } as const)[c.req.param("file") as "result" | "rows" | "input"];
      const { name, object } = await jobs.file(user, c.req.param("id"), which);
      return new Response(object.stream(), {
        headers: {
          "content-type": which === "json" ? "application/json" : "text/plain; charset=utf-8",
          "content-length": String(object.size),
          "content-disposition": `attachment; filename="${name.replace(/["\\\r\n]/g, "_")}"`,
        },
      });
    });
}
