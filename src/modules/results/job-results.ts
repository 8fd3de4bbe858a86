/**
 * The web side's results service: a COMPLETED job's results store, queried without holding the
 * result in memory and without blocking the event loop. `open` finds the job's store in the results
 * object store, the StoreCache keeps a local copy (size-capped), and every JobResults call runs on a
 * StoreQueries runner (worker threads in the web role). The page (/annotations/{id}/results,
 * /shared/{token}) and the rows API (/annotations/{id}/rows) both stand on it.
 */
import type { Job } from "../../ports/job-store.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { AppError } from "../../shared/errors.ts";
import { resultKeys } from "../jobs/job-keys.ts";
import type { Owner } from "../jobs/jobs.service.ts";
import type { StoreCache } from "./store-cache.ts";
import type { QueryAnswer, QueryArgs, QueryMethod, StoreQueries } from "./store-queries.ts";
import { ResultsQueryError } from "./results-store.ts";

/** A job's results, every call answered off the caller's event loop. */
export type JobResults = {
  readonly job: Job;
  /** The annotated VCF as stored: a fresh stream, compressed (BGZF) when `gzip`. NOT_FOUND when absent. */
  annotatedVcf(): Promise<{ stream: ReadableStream<Uint8Array>; gzip: boolean }>;
} & {
  [K in QueryMethod]: (...args: QueryArgs<K>) => Promise<QueryAnswer<K>>;
};

export interface ResultsService {
  /**
   * The results of `owner`'s COMPLETED job. NOT_FOUND when the job is not theirs, not finished, or
   * has no results store; UNAVAILABLE when the store cannot be fetched. Callers check the result's
   * lifecycle (assertResultsAvailable) first: an archived job's store is not served.
   */
  open(job: Job, owner: Owner): Promise<JobResults>;
}

export interface ResultsServiceDeps {
  results: Pick<ObjectStore, "get" | "head">;
  cache: StoreCache;
  queries: StoreQueries;
}

const STORE_SUFFIX = ".results.sqlite";

export function createResultsService(deps: ResultsServiceDeps): ResultsService {
  const { results, cache, queries } = deps;

  /** The object key of the job's store: its rowsKey, or the conventional key beside its VCF. */
  async function storeKey(job: Job): Promise<string> {
    if (job.rowsKey?.endsWith(STORE_SUFFIX)) return job.rowsKey;
    const key = resultKeys(job.userId, job.id, job.inputFileName).store;
    if (await results.head(key)) return key;
    throw new AppError(
      "NOT_FOUND",
      job.rowsKey
        ? `Job ${job.id}'s results were written before results stores existed and cannot be browsed yet; download the annotated VCF instead`
        : `Job ${job.id} has no results to browse`,
    );
  }

  return {
    async open(job, owner) {
      if (job.userId !== owner.id) throw new AppError("NOT_FOUND", `Annotation job ${job.id} was not found`);
      if (job.status !== "COMPLETED") throw new AppError("NOT_FOUND", `Job ${job.id} has no results to browse yet (it is ${job.status})`);
      const key = await storeKey(job);
      // Fetch now, so a missing or unreadable store fails here and not on the first query.
      (await cache.acquire(key)).release();
      const call =
        <K extends QueryMethod>(method: K) =>
        async (...args: QueryArgs<K>): Promise<QueryAnswer<K>> => {
          const lease = await cache.acquire(key);
          try {
            return await queries.run(lease.path, method, args);
          } catch (err) {
            if (err instanceof ResultsQueryError) throw new AppError("INVALID_INPUT", err.message);
            throw err;
          } finally {
            lease.release();
          }
        };
      return {
        job,
        async annotatedVcf() {
          const object = job.resultKey ? await results.get(job.resultKey) : null;
          if (!job.resultKey || !object)
            throw new AppError("NOT_FOUND", `Job ${job.id}'s annotated VCF is missing from the results storage`);
          return { stream: object.stream(), gzip: job.resultKey.endsWith(".gz") };
        },
        summary: call("summary"),
        count: call("count"),
        page: call("page"),
        transcriptPage: call("transcriptPage"),
        variant: call("variant"),
        transcripts: call("transcripts"),
        issues: call("issues"),
      };
    },
  };
}
