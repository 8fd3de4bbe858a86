/**
 * PGlite's WebAssembly and filesystem bundle, imported as files so `bun build --compile` embeds
 * them in the executable. PGlite otherwise fetches them relative to its own module
 * (`new URL("./pglite.wasm", import.meta.url)`), which inside a compiled binary points into the
 * virtual `/$bunfs/root/` where nothing was put: the binary died at start with
 * `ENOENT … /$bunfs/root/pglite.data`. Under `bun src/main.ts` the same imports are the files'
 * paths in node_modules, so both ways run the same code.
 */
import initdbWasmPath from "@electric-sql/pglite/initdb.wasm" with { type: "file" };
import fsBundlePath from "@electric-sql/pglite/pglite.data" with { type: "file" };
import pgliteWasmPath from "@electric-sql/pglite/pglite.wasm" with { type: "file" };

export interface PgliteAssets {
  pgliteWasmModule: WebAssembly.Module;
  initdbWasmModule: WebAssembly.Module;
  fsBundle: Blob;
}

let compiled: Promise<PgliteAssets> | null = null;

/**
 * The options that make PGlite load its assets from the embedded files. Both modules are compiled
 * once per process (PGlite would cache them by URL; we keep the same economy for every instance).
 */
export function pgliteAssets(): Promise<PgliteAssets> {
  compiled ??= (async () => {
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
      WebAssembly.compile(await Bun.file(pgliteWasmPath).arrayBuffer()),
      WebAssembly.compile(await Bun.file(initdbWasmPath).arrayBuffer()),
    ]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: Bun.file(fsBundlePath) };
  })();
  return compiled;
}
