/**
 * Keeps peak memory flat over long runs. The engine's live heap is flat (20–60 MB), but
 * JavaScriptCore lets the heap's capacity creep up between collections while the annotator
 * churns short-lived objects, so peak RSS grew with the input: +40 % from 100k to 1M variants
 * (bench/annotate.ts). A full collection after every `everyBytes` of output caps that creep;
 * every 8 MB (about 50 collections per million variants, ~10 % CPU) held peak RSS at +13 % from
 * 100k to 1M variants instead of +40 %.
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
