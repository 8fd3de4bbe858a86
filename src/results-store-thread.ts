/**
 * Entrypoint of the compiled binary (see scripts/build-binary.ts) for the results store's thread:
 * the writer starts `new URL("./results-store-thread.ts", import.meta.url)`, which inside the
 * binary is served from this file at the bundle root (as src/annotate-worker.ts explains). Under
 * `bun src/main.ts` the writer loads the real module directly and this file is unused.
 */
import "./modules/annotator/output/results-store-thread.ts";
