/**
 * BGZF compression on a thread of its own, for a BGZF output written on the pipeline thread.
 *
 * Compressing the annotated VCF took the pipeline thread ~1.4 s per million variants of the bench
 * file (libdeflate level 1, ~620 MB/s over ~850 MB): a third of a one-thread run's pipeline CPU,
 * while a 2-core machine's second core is only partly busy (JIT, writes). Chunks of whole blocks go
 * to this thread and come back compressed, in order. The blocks are cut and compressed exactly as
 * on the writer's own thread (bgzf-compress-worker.ts), so the file is byte for byte the same.
 */
import type { BgzfLevel } from "./bgzf-codec.ts";

export interface ToCompressor {
  id: number;
  /** Whole BGZF_BLOCK_INPUT blocks of input, or for the final chunk whatever is left. */
  data: Uint8Array;
  /** Last chunk: the EOF block follows its blocks. */
  final: boolean;
  level: BgzfLevel;
}

export type FromCompressor =
  | {
      id: number;
      /** The chunk, handed back for reuse and for the caller's per-block callback. */
      data: Uint8Array;
      /** The chunk's blocks, one after the other (and the EOF block after a final chunk). */
      compressed: Uint8Array;
      /** Per data block: its compressed size and its share of `data`. */
      sizes: Uint32Array;
      inputs: Uint32Array;
    }
  | { id: number; error: string };

export type CompressedChunk = Extract<FromCompressor, { compressed: Uint8Array }>;

/**
 * One compressor thread. `compress` returns chunks in the order they were given; `onChunk` sees each
 * one, in that order, on the caller's thread.
 */
export class BgzfCompressor {
  private readonly worker = new Worker(new URL("./bgzf-compress-worker.ts", import.meta.url).href, { smol: true });
  private nextId = 0;
  private inFlight = 0;
  private failure: Error | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly level: BgzfLevel,
    private readonly onChunk: (chunk: CompressedChunk) => void,
  ) {
    // A writer that is never committed or aborted must not keep the process alive.
    (this.worker as Worker & { unref(): void }).unref(); // Bun's Worker has it; the DOM type does not
    this.worker.onmessage = (event: MessageEvent<FromCompressor>) => {
      const msg = event.data;
      this.inFlight--;
      if ("error" in msg) this.fail(new Error(`BGZF compression failed: ${msg.error}`));
      else if (!this.failure) {
        try {
          this.onChunk(msg);
        } catch (err) {
          this.fail(err instanceof Error ? err : new Error(String(err)));
        }
      }
      this.wake();
    };
    this.worker.onerror = (event) => {
      this.fail(new Error(`BGZF compressor thread crashed: ${event.message}`));
      this.inFlight = 0;
      this.wake();
    };
  }

  /** Hands `data` (transferred: the caller gives it up) to the thread. */
  compress(data: Uint8Array, final: boolean): void {
    if (this.failure) throw this.failure;
    this.inFlight++;
    const msg: ToCompressor = { id: this.nextId++, data, final, level: this.level };
    this.worker.postMessage(msg, [data.buffer]);
  }

  /** Chunks given and not yet seen by onChunk. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves once at most `n` chunks are pending; rejects with the thread's failure. */
  async settled(n = 0): Promise<void> {
    while (this.inFlight > n && !this.failure) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  close(): void {
    this.worker.terminate();
    this.fail(new Error("BGZF compressor closed"));
    this.wake();
  }

  private fail(err: Error): void {
    this.failure ??= err;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
