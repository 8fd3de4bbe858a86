/** The annotation engine's public surface: the annotator role and the CLI use only this. */
export { annotateFile, type AnnotateFileOptions, type AnnotateProgress } from "./annotate-file.ts";
export { AnnotationInputError } from "./annotation-errors.ts";
export type { InputLimits } from "./input-limits.ts";
export type { AnnotateSummary } from "./output/annotation-summary.ts";
export type { BrowseRow } from "./output/browse-rows.ts";
export type { OutputPaths } from "./output/output-sinks.ts";
export { DEFAULT_BUNDLE_DIR, openReference, type Reference } from "./reference/bundle.ts";
export { type BundleChecksums, bundleChecksums } from "./reference/bundle-checksums.ts";
export { type AnnotationEngine, type EngineRunOptions, startEngineThread } from "./engine-thread/engine-thread.ts";
