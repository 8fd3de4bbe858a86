/**
 * What an owner does to a job as a whole (issue 17 item 3): read its manifest, run it again with
 * the same settings, delete it. Pages and the API on the same paths, as elsewhere
 * (src/web/negotiate.ts). Deleting from a page takes two steps (the job page's button opens a
 * confirmation page whose form deletes), so no script is needed for the confirmation.
 */
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { AppError } from "../../shared/errors.ts";
import { crossSiteResponse, errorResponse, jsonResponse, uuidParam } from "../../web/api-doc.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { wantsJson } from "../../web/negotiate.ts";
import { pageCtx } from "../../web/page-context.ts";
import { userOf } from "../../web/user-guards.ts";
import { SubmitJobResponse } from "./jobs.api-schemas.ts";
import type { JobsRoutesDeps } from "./jobs.routes.tsx";
import { DeleteConfirmPage } from "./views/job-identity.tsx";

const jobErrors = {
  "401": errorResponse("Not signed in / bad token"),
  "404": errorResponse("Unknown job, or another user's job"),
};
const jobParams = [uuidParam("id")];

const JobManifestResponse = z
  .looseObject({
    manifest_version: z.literal(1),
    job: z.object({ id: z.uuid(), name: z.string(), note: z.string().nullable() }),
    input: z.object({ file_name: z.string(), bytes: z.number().int(), sha256: z.string() }),
    reference: z.object({
      name: z.string(),
      build: z.string(),
      files: z.array(z.object({ role: z.string(), file: z.string(), bytes: z.number().int(), sha256: z.string() })),
    }),
    engine: z.object({ name: z.string(), version: z.string(), commit: z.string(), built_at: z.string().nullable() }),
    options: z.looseObject({ pick: z.string(), fields: z.array(z.string()), command: z.string() }),
    timings: z.looseObject({ submitted: z.string(), started: z.string().nullable(), finished: z.string() }),
  })
  .describe("What the result was made from: input checksum, reference bundle and checksums, engine version and commit, options, timings")
  .meta({ id: "JobManifest" });

/** Routes under /annotations/{id}: manifest, rerun, delete. */
export function jobManageRoutes(deps: JobsRoutesDeps) {
  const { jobs, shares, results } = deps;

  async function remove(c: Context<AppEnv>) {
    const user = userOf(c);
    const id = c.req.param("id") ?? "";
    // Share links first: a link must never outlive the job it opens, even for a moment.
    const job = await jobs.get(user, id).catch(() => null);
    if (job) for (const s of await shares.listForJob(user.id, job.id)) await shares.revoke(user.id, s.id);
    const removed = await jobs.remove(user, id);
    if (removed) {
      // This process's copy of the results store; the archiver deletes the stored one.
      results.forget(removed);
      c.var.log.info("job deleted", { jobId: removed.id, userId: user.id });
    }
    return removed;
  }

  return new Hono<AppEnv>()
    .get(
      "/annotations/:id/manifest.json",
      describeRoute({
        summary: "The job manifest: how to reproduce this result",
        parameters: jobParams,
        responses: { "200": jsonResponse(JobManifestResponse, "The manifest, as stored"), ...jobErrors },
      }),
      async (c) => {
        const user = userOf(c);
        const id = c.req.param("id");
        const found = await jobs.manifest(user, id);
        if (!found) throw new AppError("NOT_FOUND", `Job ${id} has no manifest (it is written when a job completes)`);
        c.header("content-disposition", `attachment; filename="${id}.manifest.json"`);
        return c.body(found.text, 200, { "content-type": "application/json; charset=utf-8" });
      },
    )
    .post(
      "/annotations/:id/rerun",
      describeRoute({
        summary: "Run the job again: a new job on the same input with the same name, note and options",
        parameters: jobParams,
        responses: { "201": jsonResponse(SubmitJobResponse, "The new job (PENDING)"), ...jobErrors, ...crossSiteResponse },
      }),
      async (c) => {
        const user = userOf(c);
        const job = await jobs.rerun(user, c.req.param("id"));
        c.var.log.info("job submitted", { jobId: job.id, userId: user.id, rerunOf: c.req.param("id") });
        if (wantsJson(c)) return c.json({ code: 201 as const, status: "success" as const, job_id: job.id, input_file: job.inputKey }, 201);
        return c.redirect(`/annotations/${job.id}`, 303);
      },
    )
    .get("/annotations/:id/delete", async (c) => {
      const user = userOf(c);
      const job = await jobs.get(user, c.req.param("id"));
      return c.html(<DeleteConfirmPage ctx={pageCtx(c)} job={job} />);
    })
    .post("/annotations/:id/delete", async (c) => {
      await remove(c);
      return c.redirect("/annotations?deleted=1", 303);
    })
    .delete(
      "/annotations/:id",
      describeRoute({
        summary: "Delete a job: its input, results, results store and archive. Idempotent: 204 whether or not it still existed",
        description:
          "From the 204 on, the job answers 404 and leaves the list, and its share links stop working; its files, archive and record are removed by a background worker moments later.",
        parameters: jobParams,
        responses: { "204": { description: "Deleted, or already gone" }, "401": jobErrors["401"], ...crossSiteResponse },
      }),
      async (c) => {
        await remove(c);
        return c.body(null, 204);
      },
    );
}
