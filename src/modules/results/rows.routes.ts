/**
 * The rows API: a job's results filtered, sorted and paged from its results store (JSON), or the
 * whole filtered set exported (TSV, VCF, Excel) as a stream. The owner's `/annotations/{id}/rows`
 * (signed in, or an API token) and the share link's `/shared/{token}/rows` take the same query as
 * the results page (results-params.ts), so a page's URL and its export's URL carry one filter.
 */
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";
import { errorResponse, jsonResponse, noAuth, uuidParam } from "../../web/api-doc.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { requireProfile, userOf } from "../../web/user-guards.ts";
import { documented } from "../../web/validate.ts";
import { fileStem } from "../jobs/job-keys.ts";
import type { JobsService, Owner } from "../jobs/jobs.service.ts";
import { assertResultsAvailable } from "../jobs/results-availability.ts";
import type { ShareLinksService } from "../sharing/index.ts";
import { downloadHeaders, pullStream } from "./exports/download-headers.ts";
import { createExportSlots } from "./exports/export-slots.ts";
import { transcriptTsv, variantTsv } from "./exports/tsv-export.ts";
import { filteredVcf } from "./exports/vcf-export.ts";
import { type SetRequest, recordOrdinals } from "./filtered-rows.ts";
import type { ResultsService } from "./job-results.ts";
import { ResultsQuery, toFilter, toPageRequest } from "./results-params.ts";
import { RowsPageResponse } from "./rows.api-schemas.ts";

export interface RowsRoutesDeps {
  jobs: JobsService;
  results: ResultsService;
  shares: ShareLinksService;
  /** Exports streaming at once in this process (default 2); more wait their turn. */
  concurrentExports?: number;
}

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const NOT_SHARED = "This share link does not exist, has expired, or was revoked.";

const FORMATS = {
  "text/tab-separated-values": { schema: { type: "string" as const } },
  "text/x-vcf": { schema: { type: "string" as const } },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: { type: "string" as const, format: "binary" } },
};

const describe = (
  summary: string,
  param: ReturnType<typeof uuidParam> | { name: string; in: "path"; required: true; schema: { type: "string" } },
  /** A share link is its own authorisation: no token. */
  open = false,
) =>
  describeRoute({
    summary,
    ...(open ? noAuth : {}),
    description:
      "Filters combine with AND, the values of one filter with OR (repeat a parameter or separate values with commas; a gene ending in `*` is a prefix). `format=json` (default) answers one page with cursors and the total; `tsv`, `vcf` and `xlsx` download every matching row, streamed: TSV and Excel per variant (or per variant × feature with `view=transcripts`), VCF the annotated records with their ANN.",
    parameters: [param],
    responses: {
      "200": {
        ...jsonResponse(RowsPageResponse, "A page of rows (json), or the whole filtered set (tsv, vcf, xlsx)"),
        content: { ...jsonResponse(RowsPageResponse, "").content, ...FORMATS },
      },
      "400": errorResponse("A filter the results cannot apply, named"),
      ...(open ? {} : { "401": errorResponse("Not signed in / bad token") }),
      "402": errorResponse("The results are archived (free account)"),
      "404": errorResponse("Unknown job or link, or the job has no results yet"),
      "409": errorResponse("The results are being restored (or, through a share link, archived)"),
      // Bun's own answer when the request line passes its limit (thousands of filter values).
      "431": { description: "The URL is too long: send fewer filter values" },
    },
  });

/** `/annotations/{id}/rows` and `/shared/{token}/rows`. */
export function rowsRoutes(deps: RowsRoutesDeps) {
  const { jobs, results, shares } = deps;
  const slots = createExportSlots(deps.concurrentExports ?? 2);

  async function answer(c: Context<AppEnv>, job: Job, owner: Owner, q: ResultsQuery): Promise<Response> {
    const r = await results.open(job, owner);
    const format = q.format ?? "json";
    const view = q.view ?? "variants";
    c.header("cache-control", "private, no-store");
    if (format === "json") {
      const req = toPageRequest(q);
      const [page, total] = await Promise.all([view === "variants" ? r.page(req) : r.transcriptPage(req), r.count(req.filter ?? {})]);
      return c.json({ view, total, rows: page.rows, next: page.next, prev: page.prev });
    }
    const set: SetRequest = { filter: toFilter(q), sort: q.sort ?? "position", descending: q.dir === "desc" };
    // A bad filter (or a sort the view cannot do) is a 400 before the download starts, not a broken stream.
    await (view === "transcripts" ? r.transcriptPage({ ...set, limit: 1 }) : r.page({ ...set, limit: 1 }));
    const stem = fileStem(job.inputFileName);
    if (format === "vcf") {
      // A store converted from an old job's JSON has no record ordinals: say so before streaming.
      if ((await r.page({ limit: 1 })).rows[0]?.rec === null) await recordOrdinals(r, { filter: {} }).next();
      const slot = await slots.take();
      const vcf = await r.annotatedVcf().catch((err) => {
        slot.release();
        throw err;
      });
      const name = `${stem}.filtered.annot.vcf`;
      return new Response(pullStream(slot.stream(filteredVcf(vcf.stream, vcf.gzip, recordOrdinals(r, set)))), {
        headers: downloadHeaders(name, "text/x-vcf; charset=utf-8"),
      });
    }
    const name = `${stem}.filtered.${view === "transcripts" ? "effects" : "variants"}`;
    const slot = await slots.take();
    if (format === "tsv") {
      const chunks = view === "transcripts" ? transcriptTsv(r, set) : variantTsv(r, set);
      return new Response(pullStream(slot.stream(chunks)), {
        headers: downloadHeaders(`${name}.tsv`, "text/tab-separated-values; charset=utf-8"),
      });
    }
    const chunks = r.workbook(view, set);
    return new Response(pullStream(slot.stream(chunks)), { headers: downloadHeaders(`${name}.xlsx`, XLSX_TYPE) });
  }

  return new Hono<AppEnv>()
    .use("/annotations/:id/rows", requireProfile)
    .get(
      "/annotations/:id/rows",
      describe("A job's annotations, filtered: a page (JSON) or an export (TSV, VCF, Excel)", uuidParam("id")),
      documented("query", ResultsQuery),
      async (c) => {
        const user = userOf(c);
        const job = await jobs.get(user, c.req.param("id"));
        assertResultsAvailable(job, user.tier === "premium");
        return answer(c, job, user, c.req.valid("query"));
      },
    )
    .get(
      "/shared/:token/rows",
      describe(
        "A shared job's annotations, filtered (anyone with the link)",
        { name: "token", in: "path", required: true, schema: { type: "string" } },
        true,
      ),
      documented("query", ResultsQuery),
      async (c) => {
        const link = await shares.resolve(c.req.param("token"));
        if (!link) throw new AppError("NOT_FOUND", NOT_SHARED);
        const owner = { id: link.userId };
        const job = await jobs.get(owner, link.jobId).catch(() => null);
        if (!job || job.status !== "COMPLETED") throw new AppError("NOT_FOUND", NOT_SHARED);
        assertResultsAvailable(job, "shared");
        c.header("x-robots-tag", "noindex");
        return answer(c, job, owner, c.req.valid("query"));
      },
    );
}
