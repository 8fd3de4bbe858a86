/**
 * The results browser, live status over server-sent events, and share links: the owner's routes
 * under /annotations/{id}/… (behind requireProfile, mounted by jobs.routes.tsx) and the public,
 * read-only /shared/{token}/… views. An unknown, expired or revoked share token is a plain 404.
 */
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { pageCtx } from "../../web/page-context.ts";
import { userOf } from "../../web/user-guards.ts";
import { formField, validate } from "../../web/validate.ts";
import type { ShareLink } from "../sharing/index.ts";
import type { JobsRoutesDeps } from "./jobs.routes.tsx";
import type { Owner } from "./jobs.service.ts";
import { type RawQuery, loadResultsView } from "../results/results-view.ts";
import { resultLifecycle } from "./result-lifecycle.ts";
import { assertResultsAvailable } from "./results-availability.ts";
import { JobDetailPage } from "./views/job-detail-page.tsx";
import { LogPage } from "./views/job-pages.tsx";
import {
  FRAGMENT_HEADER,
  type ResultsLinks,
  ResultsBrowser,
  ResultsPage,
  VariantDetailPage,
  VariantEffects,
} from "./views/results-page.tsx";

/**
 * How often the events stream looks at the job (while it runs; while only its result may move, an
 * archive or a restore, less often), and how long one stream may stay open (the browser then
 * reconnects by itself).
 */
const POLL_MS = 1000;
const LIFECYCLE_POLL_MS = 2000;
const KEEPALIVE_MS = 5000;
const MAX_STREAM_MS = 30 * 60_000;

const NOT_SHARED = "This share link does not exist, has expired, or was revoked.";

/** The share form: how many days the link lasts (the sharing service says which are allowed). */
const ShareForm = z.object({ days: formField.transform(Number) });

/** Routes for results, events, shares (owner) and /shared/{token} (anyone with the link). */
export function jobResultsRoutes(deps: JobsRoutesDeps) {
  const { jobs, shares, baseUrl } = deps;

  /**
   * The results page, or only its #results-browser part when results-browser.js asks for it. A
   * filter the store refuses (a bad region, an unknown term) is the page with the message: a 400.
   */
  async function resultsPage(c: Context<AppEnv>, job: Job, owner: Owner, links: ResultsLinks, shared: boolean) {
    const results = await deps.results.open(job, owner);
    const view = await loadResultsView(results, rawQuery(c), job.summary);
    const status = view.error ? 400 : 200;
    c.header("vary", FRAGMENT_HEADER);
    if (c.req.header(FRAGMENT_HEADER))
      return c.html(<ResultsBrowser view={view} links={links} reference={String(view.summary.engine?.reference ?? "")} />, status);
    return c.html(<ResultsPage ctx={pageCtx(c)} job={job} view={view} links={links} shared={shared} />, status);
  }

  /**
   * One variant with every effect (the table's expander fetches the fragment). `base` is the
   * results page; the variant page's own query string is the results state its back link returns to.
   */
  async function variantPage(c: Context<AppEnv>, job: Job, owner: Owner, base: string) {
    const search = new URL(c.req.url).search;
    const back = `${base}${search}`;
    const vid = Number(c.req.param("vid"));
    if (!Number.isSafeInteger(vid) || vid < 0) throw new AppError("NOT_FOUND", "There is no such variant in these results");
    const results = await deps.results.open(job, owner);
    const [row, effects, summary] = await Promise.all([results.variant(vid), results.transcripts(vid), results.summary()]);
    if (!row) throw new AppError("NOT_FOUND", "There is no such variant in these results");
    const reference = String(summary.engine?.reference ?? "");
    c.header("vary", FRAGMENT_HEADER);
    if (c.req.header(FRAGMENT_HEADER)) return c.html(<VariantEffects row={row} effects={effects} reference={reference} />);
    return c.html(<VariantDetailPage ctx={pageCtx(c)} job={job} row={row} effects={effects} reference={reference} back={back} />);
  }

  const ownerLinks = (id: string): ResultsLinks => ({
    base: `/annotations/${id}/results`,
    rows: `/annotations/${id}/rows`,
    variant: (vid) => `/annotations/${id}/results/variants/${vid}`,
    result: `/annotations/${id}/result`,
    log: `/annotations/${id}/log`,
    back: `/annotations/${id}`,
  });
  const sharedLinks = (token: string): ResultsLinks => ({
    base: `/shared/${token}`,
    rows: `/shared/${token}/rows`,
    variant: (vid) => `/shared/${token}/variants/${vid}`,
    result: `/shared/${token}/result`,
    log: `/shared/${token}/log`,
    back: null,
  });

  async function shared(token: string): Promise<{ link: ShareLink; job: Job; owner: Owner }> {
    const link = await shares.resolve(token);
    if (!link) throw new AppError("NOT_FOUND", NOT_SHARED);
    const owner = { id: link.userId };
    const job = await jobs.get(owner, link.jobId).catch(() => null);
    if (!job || job.status !== "COMPLETED") throw new AppError("NOT_FOUND", NOT_SHARED);
    return { link, job, owner };
  }

  return new Hono<AppEnv>()
    .get("/annotations/:id/results", async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      assertResultsAvailable(job, user.tier === "premium");
      return resultsPage(c, job, user, ownerLinks(job.id), false);
    })
    .get("/annotations/:id/results/variants/:vid", async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      assertResultsAvailable(job, user.tier === "premium");
      return variantPage(c, job, user, ownerLinks(job.id).base);
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
        const viewer = user.tier === "premium" ? "premium" : "free";
        while (!closed && job && Date.now() - started < MAX_STREAM_MS) {
          // After COMPLETED the result's lifecycle (archive, restore) is what may still change.
          const life = resultLifecycle(job, viewer, deps.archiveAfterSeconds ?? null);
          const running = job.status === "PENDING" || job.status === "RUNNING";
          const final = !running && !life?.changing;
          const data = JSON.stringify({
            status: job.status,
            progress: job.progress,
            completeTime: job.completeTime?.toISOString() ?? null,
            resultState: life?.state ?? null,
            availableUntil: life?.availableUntil?.toISOString() ?? null,
            restoreStep: life?.restoreStep ?? null,
            final,
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
          if (final) break;
          await stream.sleep(running ? POLL_MS : LIFECYCLE_POLL_MS);
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
          downloads={await jobs.downloads(user, job)}
          archiveAfterSeconds={deps.archiveAfterSeconds ?? null}
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
    .get("/shared/:token", async (c) => {
      const token = c.req.param("token");
      const { job, owner } = await shared(token);
      assertResultsAvailable(job, "shared");
      c.header("x-robots-tag", "noindex");
      c.header("cache-control", "private, no-store");
      return resultsPage(c, job, owner, sharedLinks(token), true);
    })
    .get("/shared/:token/variants/:vid", async (c) => {
      const token = c.req.param("token");
      const { job, owner } = await shared(token);
      assertResultsAvailable(job, "shared");
      c.header("x-robots-tag", "noindex");
      c.header("cache-control", "private, no-store");
      return variantPage(c, job, owner, `/shared/${token}`);
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

/** The query string as parsed by the validators: a parameter given once is a string, a repeated one an array. */
function rawQuery(c: Context<AppEnv>): RawQuery {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}
