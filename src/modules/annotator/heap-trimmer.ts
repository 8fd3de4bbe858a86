/**
 * Keeps peak memory flat over long runs. The engine's live heap is flat (20–60 MB), but
 * JavaScriptCore lets the heap's capacity creep up between collections while the annotator
 * churns short-lived objects, so peak RSS grew with the input: +40 % from 100k to 1M variants
 * (bench/annotate.ts). A full collection after every `everyBytes` of output caps that creep;
 * every 8 MB (about 50 collections per million variants, ~10 % CPU) held peak RSS at +13 % from
 * 100k to 1M variants instead of +40 %.
 *
 * The price is wall time: each collection is synchronous. Measured 2026-11-24 on the 1M-variant
 * bench file, one thread, quiet 2-core machine (wall / peak RSS, two runs each): every 8 MB
 * 2.92–3.03 s / 144 MB; 32 MB 2.55–2.61 s / 168 MB; 64 MB 2.46–2.51 s / 177–181 MB; never
 * 2.47–2.52 s / 234–276 MB. Bun.gc(false) (asynchronous) does not cap RSS (206 MB). The heap
 * creeps because the engine allocates ~1 KB of short-lived objects per record (JSC's GC log:
 * ~40 % of it in the reader's per-field strings): cutting that is what would give both the speed
 * and the flat memory; until then this keeps memory flat first.
 */
export function createHeapTrimmer(everyBytes = 8 << 20) {
  let since = 0;
  return {
    /** Counts output bytes; collects once enough have gone by. */
    note(bytes: number): void {
      since += bytes;
      if (since < everyBytes) return;
      since = 0;
      Bun.gc(true);
    },
  };
}
