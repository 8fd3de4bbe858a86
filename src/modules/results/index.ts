/** Public surface of the results module: the results service the web role's pages and API stand on. */
export { createResultsService, type JobResults, type ResultsService } from "./job-results.ts";
export { createStoreCache, type StoreCache } from "./store-cache.ts";
export { createInProcessQueries, type StoreQueries } from "./store-queries.ts";
export { createThreadQueries } from "./query-threads.ts";
export { rowsRoutes } from "./rows.routes.ts";
