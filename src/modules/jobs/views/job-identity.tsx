/**
 * A job's identity on its pages (issue 17 item 3): its name and note, the options it ran with,
 * its manifest (what the result was made from), and the owner's "Run again" and "Delete". Also
 * the settings fieldset of the upload page and the delete confirmation page.
 */
import { DEFAULT_JOB_OPTIONS, JOB_PICKS, type Job, type JobOptions } from "../../../ports/job-store.ts";
import { CsrfField, Layout, formatBytes, formatTime } from "../../../web/layout.tsx";
import type { PageCtx } from "../../../web/page-context.ts";
import type { JobManifest } from "../job-manifest.ts";
import { type JobSettings, MAX_JOB_NAME_CHARS, MAX_JOB_NOTE_CHARS, PICK_LABELS } from "../job-settings.ts";

const FIELD_LABELS: Record<string, string> = { "ann,csq": "ANN and CSQ", ann: "ANN (SnpEff) only", csq: "CSQ (VEP) only" };

/** The options in words: "One effect per gene (VEP --per_gene); fields ANN and CSQ". */
export const optionsText = (o: JobOptions) => `${PICK_LABELS[o.pick]}; fields ${FIELD_LABELS[o.fields.join(",")] ?? o.fields.join(", ")}`;

/** Name, note and options rows of the job page's details list. */
export function JobIdentityRows(p: { job: Job }) {
  return (
    <>
      <dt class="col-sm-3">Name</dt>
      <dd class="col-sm-9" id="job-name">
        {p.job.name}
      </dd>
      {p.job.note ? (
        <>
          <dt class="col-sm-3">Note</dt>
          <dd class="col-sm-9 job-note" id="job-note">
            {p.job.note}
          </dd>
        </>
      ) : null}
      <dt class="col-sm-3">Options</dt>
      <dd class="col-sm-9" id="job-options">
        {optionsText(p.job.options)}
      </dd>
    </>
  );
}

/** The manifest, summarised, with its download; `manifest` null: the job has none (yet). */
export function ManifestSection(p: { job: Job; manifest: JobManifest | null }) {
  const m = p.manifest;
  if (!m) return null;
  const base = `/annotations/${p.job.id}`;
  return (
    <section class="mt-4" aria-labelledby="manifest-title" id="job-manifest">
      <h2 class="h4" id="manifest-title">
        Reproducibility
      </h2>
      <p class="text-body-secondary">What this result was made from. The same input, reference and options give the same result.</p>
      <dl class="row">
        <dt class="col-sm-3">Input</dt>
        <dd class="col-sm-9">
          <span class="filename">{m.input.file_name}</span> ({formatBytes(m.input.bytes)}), SHA-256{" "}
          <code id="manifest-input-sha256" class="text-break">
            {m.input.sha256}
          </code>
        </dd>
        <dt class="col-sm-3">Reference</dt>
        <dd class="col-sm-9" id="manifest-reference">
          {m.reference.name} ({m.reference.build})
          {m.reference.files.length > 0 ? (
            <details>
              <summary>{m.reference.files.length} files with their checksums</summary>
              <ul class="list-unstyled small">
                {m.reference.files.map((f) => (
                  <li>
                    <span class="filename">{f.file}</span> ({f.role}, {formatBytes(f.bytes)}) <code class="text-break">{f.sha256}</code>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </dd>
        <dt class="col-sm-3">Engine</dt>
        <dd class="col-sm-9" id="manifest-engine">
          GAS {m.engine.version}, commit <code>{m.engine.commit}</code>
        </dd>
        <dt class="col-sm-3">Command</dt>
        <dd class="col-sm-9">
          <code id="manifest-command">{m.options.command}</code>
        </dd>
        <dt class="col-sm-3">Timings</dt>
        <dd class="col-sm-9">
          submitted {formatTime(new Date(m.timings.submitted))}
          {m.timings.queued_seconds !== null ? `, waited ${m.timings.queued_seconds.toFixed(1)} s` : ""}, annotated in{" "}
          {m.timings.annotation_seconds.toFixed(2)} s
        </dd>
      </dl>
      <p>
        <a href={`${base}/manifest.json`} id="manifest-download" download>
          Download the manifest (JSON)
        </a>
      </p>
    </section>
  );
}

/** "Run again" and "Delete" for the job's owner. */
export function JobActions(p: { ctx: PageCtx; job: Job }) {
  const base = `/annotations/${p.job.id}`;
  return (
    <section class="mt-4 d-flex flex-wrap gap-2" aria-label="Job actions">
      <form method="post" action={`${base}/rerun`}>
        <CsrfField ctx={p.ctx} />
        <button type="submit" class="btn btn-outline-primary" id="run-again">
          Run again
        </button>
      </form>
      <a href={`${base}/delete`} class="btn btn-outline-danger" id="delete-job">
        Delete…
      </a>
    </section>
  );
}

/** GET /annotations/{id}/delete: says what goes, and asks. */
export function DeleteConfirmPage(p: { ctx: PageCtx; job: Job }) {
  const base = `/annotations/${p.job.id}`;
  return (
    <Layout ctx={p.ctx} title="Delete job">
      <h1 class="h2">Delete “{p.job.name}”?</h1>
      <p>
        This deletes the uploaded file <span class="filename">{p.job.inputFileName}</span>, every result file, the results browser's data,
        any archived copy, and the job's share links. It cannot be undone.
      </p>
      <form method="post" action={`${base}/delete`} class="d-flex gap-2">
        <CsrfField ctx={p.ctx} />
        <button type="submit" class="btn btn-danger" id="confirm-delete">
          Delete the job
        </button>
        <a href={base} class="btn btn-outline-secondary">
          Keep it
        </a>
      </form>
    </Layout>
  );
}

/**
 * The upload page's job settings. They travel in the upload's redirect (see AnnotatePage), so
 * they are a form of their own: "Apply" signs a new upload form carrying them.
 */
export function JobSettingsForm(p: { settings: JobSettings }) {
  const o = p.settings.options ?? DEFAULT_JOB_OPTIONS;
  const fields = o.fields.join(",");
  return (
    <form method="get" action="/annotate" id="job-settings" class="col-lg-7 mb-4">
      <fieldset>
        <legend class="h5">Job settings</legend>
        <div class="mb-3">
          <label class="form-label" for="job-name-input">
            Name <span class="text-body-secondary">(optional; default: the file name)</span>
          </label>
          <input class="form-control" id="job-name-input" name="name" maxlength={MAX_JOB_NAME_CHARS} value={p.settings.name ?? ""} />
        </div>
        <div class="mb-3">
          <label class="form-label" for="job-note-input">
            Note <span class="text-body-secondary">(optional)</span>
          </label>
          <textarea class="form-control" id="job-note-input" name="note" rows={2} maxlength={MAX_JOB_NOTE_CHARS}>
            {p.settings.note ?? ""}
          </textarea>
        </div>
        <div class="row g-3 mb-3">
          <div class="col-md-7">
            <label class="form-label" for="job-pick">
              Transcripts
            </label>
            <select class="form-select" id="job-pick" name="pick">
              {JOB_PICKS.map((m) => (
                <option value={m} selected={m === o.pick}>
                  {PICK_LABELS[m]}
                </option>
              ))}
            </select>
          </div>
          <div class="col-md-5">
            <label class="form-label" for="job-fields">
              Annotation fields
            </label>
            <select class="form-select" id="job-fields" name="fields">
              {Object.entries(FIELD_LABELS).map(([value, label]) => (
                <option value={value} selected={value === fields}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" class="btn btn-outline-secondary btn-sm" id="apply-settings">
          Apply settings
        </button>
        <p class="form-text" id="settings-applied">
          Settings apply to the file uploaded below: after changing them, press Apply, then choose the file.
        </p>
      </fieldset>
    </form>
  );
}
