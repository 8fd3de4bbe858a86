import type { AnnotateProgress } from "../annotate-file.ts";
import type { InputLimits } from "../input-limits.ts";
import type { AnnotationFields } from "../output/annotation-fields.ts";
import type { AnnotateSummary } from "../output/annotation-summary.ts";
import type { OutputPaths } from "../output/output-sinks.ts";
import type { OpenReferenceOptions } from "../reference/bundle.ts";

/** One run of annotateFile as the engine thread takes it: everything but the reference, which it holds. */
export interface EngineRun {
  input: string;
  outputs: OutputPaths;
  command?: string;
  threads?: number;
  fields?: AnnotationFields;
  limits?: InputLimits;
}

/** Messages between the caller and the engine thread. */
export type ToEngine =
  | { type: "open"; reference: OpenReferenceOptions }
  | ({ type: "run"; id: number } & EngineRun)
  | { type: "abort"; id: number; reason: string }
  | { type: "close" };

export type FromEngine =
  | { type: "ready"; name: string; build: string; warnings: string[] }
  | { type: "progress"; id: number; progress: AnnotateProgress }
  | { type: "done"; id: number; summary: AnnotateSummary }
  | { type: "failed"; id: number | null; message: string; inputError: boolean }
  | { type: "closed" };
