import type { AnnotationFields } from "../output/annotation-fields.ts";
import type { SerializedCounter } from "../output/annotation-summary.ts";
import type { RowBatch } from "../output/browse-rows.ts";
import type { OpenReferenceOptions } from "../reference/bundle.ts";
import type { RawBlock, RecordLayout } from "../vcf/vcf-reader.ts";

/** Messages between the pipeline and its annotation workers. */
export type ToWorker =
  | {
      type: "init";
      reference: OpenReferenceOptions;
      wantRows: boolean;
      /** Also the results store's facts and issues (RowBatch). */
      wantFacts: boolean;
      file: string;
      layout: RecordLayout;
      fields: AnnotationFields;
    }
  | { type: "batch"; id: number; block: RawBlock }
  /** A result buffer the pipeline has written, handed back for reuse. */
  | { type: "recycle"; buffer: ArrayBuffer };

export type FromWorker =
  | { type: "ready" }
  | {
      type: "result";
      id: number;
      /** Index of the worker that produced it (set by the pool, for recycling). */
      worker?: number;
      /** The batch's annotated VCF lines, UTF-8 (transferred, not copied). */
      vcf: Uint8Array;
      /** Its rows; `rec` ordinals count from 0 at the batch's first record. */
      rows: RowBatch | null;
      counter: SerializedCounter;
      recordsOnUnknownContigs: number;
    }
  | { type: "error"; id: number | null; message: string; inputError: boolean };
