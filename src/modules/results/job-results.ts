/**
 * The web side's results service: a COMPLETED job's results store, queried without holding the
 * result in memory and without blocking the event loop. `open` finds the job's store in the results
 * object store, the StoreCache keeps a local copy (size-capped), and every JobResults call runs on a
 * StoreQueries runner (worker threads in the web role). The page (/annotations/{id}/results,
 * /shared/{token}) and the rows API (/annotations/{id}/rows) both stand on it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { streamToFile } from "./stream-to-file.ts";
import type { Job, JobStore } from "../../ports/job-store.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { AppError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import { resultKeys } from "../jobs/job-keys.ts";
import type { Owner } from "../jobs/jobs.service.ts";
import type { StoreCache } from "./store-cache.ts";
import type { SetRequest } from "./export-pages.ts";
import type { WorkbookView } from "./query-thread-protocol.ts";
import type { QueryAnswer, QueryArgs, QueryMethod, StoreQueries } from "./store-queries.ts";
import { ResultsQueryError } from "./results-store.ts";

/** A job's results, every call answered off the caller's event loop. */
export type JobResults = {
  readonly job: Job;
  /** The annotated VCF as stored: a fresh stream, compressed (BGZF) when `gzip`. NOT_FOUND when absent. */
  annotatedVcf(): Promise<{ stream: ReadableStream<Uint8Array>; gzip: boolean }>;
  /** The filtered set as an Excel workbook, written on a query thread; the store stays cached while it runs. */
  workbook(view: WorkbookView, req: SetRequest): AsyncGenerator<Uint8Array>;
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
  /** Drop this process's local copy of the job's store (the job was deleted). */
  forget(job: Job): void;
}

export interface ResultsServiceDeps {
  results: Pick<ObjectStore, "get" | "head" | "put">;
  /** Where an old job's store is recorded once converted. */
  jobs: Pick<JobStore, "setRowsKey">;
  cache: StoreCache;
  queries: StoreQueries;
  log?: Pick<Logger, "info" | "warn">;
}

const STORE_SUFFIX = ".results.sqlite";
const LEGACY_SUFFIX = ".annot.json";

export function createResultsService(deps: ResultsServiceDeps): ResultsService {
  const { results, cache, queries, jobs, log } = deps;
  /** Conversions running, by store key: concurrent opens of one old job convert it once. */
  const converting = new Map<string, Promise<void>>();

  /**
   * The object key of the job's store: its rowsKey; else the store beside its VCF (recorded on the
   * job); else, for a job from before stores, its `.annot.json` converted once into one.
   */
  async function storeKey(job: Job): Promise<string> {
    if (job.rowsKey?.endsWith(STORE_SUFFIX)) return job.rowsKey;
    const key = resultKeys(job.userId, job.id, job.inputFileName).store;
    if (!(await results.head(key))) {
      if (!job.rowsKey?.endsWith(LEGACY_SUFFIX)) throw new AppError("NOT_FOUND", `Job ${job.id} has no results to browse`);
      let running = converting.get(key);
      if (!running) {
        running = convert(job, job.rowsKey, key).finally(() => converting.delete(key));
        converting.set(key, running);
      }
      await running;
    }
    // Recorded so the next open skips the lookup; a lost race means another process recorded it.
    if (job.rowsKey !== key) await jobs.setRowsKey(job.id, job.rowsKey, key);
    return key;
  }

  /** The old JSON fetched to a temp folder, converted on a query thread, the store uploaded. */
  async function convert(job: Job, jsonKey: string, key: string): Promise<void> {
    const json = await results.get(jsonKey);
    if (!json) throw new AppError("NOT_FOUND", `Job ${job.id} has no results to browse (its results file is missing)`);
    const dir = await mkdtemp(join(tmpdir(), "gas-convert-"));
    const started = performance.now();
    try {
      const jsonPath = join(dir, "rows.annot.json");
      const storePath = join(dir, "rows.results.sqlite");
      await streamToFile(json.stream(), jsonPath);
      try {
        await queries.convert(jsonPath, storePath);
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError(
          "UNAVAILABLE",
          `Job ${job.id}'s results predate the results store and could not be converted: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      await results.put(key, Bun.file(storePath));
      log?.info("converted an old job's results to a results store", {
        jobId: job.id,
        jsonBytes: json.size,
        storeBytes: Bun.file(storePath).size,
        ms: Math.round(performance.now() - started),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    forget(job) {
      for (const key of new Set([job.rowsKey, resultKeys(job.userId, job.id, job.inputFileName).store])) if (key) cache.evict(key);
    },
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
        async *workbook(view, req) {
          const lease = await cache.acquire(key);
          try {
            yield* queries.workbook(lease.path, view, req);
          } catch (err) {
            if (err instanceof ResultsQueryError) throw new AppError("INVALID_INPUT", err.message);
            throw err;
          } finally {
            lease.release();
          }
        },
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
        variantTsvHeader: call("variantTsvHeader"),
        variantTsvPage: call("variantTsvPage"),
        effectTsvPage: call("effectTsvPage"),
        recordPage: call("recordPage"),
      };
    },
  };
}
