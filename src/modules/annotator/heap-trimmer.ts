/**
 * Keeps peak memory bounded over long runs. The engine's live heap is flat (20–30 MB), but
 * JavaScriptCore lets the heap's capacity creep up between collections while the annotator
 * churns short-lived objects, so without this peak RSS grew with the input. A full collection
 * after every `everyBytes` of output caps that creep.
 *
 * Each collection is synchronous (~11–17 ms here), so the interval trades wall time for memory.
 * Measured 2026-11-24 on the bench files, one thread, smol mode (bunfig.toml; the binary and the
 * workers run in it too), 3 runs each, wall at 1M / peak RSS at 100k → 1M: every 32 MB
 * 2.07–2.17 s / 127–130 → 131–132 MB; every 64 MB 2.01–2.10 s / 130–136 → 139–142 MB; never
 * 2.02–2.04 s / 131–136 → 164–180 MB. 32 MB is the default: flat memory for ~0.1 s. (Before the
 * reader parsed one batch at a time, the same 32 MB gave 148 → 167 MB: most of the creep was
 * records kept alive long enough to reach the old generation.) Bun.gc(false), asynchronous, does
 * not cap RSS at all.
 */
export function createHeapTrimmer(everyBytes = 32 << 20) {
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
