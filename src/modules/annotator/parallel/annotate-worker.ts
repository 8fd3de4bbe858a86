/**
 * A worker of `--threads N`: opens its own copy of the reference (the prepared index loads in a
 * few milliseconds) and annotates the batches the pipeline sends, returning each batch's VCF
 * lines already encoded as UTF-8 so the main thread only copies bytes to the output.
 */
import { AnnotationInputError } from "../annotation-errors.ts";
import { openKnownVariants } from "../known/known-variants.ts";
import { ByteBuilder } from "../io/byte-builder.ts";
import { createHeapTrimmer } from "../heap-trimmer.ts";
import { RecordAnnotator } from "../record-annotator.ts";
import { openReference } from "../reference/bundle.ts";
import { createTranscriptSequenceCache } from "../reference/transcript-sequence.ts";
import { parseRecordBlock, type RecordLayout, VcfFormatError } from "../vcf/vcf-reader.ts";
import type { FromWorker, ToWorker } from "./worker-protocol.ts";

declare const self: Worker;

let annotator: RecordAnnotator | null = null;
let layout: RecordLayout | null = null;
/** Records annotated per prepare/annotate round, as on the single-thread path. */
const SUB_BATCH = 4096;
/** The batch's output lines, written as bytes by the annotator (no string per line). */
const out = new ByteBuilder(4 << 20);
/**
 * Result buffers the pipeline has written and sent back. Reusing them means that in steady state
 * no new buffer is allocated per batch on either thread: without this, the main thread's memory
 * swung by ~135 MB as transferred buffers waited for the collector. A result needs a few MiB
 * (~14 output bytes per input byte), varying batch to batch: buffers are sized in powers of two so
 * that one fits the next results, and at most MAX_SPARE are kept. Exact-size buffers never fitted
 * a slightly larger result and piled up here, one of the reasons RSS climbed 103 -> 442 MB over
 * the 1M-variant bench file with 2 threads.
 */
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 2;
const trimmer = createHeapTrimmer();

function resultBuffer(bytes: number): Uint8Array {
  const i = spare.findIndex((b) => b.byteLength >= bytes);
  let buffer: ArrayBuffer;
  if (i >= 0) {
    buffer = spare.splice(i, 1)[0]!;
  } else {
    spare.length = 0; // all too small for this size: let them go
    buffer = new ArrayBuffer(2 ** Math.ceil(Math.log2(Math.max(bytes, 1 << 20))));
  }
  return new Uint8Array(buffer, 0, bytes);
}

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

async function init(msg: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const reference = await openReference(msg.reference);
  const known = reference.knownPath
    ? await openKnownVariants(reference.knownPath, { resolveContig: (c) => reference.resolveContig(c) })
    : null;
  layout = msg.layout;
  annotator = new RecordAnnotator(
    reference,
    createTranscriptSequenceCache(reference.genome),
    known,
    msg.wantRows,
    msg.file,
    msg.fields,
    msg.wantFacts,
  );
}

async function annotateBatch(msg: Extract<ToWorker, { type: "batch" }>): Promise<void> {
  const a = annotator!;
  out.clear();
  try {
    for (const batch of parseRecordBlock(msg.block, layout!, SUB_BATCH)) {
      await a.prepare(batch);
      for (let i = 0; i < batch.length; i++) a.annotateInto(batch[i]!, i, out);
    }
  } catch (err) {
    if (err instanceof VcfFormatError) throw new AnnotationInputError(err.message, { cause: err });
    throw err;
  }
  trimmer.note(out.length);
  const vcf = resultBuffer(out.length);
  vcf.set(out.bytes.subarray(0, out.length));
  const rows = a.takeRows();
  const unknown = a.recordsOnUnknownContigs;
  a.recordsOnUnknownContigs = 0;
  post({ type: "result", id: msg.id, vcf, rows, counter: a.takeCounter().serialize(), recordsOnUnknownContigs: unknown }, [vcf.buffer]);
}

// Messages are handled one at a time, in order: a batch never overtakes the one before it.
let queue = Promise.resolve();
self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === "recycle") {
    if (spare.length < MAX_SPARE) spare.push(msg.buffer);
    return;
  }
  queue = queue.then(async () => {
    try {
      if (msg.type === "init") {
        await init(msg);
        post({ type: "ready" });
      } else {
        await annotateBatch(msg);
      }
    } catch (err) {
      post({
        type: "error",
        id: msg.type === "batch" ? msg.id : null,
        message: err instanceof Error ? err.message : String(err),
        inputError: err instanceof AnnotationInputError,
      });
    }
  });
};
