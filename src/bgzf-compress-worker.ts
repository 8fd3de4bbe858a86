/**
 * Entrypoint of the compiled binary (see scripts/build-binary.ts), for the same reason as
 * annotate-worker.ts: a BGZF output's compressor thread is started as
 * `new URL("./bgzf-compress-worker.ts", import.meta.url)`, which inside the binary is
 * `/$bunfs/root/bgzf-compress-worker.ts`, served from this entrypoint at the bundle root. It only
 * loads the real module, whose top level installs the message handler. Under `bun src/main.ts`
 * the writer loads the real module directly and this file is unused.
 */
import "./modules/annotator/io/bgzf-compress-worker.ts";
