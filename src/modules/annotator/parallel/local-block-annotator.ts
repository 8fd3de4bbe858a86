/**
 * The pipeline thread's own share of `--threads N`: annotate-file.ts runs N - 1 workers and
 * annotates a block here whenever they have enough queued. A block annotated here gives the same
 * result as a worker's (annotate-worker.ts), so the output is the same whichever thread did it.
 */
import { ByteBuilder } from "../io/byte-builder.ts";
import type { RecordAnnotator } from "../record-annotator.ts";
import { parseRecordBlock, type RawBlock, type RecordLayout } from "../vcf/vcf-reader.ts";
import type { BatchResult } from "./worker-pool.ts";

/** Records per prepare/annotate round, as in the workers. */
const LOCAL_SUB_BATCH = 4096;
/** A first result buffer: a block's output is sized at ~2 MiB (annotate-file.ts, RESULT_BYTES). */
const FIRST_BUFFER_BYTES = 4 << 20;

/**
 * The pipeline thread's share of the parallel path: a block annotated here, its result shaped as
 * a worker's. Result buffers come back through `written` once on disk and are reused.
 */
export class LocalBlockAnnotator {
  private readonly spare: Uint8Array[] = [];

  constructor(
    private readonly annotator: RecordAnnotator,
    private readonly layout: RecordLayout,
  ) {}

  async annotate(block: RawBlock): Promise<BatchResult> {
    const a = this.annotator;
    const out = new ByteBuilder(0);
    out.bytes = this.spare.pop() ?? new Uint8Array(FIRST_BUFFER_BYTES);
    for (const batch of parseRecordBlock(block, this.layout, LOCAL_SUB_BATCH)) {
      await a.prepare(batch);
      for (let i = 0; i < batch.length; i++) a.annotateInto(batch[i]!, i, out);
    }
    a.endBatch();
    const unknown = a.recordsOnUnknownContigs;
    a.recordsOnUnknownContigs = 0;
    const buffer = out.bytes;
    return {
      type: "result",
      id: -1,
      vcf: buffer.subarray(0, out.length),
      rows: a.takeRows(),
      counter: a.takeCounter().serialize(),
      recordsOnUnknownContigs: unknown,
      written: () => {
        if (this.spare.length < 4) this.spare.push(buffer);
      },
    };
  }
}
