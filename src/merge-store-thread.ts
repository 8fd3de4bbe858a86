/**
 * Entrypoint of the compiled binary (see scripts/build-binary.ts) for the split merge's results
 * store threads: jobs/split/merge-store.ts starts `new URL("./merge-store-thread.ts",
 * import.meta.url)`, which inside the binary is served from this file at the bundle root (as
 * src/results-store-thread.ts explains). Under `bun src/main.ts` this file is unused.
 */
import "./modules/jobs/split/merge-store-thread.ts";
