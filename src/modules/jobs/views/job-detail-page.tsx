/**
 * GET /annotations/{id}: "Annotation Details". While the job is PENDING/RUNNING the page carries
 * a server-sent-events URL for job-live.js (and, for browsers without JavaScript, a <noscript>
 * refresh). The part that changes when the job finishes is inside #job-detail, which the script
 * swaps for the finished page's.
 */
import type { Job, JobSummary } from "../../../ports/job-store.ts";
import type { JobManifest } from "../job-manifest.ts";
import { JobActions, JobIdentityRows, ManifestSection } from "./job-identity.tsx";
import { Alert, CsrfField, Layout, formatBytes, formatTime } from "../../../web/layout.tsx";
import type { PageCtx } from "../../../web/page-context.ts";
import { SHARE_DAYS, type ShareLink } from "../../sharing/index.ts";
import type { DownloadEntry } from "../job-downloads.ts";
import { type ResultLifecycle, resultLifecycle } from "../result-lifecycle.ts";
import { StatusBadge } from "./job-pages.tsx";
import { ResultLifecycleNotice } from "./result-lifecycle.tsx";
import { BarChart, barsOf, impactBars } from "./summary-chart.tsx";

/**
 * Every download of a job with its size (job-downloads.ts): links relative to `base`, the job's
 * page (`/annotations/{id}`) or a share link (`/shared/{token}`). The log is left out when
 * `withLog` is false (the page shows it in its own row).
 */
export function DownloadList(p: { downloads: DownloadEntry[]; base: string; withLog?: boolean }) {
  const shown = p.downloads.filter((d) => p.withLog !== false || d.kind !== "log");
  return (
    <ul class="list-unstyled mb-0" id="job-downloads">
      {shown.map((d) => (
        <li data-download={d.kind}>
          <a href={`${p.base}/${d.path}`} class="filename" download>
            {d.fileName}
          </a>{" "}
          <span class="text-body-secondary">
            {d.size !== null ? <span class="download-size">{formatBytes(d.size)}</span> : null}
            {d.size !== null ? " · " : ""}
            {d.description}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Progress(p: { job: Job }) {
  const pr = p.job.progress;
  const pct = pr && pr.totalBytes > 0 ? Math.floor((100 * pr.bytesRead) / pr.totalBytes) : null;
  const text = pr?.split
    ? `${pr.split.done} of ${pr.split.chunks} chunks done (split across the annotators), ${pr.records} records annotated, ${pr.split.variantsPerSecond} variants/s`
    : pr
      ? `${pct !== null ? `${pct}% of the input, ` : ""}${pr.records} records annotated`
      : p.job.status === "PENDING"
        ? "Waiting in the queue for an annotator…"
        : "Annotating…";
  return (
    <div class="mb-3 col-lg-7" id="job-progress-box">
      <progress
        id="job-progress"
        max={pr?.totalBytes || 1}
        value={pr ? Math.min(pr.bytesRead, pr.totalBytes || 1) : 0}
        hidden={!pr ? true : undefined}
        aria-label="Annotation progress"
      ></progress>
      <div id="job-progress-text" class="small text-body-secondary">
        {text}
      </div>
    </div>
  );
}

function Shares(p: { ctx: PageCtx; job: Job; shares: ShareLink[]; created: { url: string; expiresAt: Date } | null }) {
  const now = Date.now();
  const live = p.shares.filter((s) => !s.revokedAt && s.expiresAt.getTime() > now);
  return (
    <section class="mt-5" aria-labelledby="sharing">
      <h2 class="h4" id="sharing">
        Share the results
      </h2>
      <p class="text-body-secondary">
        A share link gives read-only access to this job's results page and downloads to anyone who has it, until it expires or you revoke
        it.
      </p>
      {p.created ? (
        <div class="alert alert-success" role="status">
          <label class="form-label" for="share-url">
            New share link (copy it now; it is not shown again), valid until {formatTime(p.created.expiresAt)}:
          </label>
          <input class="form-control font-monospace" id="share-url" value={p.created.url} readonly />
        </div>
      ) : null}
      <form method="post" action={`/annotations/${p.job.id}/shares`} class="row g-2 align-items-end mb-3">
        <CsrfField ctx={p.ctx} />
        <div class="col-auto">
          <label class="form-label" for="share-days">
            Valid for
          </label>
          <select class="form-select" id="share-days" name="days">
            {SHARE_DAYS.map((d) => (
              <option value={String(d)} selected={d === 7}>
                {d === 1 ? "1 day" : `${d} days`}
              </option>
            ))}
          </select>
        </div>
        <div class="col-auto">
          <button type="submit" class="btn btn-outline-primary">
            Create share link
          </button>
        </div>
      </form>
      {live.length > 0 ? (
        <ul class="list-group col-lg-8">
          {live.map((s) => (
            <li class="list-group-item d-flex justify-content-between align-items-center">
              <span>
                Link created {formatTime(s.createdAt)}, expires {formatTime(s.expiresAt)}
              </span>
              <form method="post" action={`/annotations/${p.job.id}/shares/${s.id}/revoke`}>
                <CsrfField ctx={p.ctx} />
                <button type="submit" class="btn btn-sm btn-outline-danger">
                  Revoke
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/**
 * The job's summary charts: variants by most severe consequence and by highest impact, each bar a
 * link to the results filtered to it (while the results are browsable); the per variant ×
 * transcript counts apart, labelled as such.
 */
function JobCharts(p: { summary: JobSummary; results: string | null }) {
  const s = p.summary;
  const link = (param: string) => (p.results ? (v: string) => `${p.results}?${param}=${encodeURIComponent(v)}` : undefined);
  return (
    <>
      <div class="row">
        <div class="col-lg-7">
          <BarChart
            title="Variants by most severe consequence"
            counts="variants"
            id="job-chart-most-severe"
            bars={barsOf(s.byMostSevere ?? {}, link("consequence"))}
          />
        </div>
        <div class="col-lg-5">
          <BarChart
            title="Variants by highest impact"
            counts="variants"
            id="job-chart-impact"
            labelWidth={110}
            bars={impactBars(s.byImpact, link("impact"))}
          />
        </div>
      </div>
      <details class="mb-3">
        <summary>Counts per variant × transcript row (every term of every effect)</summary>
        <BarChart
          title="Variant × transcript rows by consequence term"
          counts="variant × transcript rows"
          id="job-chart-rows-consequence"
          bars={barsOf(s.byConsequence)}
        />
      </details>
    </>
  );
}

/**
 * The job's details; `shares` is null on shared (read-only) views. `downloads` lists every file
 * with its size (without it, the single result link of old).
 */
export function JobDetailPage(p: {
  ctx: PageCtx;
  job: Job;
  shares: ShareLink[];
  createdShare: { url: string; expiresAt: Date } | null;
  downloads?: DownloadEntry[];
  /** The owner's view: name, note and options, the manifest (null: none yet), Run again and Delete. Absent on shared views. */
  owner?: { manifest: JobManifest | null };
  /** ARCHIVE_AFTER, for a free user's "available until" (absent: not promised). */
  archiveAfterSeconds?: number | null;
}) {
  const j = p.job;
  const live = j.status === "PENDING" || j.status === "RUNNING";
  const life: ResultLifecycle | null = resultLifecycle(
    j,
    p.ctx.user?.tier === "premium" ? "premium" : "free",
    p.archiveAfterSeconds ?? null,
  );
  // The events stream runs while the job runs and while its result may still move (archive, restore).
  const watch = live || !!life?.changing;
  const base = `/annotations/${j.id}`;
  const resultHere = j.resultState === null || j.resultState === "AVAILABLE";
  const logDownload = p.downloads?.find((d) => d.kind === "log");
  return (
    <Layout
      ctx={p.ctx}
      title="Annotation Details"
      scripts={watch ? ["job-live.js"] : []}
      head={
        live || life?.restoreStep ? (
          <noscript>
            <meta http-equiv="refresh" content="5" />
          </noscript>
        ) : null
      }
    >
      <h1 class="h2">Annotation Details</h1>
      <div id="job-live-region" class="visually-hidden" aria-live="polite"></div>
      <div id="job-detail" data-job-events={watch ? `${base}/events` : undefined} data-result-state={life?.state}>
        <dl class="row">
          <dt class="col-sm-3">Request ID</dt>
          <dd class="col-sm-9 font-monospace">{j.id}</dd>
          <dt class="col-sm-3">Request Time</dt>
          <dd class="col-sm-9">{formatTime(j.submitTime)}</dd>
          {p.owner ? <JobIdentityRows job={j} /> : null}
          <dt class="col-sm-3">VCF Input File</dt>
          <dd class="col-sm-9">
            <a href={`${base}/input`} class="filename" download>
              {j.inputFileName}
            </a>
          </dd>
          <dt class="col-sm-3">Status</dt>
          <dd class="col-sm-9">
            <StatusBadge status={j.status} id="job-status" />
            {life && life.state !== "available" ? (
              <span class={`badge ms-1 ${life.state === "archived" ? "text-bg-warning" : "text-bg-info"}`} id="job-result-state">
                {life.state === "archived" ? "ARCHIVED" : "RESTORING"}
              </span>
            ) : null}
          </dd>
          {j.completeTime ? (
            <>
              <dt class="col-sm-3">Complete Time</dt>
              <dd class="col-sm-9">{formatTime(j.completeTime)}</dd>
            </>
          ) : null}
          {j.status === "COMPLETED" ? (
            <>
              <dt class="col-sm-3">Annotated Results Files</dt>
              <dd class="col-sm-9" id="result-download" data-result-state={j.resultState ?? undefined}>
                {resultHere ? (
                  p.downloads ? (
                    <DownloadList downloads={p.downloads} base={base} withLog={false} />
                  ) : (
                    <a href={`${base}/result`} download>
                      download
                    </a>
                  )
                ) : null}
                {life ? <ResultLifecycleNotice life={life} /> : null}
              </dd>
              <dt class="col-sm-3">Results Browser</dt>
              <dd class="col-sm-9">
                {resultHere ? (
                  <a href={`${base}/results`}>browse and filter the variants</a>
                ) : (
                  <span>available again once the results are restored</span>
                )}
              </dd>
              <dt class="col-sm-3">Annotation Log File</dt>
              <dd class="col-sm-9">
                <a href={`${base}/log`}>view</a>
                {logDownload ? (
                  <>
                    {" · "}
                    <a href={`${base}/${logDownload.path}`} download>
                      download
                    </a>
                    {logDownload.size !== null ? <span class="text-body-secondary"> ({formatBytes(logDownload.size)})</span> : null}
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
        </dl>
        {live ? <Progress job={j} /> : null}
        {j.status === "FAILED" ? <Alert kind="danger">{j.failureReason ?? "The job failed."}</Alert> : null}
        {j.status === "COMPLETED" && j.summary ? (
          <section aria-labelledby="summary">
            <h2 class="h4" id="summary">
              Summary
            </h2>
            <p>
              {j.summary.records.toLocaleString("en-US")} records, {j.summary.known.toLocaleString("en-US")} known and{" "}
              {j.summary.novel.toLocaleString("en-US")} novel alleles, annotated in {j.summary.seconds.toFixed(1)} s.
            </p>
            <JobCharts summary={j.summary} results={resultHere ? `${base}/results` : null} />
          </section>
        ) : null}
        {j.status === "COMPLETED" ? <Shares ctx={p.ctx} job={j} shares={p.shares} created={p.createdShare} /> : null}
        {p.owner ? <ManifestSection job={j} manifest={p.owner.manifest} /> : null}
        {p.owner ? <JobActions ctx={p.ctx} job={j} /> : null}
      </div>
      <p class="mt-4">
        <a href="/annotations">← back to annotations list</a>
      </p>
    </Layout>
  );
}
