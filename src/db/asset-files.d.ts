// Bun imports any file `with { type: "file" }` as its path (embedded by `bun build --compile`);
// used for PGlite's WebAssembly and data bundle (pglite-assets.ts).
declare module "*.wasm" {
  const path: string;
  export default path;
}
declare module "*.data" {
  const path: string;
  export default path;
}
