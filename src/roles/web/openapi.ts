/**
 * OpenAPI 3.1 document for the JSON API, generated from the zod schemas the routes validate with
 * (zod 4's JSON Schema output is draft 2020-12, the dialect OpenAPI 3.1 uses).
 */
import { z } from "zod";
import { jobsApi } from "../../modules/jobs/index.ts";

const ref = (s: z.ZodType) => ({ $ref: `#/components/schemas/${(s.meta() as { id: string }).id}` });
const json = (s: z.ZodType, description: string) => ({ description, content: { "application/json": { schema: ref(s) } } });
const errors = {
  "401": json(jobsApi.ErrorResponse, "Not signed in / bad token"),
  "404": json(jobsApi.ErrorResponse, "Unknown job, or another user's job"),
};

/** Build the document (cheap; computed once at start). */
export function buildOpenApiDocument(serverUrl: string | null) {
  const schemas = [
    jobsApi.SubmitJobBody,
    jobsApi.SubmitJobResponse,
    jobsApi.JobListResponse,
    jobsApi.JobDetailResponse,
    jobsApi.UploadFormResponse,
    jobsApi.InputFilesResponse,
    jobsApi.ErrorResponse,
  ];
  // Converting the registry (not each schema) makes shared schemas `$ref`s into components.
  const all = z.toJSONSchema(z.globalRegistry, { uri: (id) => `#/components/schemas/${id}`, io: "output" }).schemas;
  const components: Record<string, unknown> = {};
  for (const s of schemas) {
    const id = (s.meta() as { id: string }).id;
    const { $schema, $id, ...schema } = all[id] as Record<string, unknown>;
    components[id] = schema;
  }
  const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  return {
    openapi: "3.1.0",
    info: {
      title: "GAS — Genomics Annotation Service API",
      version: "1.0.0",
      description:
        "The original GAS job API. Authenticate with `Authorization: Bearer <token>` (create one with POST /account/tokens while signed in). Upload a file with the signed form from GET /annotate, then POST /annotations.",
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
    security: [{ bearer: [] }],
    paths: {
      "/annotate": { get: { summary: "A signed upload form for one input file", responses: { "200": json(jobsApi.UploadFormResponse, "Form fields"), "401": errors["401"] } } },
      "/annotate/files": { get: { summary: "Your uploaded input files", responses: { "200": json(jobsApi.InputFilesResponse, "Files"), "401": errors["401"] } } },
      "/annotations": {
        get: { summary: "List your annotation jobs", responses: { "200": json(jobsApi.JobListResponse, "Jobs, newest first"), ...errors } },
        post: {
          summary: "Submit an uploaded file for annotation",
          requestBody: { required: true, content: { "application/json": { schema: ref(jobsApi.SubmitJobBody) } } },
          responses: { "201": json(jobsApi.SubmitJobResponse, "Job created (PENDING)"), "400": json(jobsApi.ErrorResponse, "Bad request"), ...errors },
        },
      },
      "/annotations/{id}": {
        get: { summary: "A job's status and, once COMPLETED, its log", parameters: [idParam], responses: { "200": json(jobsApi.JobDetailResponse, "Job"), ...errors } },
      },
      "/annotations/{id}/result": {
        get: { summary: "Download the annotated VCF", parameters: [idParam], responses: { "200": { description: "VCF", content: { "text/plain": {} } }, ...errors } },
      },
      "/annotations/{id}/log": {
        get: { summary: "The .count.log text", parameters: [idParam], responses: { "200": { description: "Log", content: { "text/plain": {} } }, ...errors } },
      },
    },
    components: { schemas: components, securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
  };
}
