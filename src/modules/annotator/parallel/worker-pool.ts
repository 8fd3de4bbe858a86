import { AnnotationInputError } from "../annotation-errors.ts";
import type { RawBlock } from "../vcf/vcf-reader.ts";
import type { FromWorker, ToWorker } from "./worker-protocol.ts";

/** A block's result; `written`, when set, replaces the recycling of its buffer (a block annotated by the pipeline's own thread). */
export type BatchResult = Extract<FromWorker, { type: "result" }> & { written?: () => void };

interface Pending {
  resolve(r: BatchResult): void;
  reject(e: Error): void;
}

/**
 * A fixed set of annotation workers. Batches go round-robin; each worker answers its batches in
 * the order it got them, and the caller awaits results in submission order, so the output keeps
 * the input's record order.
 */
export class AnnotationWorkerPool {
  private next = 0;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly workers: Worker[]) {}

  static async start(count: number, init: Omit<Extract<ToWorker, { type: "init" }>, "type">): Promise<AnnotationWorkerPool> {
    const workers = Array.from({ length: count }, () => new Worker(new URL("./annotate-worker.ts", import.meta.url).href, { smol: true }));
    const pool = new AnnotationWorkerPool(workers);
    try {
      await Promise.all(workers.map((w, i) => pool.initialize(w, i, init)));
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  private initialize(w: Worker, index: number, init: Omit<Extract<ToWorker, { type: "init" }>, "type">): Promise<void> {
    return new Promise((resolve, reject) => {
      w.onmessage = (event: MessageEvent<FromWorker>) => {
        const msg = event.data;
        if (msg.type === "ready") {
          w.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data, index);
          resolve();
        } else if (msg.type === "error") {
          reject(new Error(`annotation worker failed to start: ${msg.message}`));
        }
      };
      w.onerror = (event) => {
        const err = new Error(`annotation worker crashed: ${event.message}`);
        reject(err);
        this.failAll(err);
      };
      w.postMessage({ type: "init", ...init } satisfies ToWorker);
    });
  }

  private receive(msg: FromWorker, worker: number): void {
    if (msg.type === "ready") return;
    const id = msg.id;
    if (id === null) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (msg.type === "result") p.resolve({ ...msg, worker });
    else p.reject(msg.inputError ? new AnnotationInputError(msg.message) : new Error(msg.message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Sends one block of lines to the next worker; resolves with its annotated lines and counts. */
  submit(block: RawBlock): Promise<BatchResult> {
    const id = this.nextId++;
    const worker = this.workers[this.next]!;
    this.next = (this.next + 1) % this.workers.length;
    return new Promise<BatchResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: "batch", id, block } satisfies ToWorker);
    });
  }

  /** Hands a written result's buffer back to the worker that made it, for reuse. */
  recycle(result: BatchResult): void {
    const w = result.worker === undefined ? undefined : this.workers[result.worker];
    const buffer = result.vcf.buffer;
    if (w && buffer instanceof ArrayBuffer) w.postMessage({ type: "recycle", buffer } satisfies ToWorker, [buffer]);
  }

  get size(): number {
    return this.workers.length;
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    this.failAll(new Error("annotation workers stopped"));
  }
}
