/**
 * Public surface of the jobs module for the web role. The annotator role's handler lives in
 * ./annotation-worker.ts and is imported only by that role, so web processes never load the engine.
 */

export { parseInputKey, resultKeys } from "./job-keys.ts";
export * as jobsApi from "./jobs.api-schemas.ts";
export { jobsRoutes } from "./jobs.routes.tsx";
export { createJobsService, type JobsService } from "./jobs.service.ts";
export { uploadRoutes } from "./upload.routes.tsx";
