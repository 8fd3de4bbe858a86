/**
 * Third entrypoint of the compiled binary (see scripts/build-binary.ts), for the same reason as
 * annotate-worker.ts: the annotator role's engine thread starts
 * `new URL("./engine-thread-main.ts", import.meta.url)`, which inside the binary is
 * `/$bunfs/root/engine-thread-main.ts`, served from this entrypoint at the bundle root. It only
 * loads the real module, whose top level installs the message handler. Under `bun src/main.ts`
 * the role loads the real module directly and this file is unused.
 */
import "./modules/annotator/engine-thread/engine-thread-main.ts";
