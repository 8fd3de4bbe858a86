/**
 * The engine off the caller's event loop: one long-lived worker thread that opens the reference
 * (gene models, prepared index, known variants) and runs every annotateFile of the annotator role.
 * The web role shares the process in `--role=all`: run there, the engine froze all HTTP for the
 * length of a job (a 15 KB upload: 26.5 s, issue 13), and opening the reference blocked start-up.
 *
 * A worker thread rather than a child process, by measurement on the demo bundle (2-core box,
 * three runs): starting either and opening the reference takes 60-70 ms, but the thread adds
 * ~20 MB to the process while a child `bun` peaks at ~70 MB RSS of its own, per annotator, and
 * would need its own protocol over a pipe for progress and abort. Input bombs are bounded in the
 * engine itself (vcf/vcf-header.ts, io/sequential-source.ts), so a process's memory isolation is
 * not what keeps the service up; a crashed thread fails its running jobs as infrastructure errors
 * (the queue retries them) and the next job gets a new thread.
 */
import type { AnnotateProgress } from "../annotate-file.ts";
import { AnnotationInputError } from "../annotation-errors.ts";
import type { AnnotateSummary } from "../output/annotation-summary.ts";
import type { OpenReferenceOptions } from "../reference/bundle.ts";
import type { EngineRun, FromEngine, ToEngine } from "./engine-protocol.ts";

export type { EngineRun } from "./engine-protocol.ts";

export interface EngineRunOptions extends EngineRun {
  signal?: AbortSignal;
  onProgress?: (p: AnnotateProgress) => void;
}

/** What the annotator role needs from the engine: run one file, off its event loop. */
export interface AnnotationEngine {
  /** The reference's name and build, as opened. */
  readonly name: string;
  readonly build: string;
  annotate(opts: EngineRunOptions): Promise<AnnotateSummary>;
  close(): Promise<void>;
}

interface Pending {
  resolve(s: AnnotateSummary): void;
  reject(e: Error): void;
  onProgress?: (p: AnnotateProgress) => void;
}

const spawn = () => new Worker(new URL("./engine-thread-main.ts", import.meta.url).href);

function open(worker: Worker, reference: OpenReferenceOptions): Promise<Extract<FromEngine, { type: "ready" }>> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FromEngine>) => {
      if (e.data.type === "ready") resolve(e.data);
      else if (e.data.type === "failed") reject(new Error(e.data.message));
    };
    worker.onerror = (e) => reject(new Error(`engine thread crashed while opening the reference: ${e.message}`));
    worker.postMessage({ type: "open", reference } satisfies ToEngine);
  });
}

/** Starts the engine thread and opens the reference in it; rejects if the reference cannot be opened. */
export async function startEngineThread(reference: OpenReferenceOptions): Promise<AnnotationEngine> {
  let worker = spawn();
  let ready: Extract<FromEngine, { type: "ready" }>;
  try {
    ready = await open(worker, reference);
  } catch (err) {
    worker.terminate();
    throw err;
  }
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let crashed: Promise<void> | null = null;

  const receive = (msg: FromEngine) => {
    if (msg.type === "progress") pending.get(msg.id)?.onProgress?.(msg.progress);
    else if (msg.type === "done" || (msg.type === "failed" && msg.id !== null)) {
      const p = pending.get(msg.id!);
      if (!p) return;
      pending.delete(msg.id!);
      if (msg.type === "done") p.resolve(msg.summary);
      else p.reject(msg.inputError ? new AnnotationInputError(msg.message) : new Error(msg.message));
    }
  };
  const attach = (w: Worker) => {
    w.onmessage = (e: MessageEvent<FromEngine>) => receive(e.data);
    w.onerror = (e) => {
      // Its jobs are lost: fail them as our problem (the queue retries) and start afresh next time.
      const err = new Error(`engine thread crashed: ${e.message}`);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      w.terminate();
      crashed = (async () => {
        worker = spawn();
        await open(worker, reference);
        attach(worker);
      })();
    };
  };
  attach(worker);

  return {
    name: ready.name,
    build: ready.build,
    async annotate(opts) {
      if (crashed) {
        await crashed;
        crashed = null;
      }
      opts.signal?.throwIfAborted();
      const id = nextId++;
      const { signal, onProgress, ...run } = opts;
      const onAbort = () =>
        worker.postMessage({ type: "abort", id, reason: String((signal?.reason as Error)?.message ?? signal?.reason) } satisfies ToEngine);
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        return await new Promise<AnnotateSummary>((resolve, reject) => {
          pending.set(id, { resolve, reject, onProgress });
          worker.postMessage({ type: "run", id, ...run } satisfies ToEngine);
        });
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },
    async close() {
      const w = worker;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        w.onmessage = (e: MessageEvent<FromEngine>) => {
          if (e.data.type === "closed") {
            clearTimeout(timer);
            resolve();
          } else receive(e.data);
        };
        w.postMessage({ type: "close" } satisfies ToEngine);
      });
      w.terminate();
      for (const p of pending.values()) p.reject(new Error("engine closed"));
      pending.clear();
    },
  };
}
