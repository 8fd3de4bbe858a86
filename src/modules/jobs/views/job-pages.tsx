/** Pages of the job flow: annotate, confirmation, "My Annotations", the log. Wording follows the original. */
import type { Job, JobStatus } from "../../../ports/job-store.ts";
import type { UploadForm } from "../../../ports/object-store.ts";
import { Layout, formatBytes, formatTime } from "../../../web/layout.tsx";
import type { PageCtx } from "../../../web/page-context.ts";
import type { JobSettings } from "../job-settings.ts";
import { JobSettingsForm } from "./job-identity.tsx";
import { resultLifecycle } from "../result-lifecycle.ts";
import { ResultStateCell } from "./result-lifecycle.tsx";

const BADGE: Record<JobStatus, string> = {
  PENDING: "text-bg-secondary",
  RUNNING: "text-bg-primary",
  COMPLETED: "text-bg-success",
  FAILED: "text-bg-danger",
};

/** A job status as a Bootstrap badge (text, not colour alone, carries the meaning). */
export const StatusBadge = (p: { status: JobStatus; id?: string }) => (
  <span class={`badge ${BADGE[p.status]}`} id={p.id} data-status={p.status}>
    {p.status}
  </span>
);

/** GET /annotate: the signed form posts straight to the object store. */
export function AnnotatePage(p: { ctx: PageCtx; form: UploadForm & { maxBytes: number }; freeMaxBytes: number; settings?: JobSettings }) {
  const free = p.ctx.user?.tier !== "premium";
  return (
    <Layout ctx={p.ctx} title="Annotate" scripts={["annotate-check.js", "upload-form-renew.js"]}>
      <h1 class="h2">Annotate VCF File</h1>
      <p id="limit-note">
        {free ? (
          <>
            Your plan: <strong>Free</strong>. Files up to <strong>{formatBytes(p.freeMaxBytes)}</strong> (
            {p.freeMaxBytes.toLocaleString("en-US")} bytes). <a href="/subscribe">Upgrade to Premium</a> to annotate larger files.
          </>
        ) : (
          <>
            Your plan: <strong>Premium</strong>. No file size limit.
          </>
        )}
      </p>
      {p.settings ? <JobSettingsForm settings={p.settings} /> : null}
      <form
        id="upload-form"
        action={p.form.url}
        method="post"
        enctype="multipart/form-data"
        data-max-bytes={String(p.form.maxBytes)}
        // Seconds left as the server sees it: upload-form-renew.js renews the form before then.
        data-expires-in={String(Math.max(0, Math.floor((p.form.expiresAt.getTime() - Date.now()) / 1000)))}
        class="col-lg-7"
      >
        {Object.entries(p.form.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <div class="mb-3">
          <label class="form-label" for="vcf-file">
            Select VCF Input File
          </label>
          <input
            class="form-control"
            type="file"
            id="vcf-file"
            name="file"
            accept=".vcf,.vcf.gz,.gz,text/plain"
            required
            aria-describedby="limit-note"
          />
        </div>
        <div id="too-large" class="alert alert-warning" role="alert" hidden>
          <span id="too-large-detail"></span> Free accounts can annotate files up to {formatBytes(p.freeMaxBytes)}.{" "}
          <a href="/subscribe" class="alert-link">
            Upgrade to Premium
          </a>{" "}
          to annotate larger files, or choose a smaller one.
        </div>
        <button type="submit" class="btn btn-primary">
          Annotate
        </button>
      </form>
      <p class="form-text mt-3">
        This form is valid until{" "}
        <time id="form-expires-at" datetime={p.form.expiresAt.toISOString()}>
          {formatTime(p.form.expiresAt)}
        </time>
        ; while this page is open it renews itself (without JavaScript, reload the page after that).
      </p>
    </Layout>
  );
}

/** GET /annotate/job: confirmation after the upload redirect. */
export function ConfirmPage(p: { ctx: PageCtx; job: Pick<Job, "id" | "name" | "inputFileName"> }) {
  return (
    <Layout ctx={p.ctx} title="Annotation Request Received">
      <h1 class="h2">Annotation Request Received</h1>
      <p>
        Your annotation request <a href={`/annotations/${p.job.id}`}>{p.job.name}</a> was received (ID{" "}
        <span class="font-monospace">{p.job.id}</span>).
      </p>
      <p>
        Input file: <span class="filename">{p.job.inputFileName}</span>. We will email you when it is done.
      </p>
    </Layout>
  );
}

/** GET /annotations: "My Annotations", newest first, a page at a time (`older`: the next page's URL, or null). */
export function JobListPage(p: { ctx: PageCtx; jobs: Job[]; page: number; older: string | null; archiveAfterSeconds?: number | null }) {
  const viewer = p.ctx.user?.tier === "premium" ? "premium" : "free";
  return (
    <Layout ctx={p.ctx} title="My Annotations">
      <div class="d-flex flex-wrap justify-content-between align-items-center mb-3">
        <h1 class="h2 mb-0">My Annotations</h1>
        <a href="/annotate" class="btn btn-primary">
          Request New Annotation
        </a>
      </div>
      {p.jobs.length === 0 ? (
        <p>No annotations found.</p>
      ) : (
        <div class="table-responsive">
          <table class="table table-hover align-middle">
            <caption>Your annotation jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Request Time</th>
                <th scope="col">VCF File Name</th>
                <th scope="col">Status</th>
                <th scope="col">Results</th>
              </tr>
            </thead>
            <tbody>
              {p.jobs.map((j) => (
                <tr>
                  <td>
                    <a href={`/annotations/${j.id}`} class="job-name" title={`Job ${j.id}`}>
                      {j.name}
                    </a>
                  </td>
                  <td>{formatTime(j.submitTime)}</td>
                  <td class="filename">{j.inputFileName}</td>
                  <td>
                    <StatusBadge status={j.status} />
                  </td>
                  <td class="result-state">
                    <ResultStateCell life={resultLifecycle(j, viewer, p.archiveAfterSeconds ?? null)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.page > 1 || p.older ? (
        <nav aria-label="Annotation pages">
          <ul class="pagination">
            <li class={`page-item${p.page > 1 ? "" : " disabled"}`}>
              {p.page > 1 ? (
                <a class="page-link" href="/annotations" rel="first">
                  Newest
                </a>
              ) : (
                <span class="page-link">Newest</span>
              )}
            </li>
            <li class="page-item active" aria-current="page">
              <span class="page-link">Page {p.page}</span>
            </li>
            <li class={`page-item${p.older ? "" : " disabled"}`}>
              {p.older ? (
                <a class="page-link" href={p.older} rel="next">
                  Older
                </a>
              ) : (
                <span class="page-link">Older</span>
              )}
            </li>
          </ul>
        </nav>
      ) : null}
    </Layout>
  );
}

/** GET /annotations/{id}/log (and the shared view's log). */
export function LogPage(p: { ctx: PageCtx; jobId: string; log: string; back: string }) {
  return (
    <Layout ctx={p.ctx} title={`Annotation Log for Job ${p.jobId}`}>
      <h1 class="h3">Annotation Log for Job {p.jobId}</h1>
      <pre class="log-view" id="log" tabindex={0} role="log" aria-label="Annotation log">
        {p.log}
      </pre>
      <p>
        <a href={p.back}>← back to annotation details</a>
      </p>
    </Layout>
  );
}
