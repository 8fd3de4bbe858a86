/**
 * The job manifest (issue 17 item 3, DESIGN §5): what a result was made from and how, so anyone
 * can reproduce it — the input's checksum, the reference bundle with each file's checksum, the
 * engine's version and commit, every option, and the timings. The annotator writes it beside the
 * results (`<name>.manifest.json`); the job page shows it and offers it for download. Archiving
 * leaves it in place (it is not one of the archived files), so it stays readable.
 */
import type { Job, JobOptions } from "../../ports/job-store.ts";
import { cliFlags } from "./job-settings.ts";

/** One file of the reference bundle, as the annotator read it. */
export interface ReferenceFile {
  role: "manifest" | "fasta" | "genes" | "known";
  /** The file's name (its path inside the bundle; never a server path). */
  file: string;
  bytes: number;
  sha256: string;
}

/** The reference bundle a job ran on. */
export interface ReferenceIdentity {
  name: string;
  build: string;
  files: ReferenceFile[];
}

export interface JobManifest {
  manifest_version: 1;
  job: { id: string; name: string; note: string | null };
  input: { file_name: string; bytes: number; sha256: string };
  reference: ReferenceIdentity;
  engine: { name: "gas"; version: string; commit: string; built_at: string | null };
  options: JobOptions & { command: string };
  timings: {
    submitted: string;
    started: string | null;
    finished: string;
    queued_seconds: number | null;
    annotation_seconds: number;
  };
  counts: { records: number; alleles: number; known: number; novel: number; skipped: number };
}

export interface ManifestInputs {
  job: Pick<Job, "id" | "name" | "note" | "options" | "inputFileName" | "submitTime" | "startTime">;
  input: { bytes: number; sha256: string };
  reference: ReferenceIdentity;
  engine: { version: string; commit: string; builtAt: string | null };
  annotationSeconds: number;
  counts: JobManifest["counts"];
  finished: Date;
}

/** The manifest of a finished job. */
export function buildManifest(m: ManifestInputs): JobManifest {
  const { job } = m;
  const started = job.startTime ? job.startTime.toISOString() : null;
  return {
    manifest_version: 1,
    job: { id: job.id, name: job.name, note: job.note },
    input: { file_name: job.inputFileName, bytes: m.input.bytes, sha256: m.input.sha256 },
    reference: m.reference,
    engine: { name: "gas", version: m.engine.version, commit: m.engine.commit, built_at: m.engine.builtAt },
    options: { ...job.options, command: reproduceCommand(job.inputFileName, job.options) },
    timings: {
      submitted: job.submitTime.toISOString(),
      started,
      finished: m.finished.toISOString(),
      queued_seconds: job.startTime ? Math.max(0, (job.startTime.getTime() - job.submitTime.getTime()) / 1000) : null,
      annotation_seconds: m.annotationSeconds,
    },
    counts: m.counts,
  };
}

/** `gas annotate <file> --ref <bundle> …`: the same run on one's own machine, with the same bundle. */
export function reproduceCommand(inputFileName: string, options: JobOptions): string {
  const quote = (s: string) => (/^[\w.,/=+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  return ["gas", "annotate", quote(inputFileName), "--ref", "<bundle>", ...cliFlags(options)].join(" ");
}

/** A manifest read back from the store; null when the text is not one (a damaged object). */
export function parseManifest(text: string): JobManifest | null {
  try {
    const m = JSON.parse(text) as JobManifest;
    return m && m.manifest_version === 1 && typeof m.input?.sha256 === "string" ? m : null;
  } catch {
    return null;
  }
}
