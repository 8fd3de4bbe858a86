/**
 * Second entrypoint of the compiled binary (see scripts/build-binary.ts). The annotator's worker
 * pool starts `new URL("./annotate-worker.ts", import.meta.url)`; inside the binary the bundled
 * main module is `/$bunfs/root/gas`, so that URL is `/$bunfs/root/annotate-worker.ts`, which Bun
 * serves from the entrypoint compiled to `annotate-worker.js` at the bundle root — this file. It
 * only loads the real worker module, whose top level installs the message handler. Under
 * `bun src/main.ts` the pool loads the real module directly and this file is unused.
 */
import "./modules/annotator/parallel/annotate-worker.ts";
