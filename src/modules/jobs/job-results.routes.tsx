/**
 * The results browser, live status over server-sent events, and share links: the owner's routes
 * under /annotations/{id}/… (behind requireProfile, mounted by jobs.routes.tsx) and the public,
 * read-only /shared/{token}/… views. An unknown, expired or revoked share token is a plain 404.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { pageCtx } from "../../web/page-context.ts";
import { userOf } from "../../web/user-guards.ts";
import { formField, validate } from "../../web/validate.ts";
import type { ShareLink } from "../sharing/index.ts";
import { fileResponse } from "./file-response.ts";
import type { JobsRoutesDeps } from "./jobs.routes.tsx";
import type { Owner } from "./jobs.service.ts";
import { assertResultsAvailable } from "./results-availability.ts";
import { ResultFilterQuery, createResultCache, queryResults } from "./results-query.ts";
import { JobDetailPage } from "./views/job-detail-page.tsx";
import { LogPage } from "./views/job-pages.tsx";
import { ResultsPage } from "./views/results-page.tsx";

/** How often the events stream looks at the job, and how long one stream may stay open. */
const POLL_MS = 1000;
const KEEPALIVE_MS = 5000;
const MAX_STREAM_MS = 30 * 60_000;

const NOT_SHARED = "This share link does not exist, has expired, or was revoked.";

/** The share form: how many days the link lasts (the sharing service says which are allowed). */
const ShareForm = z.object({ days: formField.transform(Number) });

/** Routes for results, events, shares (owner) and /shared/{token} (anyone with the link). */
export function jobResultsRoutes(deps: JobsRoutesDeps) {
  const { jobs, shares, baseUrl } = deps;
  const loadResults = createResultCache();

  async function resultSet(owner: Owner, job: Job) {
    if (job.status !== "COMPLETED" || !job.rowsKey) throw new AppError("NOT_FOUND", `Job ${job.id} has no results to browse yet`);
    const { name, object } = await jobs.file(owner, job.id, "json");
    return loadResults(job.rowsKey, () => new Response(object.stream()).text(), name);
  }

  async function shared(token: string): Promise<{ link: ShareLink; job: Job; owner: Owner }> {
    const link = await shares.resolve(token);
    if (!link) throw new AppError("NOT_FOUND", NOT_SHARED);
    const owner = { id: link.userId };
    const job = await jobs.get(owner, link.jobId).catch(() => null);
    if (!job || job.status !== "COMPLETED") throw new AppError("NOT_FOUND", NOT_SHARED);
    return { link, job, owner };
  }

  return new Hono<AppEnv>()
    .get("/annotations/:id/results", validate("query", ResultFilterQuery), async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      assertResultsAvailable(job, user.tier === "premium");
      const set = await resultSet(user, job);
      const base = `/annotations/${job.id}/results`;
      const r = queryResults(set, c.req.valid("query"));
      return c.html(
        <ResultsPage
          ctx={pageCtx(c)}
          job={job}
          set={set}
          r={r}
          base={base}
          links={{ result: `/annotations/${job.id}/result`, log: `/annotations/${job.id}/log`, back: `/annotations/${job.id}` }}
          shared={false}
        />,
      );
    })
    .get("/annotations/:id/events", async (c) => {
      const user = userOf(c);
      const first = await jobs.get(user, c.req.param("id")); // 404 before the stream starts
      c.header("cache-control", "no-store");
      return streamSSE(c, async (stream) => {
        let closed = false;
        stream.onAbort(() => {
          closed = true;
        });
        let last = "";
        let lastWrite = Date.now();
        const started = Date.now();
        let job: Job | null = first;
        while (!closed && job && Date.now() - started < MAX_STREAM_MS) {
          const data = JSON.stringify({
            status: job.status,
            progress: job.progress,
            completeTime: job.completeTime?.toISOString() ?? null,
          });
          if (data !== last) {
            await stream.writeSSE({ event: "status", data });
            last = data;
            lastWrite = Date.now();
          } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
            // A comment line keeps proxies (and Bun's idle timeout) from closing a quiet stream.
            await stream.write(": keepalive\n\n");
            lastWrite = Date.now();
          }
          if (job.status === "COMPLETED" || job.status === "FAILED") break;
          await stream.sleep(POLL_MS);
          job = await jobs.get(user, first.id).catch(() => null);
        }
        if (!job) await stream.writeSSE({ event: "gone", data: "{}" });
      });
    })
    .post("/annotations/:id/shares", validate("form", ShareForm), async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      if (job.status !== "COMPLETED") throw new AppError("CONFLICT", "Only a completed job's results can be shared");
      const { token, link } = await shares.create(user.id, job.id, c.req.valid("form").days);
      c.var.log.info("share link created", { jobId: job.id, shareId: link.id });
      const url = `${baseUrl(c.req.url)}/shared/${token}`;
      c.header("cache-control", "no-store");
      return c.html(
        <JobDetailPage
          ctx={pageCtx(c)}
          job={job}
          shares={await shares.listForJob(user.id, job.id)}
          createdShare={{ url, expiresAt: link.expiresAt }}
        />,
        201,
      );
    })
    .post("/annotations/:id/shares/:shareId/revoke", async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      if (!(await shares.revoke(user.id, c.req.param("shareId")))) throw new AppError("NOT_FOUND", "That share link was not found");
      c.var.log.info("share link revoked", { jobId: job.id, shareId: c.req.param("shareId") });
      return c.redirect(`/annotations/${job.id}#sharing`, 303);
    })
    .get("/shared/:token", validate("query", ResultFilterQuery), async (c) => {
      const token = c.req.param("token");
      const { job, owner } = await shared(token);
      assertResultsAvailable(job, false);
      const set = await resultSet(owner, job);
      const r = queryResults(set, c.req.valid("query"));
      c.header("x-robots-tag", "noindex");
      c.header("cache-control", "private, no-store");
      return c.html(
        <ResultsPage
          ctx={pageCtx(c)}
          job={job}
          set={set}
          r={r}
          base={`/shared/${token}`}
          links={{ result: `/shared/${token}/result`, log: `/shared/${token}/log`, back: null }}
          shared
        />,
      );
    })
    .get("/shared/:token/result", async (c) => {
      const { job, owner } = await shared(c.req.param("token"));
      assertResultsAvailable(job, false);
      const { name, object } = await jobs.file(owner, job.id, "vcf");
      return fileResponse(name, object, "text/plain; charset=utf-8");
    })
    .get("/shared/:token/log", async (c) => {
      const token = c.req.param("token");
      const { job, owner } = await shared(token);
      const log = await jobs.log(owner, job.id);
      if (log === null) throw new AppError("NOT_FOUND", NOT_SHARED);
      c.header("x-robots-tag", "noindex");
      if ((c.req.header("accept") ?? "").includes("text/html"))
        return c.html(<LogPage ctx={pageCtx(c)} jobId={job.id} log={log} back={`/shared/${token}`} />);
      return c.text(log);
    });
}
