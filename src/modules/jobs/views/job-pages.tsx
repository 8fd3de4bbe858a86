/** Minimal pages for the job flow (issue 4 brings the full UI); wording follows the original. */
import type { Job } from "../../../ports/job-store.ts";
import type { UploadForm } from "../../../ports/object-store.ts";
import { Layout } from "../../../web/layout.tsx";
import type { User } from "../../accounts/index.ts";

const time = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "");

/** GET /annotate: the signed form posts straight to the object store. */
export function AnnotatePage(p: { user: User; form: UploadForm & { maxBytes: number } }) {
  return (
    <Layout title="Annotate" user={p.user}>
      <h1>Annotate VCF File</h1>
      <form action={p.form.url} method="post" enctype="multipart/form-data">
        {Object.entries(p.form.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <label>
          Select VCF Input File <input type="file" name="file" accept=".vcf,.vcf.gz,.gz,text/plain" required />
        </label>{" "}
        <button type="submit">Annotate</button>
      </form>
      <p>
        {p.user.tier === "free"
          ? `Free accounts can upload files up to ${Math.floor(p.form.maxBytes / 1024)} KB.`
          : "Premium: no size limit."}{" "}
        This form expires at {time(p.form.expiresAt)}.
      </p>
    </Layout>
  );
}

/** GET /annotate/job: confirmation after the upload redirect. */
export function ConfirmPage(p: { user: User; job: Pick<Job, "id"> }) {
  return (
    <Layout title="Annotation Request Received" user={p.user}>
      <h1>Annotation Request Received</h1>
      <p>
        Your annotation request was received and assigned ID <a href={`/annotations/${p.job.id}`}>{p.job.id}</a>.
      </p>
    </Layout>
  );
}

/** GET /annotations: "My Annotations". */
export function JobListPage(p: { user: User; jobs: Job[] }) {
  return (
    <Layout title="My Annotations" user={p.user}>
      <h1>My Annotations</h1>
      <p>
        <a href="/annotate">Request New Annotation</a>
      </p>
      {p.jobs.length === 0 ? (
        <p>No annotations found.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Request ID</th>
              <th>Request Time</th>
              <th>VCF File Name</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {p.jobs.map((j) => (
              <tr>
                <td>
                  <a href={`/annotations/${j.id}`}>{j.id}</a>
                </td>
                <td>{time(j.submitTime)}</td>
                <td>{j.inputFileName}</td>
                <td>{j.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** GET /annotations/{id}: "Annotation Details". Refreshes itself while the job is not finished. */
export function JobDetailPage(p: { user: User; job: Job }) {
  const j = p.job;
  const live = j.status === "PENDING" || j.status === "RUNNING";
  return (
    <Layout title="Annotation Details" user={p.user}>
      {live ? <meta http-equiv="refresh" content="3" /> : null}
      <h1>Annotation Details</h1>
      <dl>
        <dt>Request ID</dt>
        <dd>{j.id}</dd>
        <dt>Request Time</dt>
        <dd>{time(j.submitTime)}</dd>
        <dt>VCF Input File</dt>
        <dd>
          <a href={`/annotations/${j.id}/input`}>{j.inputFileName}</a>
        </dd>
        <dt>Status</dt>
        <dd data-status={j.status}>{j.status}</dd>
        {j.completeTime ? (
          <>
            <dt>Complete Time</dt>
            <dd>{time(j.completeTime)}</dd>
          </>
        ) : null}
        {j.status === "FAILED" ? (
          <>
            <dt>Reason</dt>
            <dd role="alert">{j.failureReason}</dd>
          </>
        ) : null}
        {j.status === "COMPLETED" ? (
          <>
            <dt>Annotated Results File</dt>
            <dd>
              <a href={`/annotations/${j.id}/result`}>download</a>
            </dd>
            <dt>Annotation Log File</dt>
            <dd>
              <a href={`/annotations/${j.id}/log`}>view</a>
            </dd>
          </>
        ) : null}
      </dl>
      <p>
        <a href="/annotations">← back to annotations list</a>
      </p>
    </Layout>
  );
}

/** GET /annotations/{id}/log. */
export function LogPage(p: { user: User; jobId: string; log: string }) {
  return (
    <Layout title={`Annotation Log for Job ${p.jobId}`} user={p.user}>
      <h1>Annotation Log for Job {p.jobId}</h1>
      <pre>{p.log}</pre>
      <p>
        <a href={`/annotations/${p.jobId}`}>← back to annotation details</a>
      </p>
    </Layout>
  );
}
