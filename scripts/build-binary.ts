/**
 * `bun run build`: compiles the single executable dist/gas (linux-x64 on the CI and the hosts).
 *
 * - Entrypoints: src/main.ts and every thread's module (annotate-worker, engine-thread-main,
 *   results-query-thread-main, ... listed in `cmd` below). Bun embeds a Worker's module only when it
 *   is an entrypoint of the compile; the others land at the bundle root, where the annotator's
 *   engine thread and its pool, and the web role's results query threads, look for them (see
 *   those files).
 * - Embedded: migrations (.sql text imports), static assets, PGlite's wasm and data bundle
 *   (src/db/pglite-assets.ts), package version; the commit and build time through --define.
 * - Not embedded: the reference bundle. The demo bundle is ~30 MB of genome, gene models and known
 *   variants and production replaces it with a full GRCh38 bundle (GBs) that the annotator reads by
 *   random access; the binary is one file per release, the reference a folder per genome build.
 *   So the reference ships beside the binary and REFERENCE_DIR points at it (ansible copies
 *   data/demo to /opt/gas/reference/demo by default).
 *
 * Usage: bun scripts/build-binary.ts [--outfile dist/gas]
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { outfile: { type: "string", default: "dist/gas" } } });
const root = new URL("..", import.meta.url).pathname;

function git(...args: string[]): string | null {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}
const head = git("rev-parse", "--short=12", "HEAD") ?? "unknown";
// A binary built from uncommitted changes says so: its commit alone does not describe it.
const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "package.json", "bun.lock");
const commit = dirty ? `${head}-dirty` : head;
const builtAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");

const target = process.platform === "linux" && process.arch === "x64" ? [] : ["--target=bun-linux-x64"];
const cmd = [
  process.execPath,
  "build",
  "src/main.ts",
  "src/annotate-worker.ts",
  "src/engine-thread-main.ts",
  // The results store's writer thread (annotator/output/results-store-thread.ts), as above.
  "src/results-store-thread.ts",
  // The split merge's results store threads (jobs/split/merge-store-thread.ts), as above.
  "src/merge-store-thread.ts",
  "src/results-query-thread-main.ts",
  // A BGZF output's compressor thread (annotator/io/bgzf-compressor.ts), as above.
  "src/bgzf-compress-worker.ts",
  "--compile",
  ...target,
  // Bytecode: the 140 MB binary starts in ~60 ms instead of ~450 ms (no parse of the bundle at
  // start). It needs ESM output for main.ts's top-level await. Not minified: stack traces keep names.
  "--bytecode",
  "--format=esm",
  // Smol mode, as bunfig.toml sets it for `bun src/main.ts`: see there and heap-trimmer.ts.
  "--compile-exec-argv=--smol",
  "--outfile",
  values.outfile,
  "--define",
  `GAS_COMMIT=${JSON.stringify(commit)}`,
  "--define",
  `GAS_BUILT_AT=${JSON.stringify(builtAt)}`,
];
const r = Bun.spawnSync(cmd, { cwd: root, stdout: "inherit", stderr: "inherit" });
if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
console.log(`built ${values.outfile}: commit ${commit}`);
