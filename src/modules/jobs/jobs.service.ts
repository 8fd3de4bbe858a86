/**
 * Job use cases for the web role: the signed upload form, creating a job from an uploaded file,
 * listing and reading jobs. Every read checks ownership and answers NOT_FOUND for another user's
 * job, so ids of others' jobs cannot even be confirmed to exist.
 */
import type { SplitStore } from "../../ports/split-store.ts";
import { randomUUID } from "node:crypto";
import { DEFAULT_JOB_OPTIONS, type Job, type JobCursor, type JobStore } from "../../ports/job-store.ts";
import type { ObjectInfo, ObjectStore, StoredObject, UploadForm } from "../../ports/object-store.ts";
import type { Topic } from "../../ports/queue.ts";
import { AppError } from "../../shared/errors.ts";
import type { User } from "../accounts/index.ts";
import { type DownloadEntry, type DownloadKind, downloadSource, downloadSources } from "./job-downloads.ts";
import { DELETED_REASON } from "./job-deletion.ts";
import { isJobId, parseInputKey } from "./job-keys.ts";
import { type JobManifest, parseManifest } from "./job-manifest.ts";
import { type JobSettings, optionsProblem } from "./job-settings.ts";
import { fileNameProblem } from "./input-file-name.ts";
import { type Plans, resultQuotaProblem } from "./plan-limits.ts";

export interface JobsServiceDeps {
  jobs: JobStore;
  inputs: ObjectStore;
  results: ObjectStore;
  topic: Topic;
  limits: { freeMaxUploadBytes: number; uploadPolicySeconds: number; plans?: Plans; archiveAfterSeconds?: number };
  /** Split jobs' chunks (split/split-job.ts): a running split job's progress is read there. */
  splits?: Pick<SplitStore, "get">;
}

/** Premium uploads are unbounded in the product; the policy still needs a number (S3's own cap). */
const PREMIUM_MAX_UPLOAD_BYTES = 5 * 1024 ** 4;

/** Whose job: a signed-in user, or the owner named by a share link. */
export type Owner = Pick<User, "id">;
/** What submitting needs to know of a user: who, and which tier's limits apply. */
export type Submitter = Pick<User, "id" | "tier">;

/**
 * Lifetime of a store's download URL (a presigned S3 GET). Short: it is used at once, by the
 * redirect that hands it out; S3 checks it when the download starts, so large files still finish.
 */
const DOWNLOAD_URL_SECONDS = 300;

/** A download to serve: a URL to send the browser to, or the bytes to stream. */
export type DownloadResponse =
  | { url: string }
  | { fileName: string; contentType: string; body: ReadableStream<Uint8Array>; size: number | null };

export const uploadLimit = (user: Submitter, freeMax: number) => (user.tier === "premium" ? PREMIUM_MAX_UPLOAD_BYTES : freeMax);

/** Create the jobs service. */
export function createJobsService(deps: JobsServiceDeps) {
  const { jobs, inputs, results, topic, limits } = deps;
  const reannounce = createReannounceLimiter(60_000);

  async function owned(user: Owner, id: string): Promise<Job> {
    const job = isJobId(id) ? await jobs.get(id) : null;
    // A deleted job is gone for its owner too, while the archiver removes its files.
    if (!job || job.userId !== user.id || job.deletedAt) throw new AppError("NOT_FOUND", `Annotation job ${id} was not found`);
    return job.status === "RUNNING" && deps.splits ? withSplitProgress(job, deps.splits) : job;
  }

  const service = {
    /** The free tier's upload limit (pages show it). */
    freeMaxUploadBytes: limits.freeMaxUploadBytes,

    /** The signed form of GET /annotate: key `<user>/<new job uuid>~${filename}`. */
    async uploadForm(user: Submitter, successRedirect: string): Promise<UploadForm & { maxBytes: number }> {
      const maxBytes = uploadLimit(user, limits.freeMaxUploadBytes);
      const form = await inputs.createUploadForm({
        key: `${user.id}/${randomUUID()}~\${filename}`,
        keyPrefix: `${user.id}/`,
        maxBytes,
        successRedirect,
        expiresInSeconds: limits.uploadPolicySeconds,
      });
      return { ...form, maxBytes };
    },

    /**
     * Create the job for an uploaded input (the redirect after upload, or POST /annotations) and
     * publish job.requested. Idempotent: a reloaded redirect returns the same job.
     */
    async submit(
      user: Submitter,
      inputKey: string,
      settings?: JobSettings,
    ): Promise<Pick<Job, "id" | "name" | "status" | "inputKey" | "inputFileName" | "submitTime">> {
      const key = inputKey.startsWith(`${user.id}/`) ? inputKey : `${user.id}/${inputKey}`;
      const parts = parseInputKey(key);
      if (!parts || parts.userId !== user.id) {
        throw new AppError(
          "INVALID_INPUT",
          `input_file ${JSON.stringify(inputKey)} is not one of your uploads (expected "<job uuid>~<file name>", see GET /annotate/files)`,
        );
      }
      const nameProblem = fileNameProblem(parts.fileName);
      if (nameProblem) {
        throw new AppError(
          "INVALID_INPUT",
          `The file name ${JSON.stringify(parts.fileName)} cannot be used: ${nameProblem}. Rename the file and upload it again.`,
        );
      }
      const object = await inputs.head(key);
      const max = uploadLimit(user, limits.freeMaxUploadBytes);
      if (object && object.size > max) {
        // Checked again here because the upload policy is only as strict as the store enforcing it.
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `${parts.fileName} is ${object.size} bytes; free accounts can annotate files up to ${max} bytes. Upgrade to Premium to annotate larger files.`,
        );
      }
      // A user at their stored-results quota starts no new job (plan-limits.ts). A reload of an
      // earlier submit still finds its job below: only a new job is refused.
      const overQuota =
        object && limits.plans && limits.plans[user.tier].maxResultBytes > 0 && !(await jobs.get(parts.jobId))
          ? resultQuotaProblem(limits.plans, user.tier, (await jobs.usage(user.id)).resultBytes, limits.archiveAfterSeconds ?? 0)
          : null;
      if (overQuota) throw new AppError("FORBIDDEN", overQuota);
      const options = settings?.options ?? { ...DEFAULT_JOB_OPTIONS };
      const problem = optionsProblem(options);
      if (problem) throw new AppError("INVALID_INPUT", `These options cannot be used together: ${problem}.`);
      const fresh = {
        id: parts.jobId,
        userId: user.id,
        inputFileName: parts.fileName,
        inputKey: key,
        submitTime: new Date(),
        name: settings?.name ?? parts.fileName,
        note: settings?.note ?? null,
        options,
      };
      const announce = (job: Pick<Job, "id" | "inputFileName" | "submitTime">) =>
        ({
          topic: "job.requested",
          message: {
            jobId: job.id,
            userId: user.id,
            inputKey: key,
            inputFileName: job.inputFileName,
            submitTime: job.submitTime.toISOString(),
          },
        }) as const;
      // The common path is one round trip where the store announces atomically (PostgreSQL), else
      // insert then publish; only a reload or a retry reads the existing job.
      if (object) {
        const created = jobs.createAndAnnounce ? await jobs.createAndAnnounce(fresh, announce(fresh)) : await jobs.create(fresh);
        if (created) {
          if (!jobs.createAndAnnounce) await topic.publish("job.requested", announce(fresh).message);
          return { ...fresh, status: "PENDING" as const };
        }
      }
      const job = await jobs.get(parts.jobId);
      if (!job || job.userId !== user.id || job.deletedAt) {
        throw new AppError("NOT_FOUND", `input file ${parts.fileName} was not found; upload it first (GET /annotate)`);
      }
      // One upload form is one job (the job id is in the form's key): a second file posted with
      // the same form is refused here, on every backend (S3 lets a form be posted again), rather
      // than answered with the first file's job as if it were the second's.
      if (job.inputKey !== key) {
        throw new AppError(
          "CONFLICT",
          `This upload form was already used for ${job.inputFileName} (job ${job.id}); ${parts.fileName} was not submitted. Open the upload page again for each file.`,
        );
      }
      // A reload of the upload redirect, or a retried POST, is the same submit (issue 13 item 8:
      // 300 reloads enqueued 300 requests). Where the insert and its announcement are one step
      // (createAndAnnounce), nothing is sent again. Otherwise the first publish may have been lost
      // after the insert, so a reload of a job still PENDING sends it again, at most once a
      // minute per job and web process.
      if (job.status === "PENDING" && !jobs.createAndAnnounce && reannounce.due(job.id)) {
        await topic.publish("job.requested", announce(job).message);
      }
      return job;
    },

    /**
     * Store a file sent straight to POST /annotations (multipart) as a new input of `user`, cut
     * off at their plan's upload limit while it streams (the same limit the upload policy sets),
     * and return its key for `submit`. Nothing is kept when it is refused.
     */
    async storeUpload(user: Submitter, fileName: string, body: ReadableStream<Uint8Array>): Promise<string> {
      const nameProblem = fileNameProblem(fileName);
      if (nameProblem) {
        throw new AppError(
          "INVALID_INPUT",
          `The file name ${JSON.stringify(fileName)} cannot be used: ${nameProblem}. Rename the file and send it again.`,
        );
      }
      const max = uploadLimit(user, limits.freeMaxUploadBytes);
      const key = `${user.id}/${randomUUID()}~${fileName}`;
      let size = 0;
      const capped = body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            size += chunk.byteLength;
            if (size > max) {
              throw new AppError(
                "PAYLOAD_TOO_LARGE",
                `${fileName} is larger than ${max} bytes, the most ${user.tier === "premium" ? "an upload" : "a free account's upload"} may hold.${user.tier === "premium" ? "" : " Upgrade to Premium to annotate larger files."}`,
              );
            }
            controller.enqueue(chunk);
          },
        }),
      );
      await inputs.put(key, capped);
      return key;
    },

    /**
     * Delete a job (job-deletion.ts): from the moment this returns the job is gone for its owner
     * (404, out of the list); the archiver then removes its input, result files, archive and
     * record. Idempotent: a job already gone (or another user's, which this never touches) is not
     * an error, so a retried DELETE answers the same, and one whose job.delete was lost (the
     * publish failed after the mark) publishes it again. A PENDING or RUNNING job is first marked
     * FAILED, so no annotator starts it, and one running it loses its claim and stops.
     *
     * The message goes before the mark: a publish that fails leaves the job as it was (the owner
     * sees an error and can try again), and a worker that is quicker than the mark marks the job
     * itself. Returns the job as it was, or null when there was none of the user's.
     */
    async remove(user: Owner, id: string): Promise<Job | null> {
      const job = isJobId(id) ? await jobs.get(id) : null;
      if (!job || job.userId !== user.id) return null;
      if (job.status === "PENDING" || job.status === "RUNNING") await jobs.fail(job.id, null, DELETED_REASON);
      await topic.publish("job.delete", { jobId: job.id, userId: job.userId });
      await jobs.markDeleted(job.id);
      return job;
    },

    /**
     * "Run again": a new job on a copy of the same input, with the same name, note and options.
     * The copy gives the new job its own input (keys carry the job id), so deleting either job
     * leaves the other whole. The plan's limits apply as to any new job.
     */
    async rerun(user: Submitter, id: string) {
      const job = await owned(user, id);
      const input = await inputs.get(job.inputKey);
      if (!input) throw new AppError("NOT_FOUND", `The input file of job ${id} is no longer stored; upload ${job.inputFileName} again.`);
      const key = `${user.id}/${randomUUID()}~${job.inputFileName}`;
      await inputs.put(key, input.stream());
      return service.submit(user, key, { name: job.name, note: job.note, options: job.options });
    },

    /** The job manifest as stored (text) and parsed; null while the job has none. */
    async manifest(user: Owner, id: string): Promise<{ text: string; manifest: JobManifest | null } | null> {
      const job = await owned(user, id);
      if (!job.manifestKey) return null;
      const obj = await results.get(job.manifestKey);
      if (!obj) return null;
      const text = await new Response(obj.stream()).text();
      return { text, manifest: parseManifest(text) };
    },

    /** Newest first; `limit` bounds the read (pages are cut from it). */
    list: (user: Owner, opts?: { limit?: number }) => jobs.listByUser(user.id, opts),
    /** One page of the user's jobs, newest first, after `after` (JobStore.pageByUser). */
    page: (user: Owner, opts: { limit: number; after: JobCursor | null }) => jobs.pageByUser(user.id, opts),
    get: owned,

    /** The user's uploaded inputs (GET /annotate/files). */
    async listInputs(user: Submitter): Promise<ObjectInfo[]> {
      return inputs.list(`${user.id}/`);
    },

    /** The `.count.log` text, or null while the job has none. */
    async log(user: Owner, id: string): Promise<string | null> {
      const job = await owned(user, id);
      if (!job.logKey) return null;
      const obj = await results.get(job.logKey);
      return obj ? new Response(obj.stream()).text() : null;
    },

    /** A result file of a COMPLETED job: `vcf` (the annotated VCF), `json` (rows), or the input. */
    async file(user: Owner, id: string, which: "vcf" | "json" | "input"): Promise<{ name: string; object: StoredObject }> {
      const job = await owned(user, id);
      const key = which === "input" ? job.inputKey : which === "vcf" ? job.resultKey : job.rowsKey;
      const object = key ? await (which === "input" ? inputs : results).get(key) : null;
      if (!key || !object) throw new AppError("NOT_FOUND", `No ${which === "input" ? "input" : "result"} file is available for job ${id}`);
      return { name: key.slice(key.indexOf("~") + 1), object };
    },

    /** What a job offers for download, each with its size (null when unknown); [] before it completes. */
    async downloads(user: Owner, job: Job): Promise<DownloadEntry[]> {
      if (job.userId !== user.id) throw new AppError("NOT_FOUND", `Annotation job ${job.id} was not found`);
      const sources = downloadSources(job);
      const sizes = await Promise.all(sources.map((d) => (d.gunzip ? null : results.head(d.key))));
      return sources.flatMap((d, i) => {
        if (d.gunzip) return [{ ...d, size: job.summary?.plainVcfBytes ?? null }];
        const info = sizes[i];
        return info ? [{ ...d, size: info.size }] : []; // not stored (an index the engine could not build)
      });
    },

    /**
     * One download of a job (callers check the result is not archived). Where the store offers
     * download URLs (S3) the browser is sent there and the web fleet never carries the bytes. The
     * plain VCF of a BGZF job is the exception: it is gunzipped here as it streams (bounded
     * memory, one 64 KiB block at a time), because keeping a plain copy would store ~16x the
     * bytes of the .vcf.gz for every job for a download few ask for, while inflating costs the
     * web role about a core-second per 300 MB served.
     */
    async download(user: Owner, job: Job, kind: DownloadKind): Promise<DownloadResponse> {
      if (job.userId !== user.id) throw new AppError("NOT_FOUND", `Annotation job ${job.id} was not found`);
      const d = downloadSource(job, kind);
      const missing = () =>
        new AppError(
          "NOT_FOUND",
          `Job ${job.id} has no ${kind === "tbi" ? "tabix index" : kind === "log" ? "log" : "result file"} to download`,
        );
      if (!d) throw missing();
      if (!d.gunzip && results.downloadUrl) {
        // A missing object would show the store's own error page: answer our 404 instead.
        if (!(await results.head(d.key))) throw missing();
        const url = await results.downloadUrl(d.key, {
          fileName: d.fileName,
          contentType: d.contentType,
          expiresSeconds: DOWNLOAD_URL_SECONDS,
        });
        if (url) return { url };
      }
      const object = await results.get(d.key);
      if (!object) throw missing();
      if (!d.gunzip) return { fileName: d.fileName, contentType: d.contentType, body: object.stream(), size: object.size };
      // DOM's typing says BufferSource in; the store's chunks are Uint8Array, which it accepts.
      const gunzip = new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
      const body = object.stream().pipeThrough(gunzip);
      return { fileName: d.fileName, contentType: d.contentType, body, size: job.summary?.plainVcfBytes ?? null };
    },
  };
  return service;
}

export type JobsService = ReturnType<typeof createJobsService>;

/**
 * A running job split into chunks reports its progress in the SplitStore (the annotators on its
 * chunks hold no claim on the job to report with): chunks done of all, variants/s so far.
 */
async function withSplitProgress(job: Job, splits: Pick<SplitStore, "get">): Promise<Job> {
  const split = await splits.get(job.id);
  if (!split) return job;
  const seconds = (Date.now() - split.startedAt.getTime()) / 1000;
  return {
    ...job,
    progress: {
      records: split.recordsDone,
      bytesRead: split.done,
      totalBytes: split.chunks,
      split: { done: split.done, chunks: split.chunks, variantsPerSecond: seconds > 0 ? Math.round(split.recordsDone / seconds) : 0 },
    },
  };
}

/** When a job may be announced again: once per `intervalMs` per job, remembering the latest 10,000 jobs. */
function createReannounceLimiter(intervalMs: number, maxJobs = 10_000) {
  const last = new Map<string, number>();
  return {
    due(jobId: string, now = Date.now()): boolean {
      const at = last.get(jobId);
      if (at !== undefined && now - at < intervalMs) return false;
      last.delete(jobId);
      last.set(jobId, now);
      if (last.size > maxJobs) last.delete(last.keys().next().value!);
      return true;
    },
  };
}
