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
/**
 * The batch's output lines, written as bytes by the annotator (no string per line) straight into
 * the buffer that is then transferred to the pipeline: no copy on this thread, and none on the
 * pipeline's, which writes it to disk as it is and hands it back (a "recycle" message) once written.
 * Reusing the buffers means that in steady state no new buffer is allocated per batch on either
 * thread: without this, the main thread's memory swung by ~135 MB as transferred buffers waited
 * for the collector. At most MAX_SPARE are kept (batches in flight plus writes in flight).
 */
const out = new ByteBuilder(0);
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 4;
/** A first result buffer: a block's output is sized at ~2 MiB (annotate-file.ts, RESULT_BYTES). */
const FIRST_BUFFER_BYTES = 4 << 20;
const trimmer = createHeapTrimmer();

/** The largest spare buffer, or a new one. */
function resultBuffer(): Uint8Array {
  if (spare.length === 0) return new Uint8Array(FIRST_BUFFER_BYTES);
  let best = 0;
  for (let i = 1; i < spare.length; i++) if (spare[i]!.byteLength > spare[best]!.byteLength) best = i;
  return new Uint8Array(spare.splice(best, 1)[0]!);
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
  out.bytes = resultBuffer();
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
  a.endBatch();
  trimmer.note(out.length);
  const vcf = out.bytes.subarray(0, out.length); // a view of the whole buffer, which is transferred
  out.bytes = EMPTY;
  const rows = a.takeRows();
  const unknown = a.recordsOnUnknownContigs;
  a.recordsOnUnknownContigs = 0;
  post({ type: "result", id: msg.id, vcf, rows, counter: a.takeCounter().serialize(), recordsOnUnknownContigs: unknown }, [vcf.buffer]);
}

const EMPTY = new Uint8Array(0);

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
