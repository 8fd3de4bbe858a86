/**
 * `--threads N` (annotate-file.ts calls it for N > 1): the pipeline thread reads the input, hands
 * raw blocks of lines to N - 1 workers, annotates blocks itself, and writes every result in input
 * order.
 */
import type { AnnotateFileOptions, RunResult, VcfInput } from "../annotate-file.ts";
import { createHeapTrimmer } from "../heap-trimmer.ts";
import { checkInputLimits } from "../input-limits.ts";
import type { KnownVariants } from "../known/known-variants.ts";
import { DEFAULT_ANNOTATION_FIELDS } from "../output/annotation-fields.ts";
import { SummaryCounter } from "../output/annotation-summary.ts";
import type { OutputSinks } from "../output/output-sinks.ts";
import { pipelineRecordAnnotator } from "../record-annotator.ts";
import { BLOCK_CHARS } from "../vcf/vcf-reader.ts";
import { LocalBlockAnnotator } from "./local-block-annotator.ts";
import { AnnotationWorkerPool, type BatchResult } from "./worker-pool.ts";

/** Output a parallel worker's result aims at, and the smallest block of input it is given for it. */
const RESULT_BYTES = 2 << 20;
const MIN_BLOCK_CHARS = 8 << 10;

/**
 * Several threads: this thread reads the input, hands raw blocks of lines to threads - 1 workers
 * and annotates a block itself whenever the workers have enough queued; results are written
 * strictly in input order. A bounded number of blocks is in flight, so memory stays flat
 * whatever the input size. This thread annotating (rather than a worker more) saves a worker's
 * start-up and JIT warm-up, the obstacle that made two workers slower than one thread.
 */
export async function runParallel(
  vcf: VcfInput,
  sinks: OutputSinks,
  known: KnownVariants | null,
  opts: AnnotateFileOptions,
  threads: number,
): Promise<RunResult> {
  // The workers start (a thread, the engine's modules, the gene models) while this thread already
  // annotates the first blocks itself: waiting for them idled it for 0.1-0.4 s per run.
  const started: { pool: AnnotationWorkerPool | null; failure: unknown } = { pool: null, failure: null };
  const starting = AnnotationWorkerPool.start(threads - 1, {
    // Parsed gene models go along as data (a worker does not parse the GFF again); a prepared
    // index each worker opens itself, decoding only the contigs it reaches.
    reference: opts.reference.workerOptions(),
    wantRows: sinks.wantsRows,
    wantFacts: sinks.wantsFacts,
    file: opts.input,
    layout: vcf.layout,
    fields: opts.fields ?? DEFAULT_ANNOTATION_FIELDS,
  }).then(
    (p) => {
      started.pool = p;
      return p;
    },
    (err: unknown) => {
      started.failure = err;
      return null;
    },
  );
  const local = new LocalBlockAnnotator(pipelineRecordAnnotator(opts, sinks, known), vcf.layout);
  let queuedOnWorkers = 0;
  const counter = new SummaryCounter();
  let recordsOnUnknownContigs = 0;
  const trimmer = createHeapTrimmer();
  const inFlight: Promise<BatchResult>[] = [];
  const inFlightChars: number[] = [];
  // Output per input character swings with gene density (from ~15 to over 60 bytes on the bench
  // file), and each block's output is held whole by a worker and by this thread: blocks are sized
  // so that a result is about RESULT_BYTES. Fixed 256 KiB blocks made 30 MB results in dense
  // stretches and peak RSS grew with the input (measured: 2 threads, 100k -> 1M variants, 244 ->
  // 349 MB).
  // The latest result's ratio, not the average: dense stretches are local.
  let bytesPerChar = 0;
  const blockChars = () =>
    bytesPerChar === 0 ? BLOCK_CHARS : Math.min(BLOCK_CHARS, Math.max(MIN_BLOCK_CHARS, RESULT_BYTES / bytesPerChar));
  const settle = async () => {
    const r = await inFlight.shift()!;
    bytesPerChar = r.vcf.length / Math.max(1, inFlightChars.shift()!);
    trimmer.note(r.vcf.length);
    // A worker counts its records from 0 in each batch: they follow the records written so far.
    if (r.rows) r.rows.recordBase = counter.records;
    // Written without a copy; the buffer goes back to its worker once it is on disk.
    sinks.writeEncodedRecords(r.vcf, r.rows, r.written ?? (() => started.pool?.recycle(r)));
    // The results store's thread may be behind: wait rather than queue its rows in memory.
    await sinks.ready();
    counter.merge(r.counter);
    recordsOnUnknownContigs += r.recordsOnUnknownContigs;
    checkInputLimits(opts.limits, counter.records, vcf.inflatedBytes());
    opts.onProgress?.({ records: counter.records, bytesRead: vcf.bytesRead(), totalBytes: vcf.totalBytes });
  };
  try {
    for await (const block of vcf.blocks(blockChars)) {
      opts.signal?.throwIfAborted();
      // The size as it is read (the records are counted as results settle, a few blocks behind).
      checkInputLimits(opts.limits, 0, vcf.inflatedBytes());
      if (started.failure) throw started.failure;
      const workers = started.pool;
      if (workers && queuedOnWorkers < 2 * workers.size) {
        queuedOnWorkers++;
        inFlight.push(
          workers.submit(block).finally(() => {
            queuedOnWorkers--;
          }),
        );
      } else {
        inFlight.push(Promise.resolve(await local.annotate(block)));
        // Until the workers are up, give their "ready" message an event-loop turn to arrive.
        if (!workers) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      inFlightChars.push(block.text.length);
      // Unsettled results would reject unobserved if an earlier one fails: observe them now.
      inFlight.at(-1)!.catch(() => {});
      if (inFlight.length >= threads * 2) await settle();
    }
    while (inFlight.length) await settle();
    // A worker that could not start fails the run even if this thread did all the work: the
    // same input and options then give the same outcome however fast the workers came up.
    await starting;
    if (started.failure) throw started.failure;
    return { counter, recordsOnUnknownContigs };
  } finally {
    (await starting)?.close();
  }
}
