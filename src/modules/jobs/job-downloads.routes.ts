/**
 * A completed job's downloads (job-downloads.ts), for its owner under /annotations/{id}/… (behind
 * requireProfile, mounted by jobs.routes.tsx) and for anyone holding a share link under
 * /shared/{token}/…: the annotated VCF as stored (`result`), its tabix index (`result.tbi`), the
 * plain VCF (`result.vcf`) and the count log (`log.txt`). On AWS each is a 303 to a presigned S3
 * GET, except the plain VCF of a BGZF job, gunzipped here as it streams (jobs.service.ts says why).
 */
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import { errorResponse, uuidParam } from "../../web/api-doc.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { userOf } from "../../web/user-guards.ts";
import type { ShareLinksService } from "../sharing/index.ts";
import { fileResponse, redirectResponse } from "./file-response.ts";
import { DOWNLOAD_PATHS, type DownloadKind } from "./job-downloads.ts";
import type { JobsService, Owner } from "./jobs.service.ts";
import { assertResultsAvailable } from "./results-availability.ts";

const NOT_SHARED = "This share link does not exist, has expired, or was revoked.";

const fileDoc = (contentType: string, what: string) => ({
  description: `${what} (an attachment), or a 303 to a short-lived URL of the object store (AWS)`,
  content: { [contentType]: {} },
});
const errors = {
  "303": { description: "On AWS: the file's presigned S3 URL" },
  "401": errorResponse("Not signed in / bad token"),
  "402": errorResponse("Archived: a free user's results after the retention period"),
  "404": errorResponse("Unknown job, another user's job, or no such file for this job"),
  "409": errorResponse("Being restored from the archive"),
};

/** Documentation of each download route. */
const DOCS: Record<DownloadKind, { summary: string; contentType: string; what: string }> = {
  "vcf.gz": {
    summary: "Download the annotated VCF as stored: BGZF (`<name>.annot.vcf.gz`); jobs from before 2026-12 stored it plain",
    contentType: "application/gzip",
    what: "The annotated VCF",
  },
  tbi: {
    summary: "Download the annotated VCF's tabix index (`<name>.annot.vcf.gz.tbi`)",
    contentType: "application/octet-stream",
    what: "The .tbi",
  },
  vcf: { summary: "Download the annotated VCF as plain text (`<name>.annot.vcf`)", contentType: "text/plain", what: "The plain VCF" },
  log: { summary: "Download the count log (`<name>.vcf.count.log`)", contentType: "text/plain", what: "The log" },
};

const KINDS = Object.keys(DOWNLOAD_PATHS) as DownloadKind[];

/** The owner's and the share links' download routes. */
export function jobDownloadsRoutes(deps: { jobs: JobsService; shares: ShareLinksService }) {
  const { jobs, shares } = deps;

  /** `viewer`: the owner's plan (true: premium) or "shared" for a share link's visitor. */
  async function serve(c: Context<AppEnv>, owner: Owner, job: Job, kind: DownloadKind, viewer: boolean | "shared"): Promise<Response> {
    // The log stays readable after archiving (it is never archived); the results do not.
    if (kind !== "log") assertResultsAvailable(job, viewer);
    const d = await jobs.download(owner, job, kind);
    if ("url" in d) return redirectResponse(d.url);
    return fileResponse(d.fileName, d.body, d.contentType, d.size);
  }

  async function sharedJob(token: string): Promise<{ job: Job; owner: Owner }> {
    const link = await shares.resolve(token);
    if (!link) throw new AppError("NOT_FOUND", NOT_SHARED);
    const owner = { id: link.userId };
    const job = await jobs.get(owner, link.jobId).catch(() => null);
    if (!job || job.status !== "COMPLETED") throw new AppError("NOT_FOUND", NOT_SHARED);
    return { job, owner };
  }

  const app = new Hono<AppEnv>();
  for (const kind of KINDS) {
    const doc = DOCS[kind];
    app.get(
      `/annotations/:id/${DOWNLOAD_PATHS[kind]}`,
      describeRoute({
        summary: doc.summary,
        parameters: [uuidParam("id")],
        responses: { "200": fileDoc(doc.contentType, doc.what), ...errors },
      }),
      async (c) => {
        const user = userOf(c);
        const job = await jobs.get(user, c.req.param("id"));
        return serve(c, user, job, kind, user.tier === "premium");
      },
    );
    app.get(`/shared/:token/${DOWNLOAD_PATHS[kind]}`, async (c) => {
      const { job, owner } = await sharedJob(c.req.param("token"));
      const res = await serve(c, owner, job, kind, "shared");
      res.headers.set("x-robots-tag", "noindex");
      return res;
    });
  }
  return app;
}
