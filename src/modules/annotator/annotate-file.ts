/**
 * The engine's entry point (README.md beside this file draws the whole pipeline): opens the VCF,
 * the reference and the outputs, then runs the batch loop on this thread (RecordAnnotator) or, with
 * several threads, hands raw blocks of lines to the worker pool and writes their results in input
 * order. The annotator role and `gas annotate` both call annotateFile.
 */
import { AnnotationInputError } from "./annotation-errors.ts";
import { type InputLimits, checkInputLimits } from "./input-limits.ts";
import { type KnownVariants, openKnownVariants } from "./known/known-variants.ts";
import { ANN_HEADER_LINE } from "./output/ann-field.ts";
import { type AnnotationFields, DEFAULT_ANNOTATION_FIELDS, PHASED_HEADER_LINES } from "./output/annotation-fields.ts";
import type { AnnotateSummary, SummaryCounter } from "./output/annotation-summary.ts";
import { CANONICAL_TAGS } from "./output/browse-rows.ts";
import { ByteBuilder } from "./io/byte-builder.ts";
import { csqHeaderLine, csqKnownKeys } from "./output/csq-field.ts";
import { type OutputPaths, OutputSinks } from "./output/output-sinks.ts";
import { createHeapTrimmer } from "./heap-trimmer.ts";
import { runParallel } from "./parallel/run-parallel.ts";
import { pipelineRecordAnnotator } from "./record-annotator.ts";
import type { Reference } from "./reference/bundle.ts";
import { openVcf, type VcfHeader, VcfFormatError } from "./vcf/vcf-reader.ts";
import { SWAP_BUFFER_BYTES } from "./io/atomic-writer.ts";
import type { StageClock } from "./stage-clock.ts";

export interface AnnotateProgress {
  records: number;
  bytesRead: number;
  totalBytes: number;
}

export interface AnnotateFileOptions {
  /** A VCF: plain, gzip or BGZF (told apart by content). */
  input: string;
  reference: Reference;
  outputs: OutputPaths;
  onProgress?: (p: AnnotateProgress) => void;
  signal?: AbortSignal;
  /** The command line or caller, recorded in the output header. */
  command?: string;
  /**
   * Annotation workers. 1 (default) annotates on the calling thread; more run batches in
   * parallel worker threads, the output keeping the input's order.
   */
  threads?: number;
  /** Which annotation INFO fields to write (default: ANN and CSQ). */
  fields?: AnnotationFields;
  /** Decompressed size and record count the input may not exceed (the service's plans). */
  limits?: InputLimits;
  /**
   * `--timings`: where the wall time goes, stage by stage (stage-clock.ts). Its first lap, taken
   * when the run starts, ends the caller's setup (opening the reference).
   */
  stages?: StageClock;
}

/**
 * Annotates one VCF file, streaming: memory depends on the batch size, not on the input.
 * Every output is written under a temporary name and renamed only when the whole input has been
 * read, so a failed run leaves nothing that looks complete. Bad input throws AnnotationInputError.
 */
export async function annotateFile(opts: AnnotateFileOptions): Promise<AnnotateSummary> {
  const started = performance.now();
  const { reference } = opts;
  const vcf = await asInputError(() => openVcf(opts.input));
  const known = reference.knownPath
    ? await openKnownVariants(reference.knownPath, { resolveContig: (c) => reference.resolveContig(c) })
    : null;
  let sinks: OutputSinks | null = null;
  try {
    const header = renderHeader(
      vcf.header,
      reference,
      known?.infoHeaderLines() ?? [],
      opts.fields ?? DEFAULT_ANNOTATION_FIELDS,
      opts.command,
    );
    sinks = await OutputSinks.open(opts.outputs, header, `${reference.name} (${reference.build})`, {
      samples: vcf.header.samples,
      canonicalTagged: reference.transcripts.someTagged(CANONICAL_TAGS),
      pick: opts.fields?.pick ?? "none",
    });
    const threads = Math.max(1, Math.floor(opts.threads ?? 1));
    const run = threads > 1 ? runParallel : runOnThisThread;
    opts.stages?.lap("setup");
    const { counter, recordsOnUnknownContigs } = await asInputError(() => run(vcf, sinks!, known, opts, threads));
    if (threads > 1) opts.stages?.lap("workers");
    const summary = counter.finish(opts.input, `${reference.name} (${reference.build})`, (performance.now() - started) / 1000);
    if (summary.records > 0 && recordsOnUnknownContigs === summary.records) {
      throw new AnnotationInputError(
        `${opts.input}: no record is on a contig of the reference ${reference.name}; ${summary.warnings[0] ?? ""}`,
      );
    }
    await sinks.commit(summary);
    opts.stages?.lap("finish");
    return summary;
  } catch (err) {
    await sinks?.abort();
    throw err;
  } finally {
    await Promise.allSettled([vcf.close(), known?.close()]);
  }
}

export interface RunResult {
  counter: SummaryCounter;
  recordsOnUnknownContigs: number;
}

export type VcfInput = Awaited<ReturnType<typeof openVcf>>;

/**
 * VCF bytes collected before they are handed to the writer, which takes the buffer itself
 * (SWAP_BUFFER_BYTES, room for a long last line) and writes it without a copy.
 */
const HANDOFF_BYTES = 1 << 20;

/**
 * One thread: prepare a batch (async I/O), then annotate it record by record, each line written
 * as UTF-8 straight into a byte buffer (no per-line string: see ByteBuilder).
 */
async function runOnThisThread(
  vcf: VcfInput,
  sinks: OutputSinks,
  known: KnownVariants | null,
  opts: AnnotateFileOptions,
): Promise<RunResult> {
  const annotator = pipelineRecordAnnotator(opts, sinks, known);
  const out = new ByteBuilder(SWAP_BUFFER_BYTES);
  const trimmer = createHeapTrimmer();
  const clock = opts.stages ?? null;
  annotator.clock = clock;
  // Output bytes handed to the writer so far, and the total the trimmer has been told of.
  let handed = 0;
  let noted = 0;
  const handOff = () => {
    clock?.lap("annotate");
    handed += out.length;
    sinks.handOff(out, annotator.takeRows());
    clock?.lap("write");
  };
  for await (const batch of vcf.batches()) {
    clock?.lap("read");
    opts.signal?.throwIfAborted();
    await annotator.prepare(batch);
    clock?.lap("reference");
    for (let i = 0; i < batch.length; i++) {
      annotator.annotateInto(batch[i]!, i, out);
      if (out.length >= HANDOFF_BYTES) handOff();
    }
    clock?.lap("annotate");
    // Collections run between batches, when the batch's records and alleles are garbage (the
    // records are let go here: the reader does not reuse a batch's array once it has yielded it).
    batch.length = 0;
    annotator.endBatch();
    trimmer.note(handed + out.length - noted);
    noted = handed + out.length;
    clock?.lap("gc");
    checkInputLimits(opts.limits, annotator.counter.records, vcf.inflatedBytes());
    opts.onProgress?.({ records: annotator.counter.records, bytesRead: vcf.bytesRead(), totalBytes: vcf.totalBytes });
    // Most batches need no real I/O, so their awaits resolve as microtasks and libuv never gets a
    // turn: the writer's background writes and fsync would not complete (measured: 258 of 262
    // output chunks fell back to synchronous writes). One event-loop turn per batch lets them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await sinks.ready();
    clock?.lap("write");
  }
  clock?.lap("read");
  handOff();
  return { counter: annotator.counter, recordsOnUnknownContigs: annotator.recordsOnUnknownContigs };
}

/** Input header plus the engine's lines, just before `#CHROM`; an older ANN / CSQ definition is replaced. */
function renderHeader(h: VcfHeader, ref: Reference, knownLines: readonly string[], fields: AnnotationFields, command?: string): string {
  const ownInfo = (line: string) =>
    (fields.ann && line.startsWith("##INFO=<ID=ANN,")) ||
    (fields.csq && line.startsWith("##INFO=<ID=CSQ,")) ||
    line.startsWith("##INFO=<ID=KNOWN_") ||
    (fields.phased === true && (line.startsWith("##INFO=<ID=HCSQ") || line.startsWith("##FORMAT=<ID=HCSQ,")));
  const meta = h.metaLines.filter((l) => !ownInfo(l) && !l.startsWith("##GAS"));
  const added = [
    ...(fields.ann ? [ANN_HEADER_LINE] : []),
    ...(fields.csq ? [csqHeaderLine(csqKnownKeys(knownLines), fields.pick === "flag-pick")] : []),
    ...(fields.phased ? PHASED_HEADER_LINES : []),
    ...knownLines,
    `##GAS_reference=<Name="${ref.name.replace(/"/g, "'")}",Build=${ref.build}>`,
    ...(command ? [`##GAS_command=${command}`] : []),
  ];
  return `${[...meta, ...added, h.columnLine].join("\n")}\n`;
}

/** Reader errors are the user's input problems: give them the type the service shows to users. */
async function asInputError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof VcfFormatError) throw new AnnotationInputError(err.message, { cause: err });
    throw err;
  }
}
