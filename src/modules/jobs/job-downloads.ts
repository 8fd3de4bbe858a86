/**
 * What a completed job offers for download, and where each comes from. A job of today stores its
 * annotated VCF as BGZF (`<name>.annot.vcf.gz`, tabix-indexed): it offers that file, its `.tbi`,
 * the plain `<name>.annot.vcf` users knew (decompressed as it downloads) and the count log. A job
 * from before stored the plain VCF: it offers that and the log, as it always did.
 */
import type { Job } from "../../ports/job-store.ts";
import { indexKeyOf, isBgzfResult } from "./job-keys.ts";

export const DOWNLOAD_KINDS = ["vcf.gz", "tbi", "vcf", "log"] as const;
export type DownloadKind = (typeof DOWNLOAD_KINDS)[number];

/** One download: the stored object it comes from and how it is served. */
export interface DownloadSource {
  kind: DownloadKind;
  /** The object in the results store. */
  key: string;
  /** What the browser saves it as. */
  fileName: string;
  contentType: string;
  /** Served gunzipped (the plain VCF of a BGZF job). */
  gunzip: boolean;
  /** The URL path under the job's page (`/annotations/{id}/…`) or share link (`/shared/{token}/…`). */
  path: string;
  description: string;
}

/** A download as the job page lists it: with its size in bytes (null when unknown). */
export interface DownloadEntry extends DownloadSource {
  size: number | null;
}

/** The URL path of each kind. `result` stays the stored annotated VCF, as API clients know it. */
export const DOWNLOAD_PATHS: Record<DownloadKind, string> = { "vcf.gz": "result", tbi: "result.tbi", vcf: "result.vcf", log: "log.txt" };

const nameOf = (key: string) => key.slice(key.indexOf("~") + 1);

/** The downloads a job offers (none before it completes). */
export function downloadSources(job: Job): DownloadSource[] {
  const out: DownloadSource[] = [];
  if (job.status !== "COMPLETED") return out;
  if (job.resultKey && isBgzfResult(job.resultKey)) {
    const gz = nameOf(job.resultKey);
    out.push(
      {
        kind: "vcf.gz",
        key: job.resultKey,
        fileName: gz,
        contentType: "application/gzip",
        gunzip: false,
        path: DOWNLOAD_PATHS["vcf.gz"],
        description: "annotated VCF, bgzip-compressed (BGZF) for tabix, bcftools and IGV",
      },
      {
        kind: "tbi",
        key: indexKeyOf(job.resultKey),
        fileName: `${gz}.tbi`,
        contentType: "application/octet-stream",
        gunzip: false,
        path: DOWNLOAD_PATHS.tbi,
        description: "its tabix index (keep it beside the .vcf.gz)",
      },
      {
        kind: "vcf",
        key: job.resultKey,
        fileName: gz.replace(/\.gz$/, ""),
        contentType: "text/plain; charset=utf-8",
        gunzip: true,
        path: DOWNLOAD_PATHS.vcf,
        description: "annotated VCF as plain text (decompressed as it downloads)",
      },
    );
  } else if (job.resultKey) {
    out.push({
      kind: "vcf",
      key: job.resultKey,
      fileName: nameOf(job.resultKey),
      contentType: "text/plain; charset=utf-8",
      gunzip: false,
      // Old jobs: `result` is this very file, as before; result.vcf serves it too.
      path: "result",
      description: "annotated VCF",
    });
  }
  if (job.logKey) {
    out.push({
      kind: "log",
      key: job.logKey,
      fileName: nameOf(job.logKey),
      contentType: "text/plain; charset=utf-8",
      gunzip: false,
      path: DOWNLOAD_PATHS.log,
      description: "counts per consequence, warnings and timings",
    });
  }
  return out;
}

/** The source behind one kind; for an old job, `vcf.gz` (its `result` path) is its plain VCF. */
export function downloadSource(job: Job, kind: DownloadKind): DownloadSource | null {
  const all = downloadSources(job);
  return all.find((d) => d.kind === kind) ?? (kind === "vcf.gz" ? (all.find((d) => d.kind === "vcf") ?? null) : null);
}
