/**
 * Keeps peak memory bounded over long runs. The engine's live heap is flat (20–60 MB), but
 * JavaScriptCore lets the heap's capacity creep up between collections while the annotator
 * churns short-lived objects (~1 KB per record), so without this peak RSS grew with the input.
 * A full collection after every `everyBytes` of output caps that creep.
 *
 * Each collection is synchronous, so the interval trades wall time for memory. Measured
 * 2026-11-24 on the 1M-variant bench file, one thread, quiet 2-core machine (wall / peak RSS):
 * Bun's default mode, every 8 MB 2.61–2.72 s / 143 MB (100k variants: 126 MB); every 64 MB
 * 2.46–2.51 s / 180 MB; never 2.38–2.52 s / 225–276 MB. Smol mode (bunfig.toml, the binary and
 * the workers run in it): every 32 MB 2.28–2.37 s / 169–173 MB (100k: 144 MB); every 24 MB
 * 2.36–2.43 s / 165–172 MB; never 2.20 s / 217–238 MB. Bun.gc(false) (asynchronous) does not cap
 * RSS at all. Smol with 32 MB is the default: half of bcftools csq -l's speed with memory bounded
 * near 170 MB. Cutting the per-record allocations is what would also make memory flat.
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
