/**
 * Fourth entrypoint of the compiled binary (see scripts/build-binary.ts), for the same reason as
 * engine-thread-main.ts: the web role's results query threads start
 * `new URL("./results-query-thread-main.ts", import.meta.url)`, which inside the binary is
 * `/$bunfs/root/results-query-thread-main.ts`, served from this entrypoint. It only loads the real
 * module, whose top level installs the message handler.
 */
import "./modules/results/results-query-thread-main.ts";
