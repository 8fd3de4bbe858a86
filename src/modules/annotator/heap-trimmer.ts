import { edenGC } from "bun:jsc";

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
 *
 * Between the full collections the heap's capacity still swung from ~35 to ~80 MB (sampled
 * in-process), and peak RSS came from those swings. A synchronous eden (young-generation)
 * collection every 8 MB of output takes the per-record garbage before it piles up, for no
 * measurable CPU; the full collection then pays only every 64 MB. Measured 2026-12-02, bench
 * VCFs, `--fasta --genes --threads 1`, load average 2-8, medians (peak RSS, CPU):
 * | full every | eden every | 1M (3 runs)        | 5M (2 runs)        |
 * | 32 MB      | never      | 149 MB, 4.8 s      | 156 MB, 20.8 s     |
 * | 32 MB      | 8 MB       | 132 MB, 5.0 s      | 139 MB, 20.3 s     |
 * | 64 MB      | 8 MB       | 131 MB, 4.7 s      | 137 MB, 18.0 s     |
 * | 32 MB      | 16 MB      | 134 MB, 4.6 s      |                    |
 * | never      | 8 MB       | 195 MB, 4.6 s      |                    |
 *
 * Re-measured 2026-12-03 with CSQ in the default output (~850 MB per 1M variants), timing each
 * forced collection in-process (1M, `--fasta --genes`, default threads): 12 full ones at 19-35 ms
 * and 89 eden ones at 2-7 ms, 0.5-1.3 s of the main thread in all, of 5-7 s CPU (the JIT threads'
 * FTL recompiles take ~2 s more on the other core). The live heap then is ~32 MB (96k objects), which
 * every full collection marks again. Tried, 3 runs each at load 2-8, medians: full every
 * 128 MB + eden every 16 MB halves the collections (0.3-0.5 s) but peak RSS 141 MB, max 148; full
 * every 256 MB 151-155 MB; at low load this default itself reached 144 MB (the concurrent collector
 * and JIT get their core), so the headroom under 150 MB is too small to widen the intervals.
 * Running the collection at the batch's event-loop turn (setImmediate, fewer records alive) gave
 * no lower peak; a collection only when RSS rose over its start-up level fired an eden on every
 * 4 MB (RSS stays up after a collection); JSC's fullGC()/gcAndSweep() cost the same as Bun.gc(true).
 *
 * What made the full collections necessary was promotion: an eden collection in the middle of a
 * batch found the batch's 4,096 records, their alleles, windows and transcript lists alive and
 * moved them to the old generation (~1.0 MB a collection, heapSize() before and after), where only
 * a full collection frees them. The callers now note their output at a batch's end, after
 * RecordAnnotator.endBatch() and the reader's array have let the batch go: ~0.35 MB a collection
 * (mostly the per-transcript caches filling up, which stay), and a full collection freed ~2 MB
 * where it had freed ~7, so it can run less often. Measured 2026-12-03, `--fasta --genes
 * --threads 1`; forced GC counts under load (load average 4-5, from heapSize() around each), then
 * the `gc` stage and peak RSS on the quiet machine (load < 2, 3 runs at 1M, 1 at 5M):
 * | notes at       | full every | 1M: forced GCs   | 1M quiet: gc, peak RSS   | 5M quiet: gc, peak RSS |
 * | every 1 MB out | 64 MB      | 89 eden + 12 full | 0.31 s, 128-132 MB      | 1.30 s, 131 MB         |
 * | batch end      | 64 MB      | 71 eden + 11 full | 0.25-0.34 s, 131-137 MB | 1.25 s, 135 MB         |
 * | batch end      | 128 MB     |                   | 0.24-0.26 s, 137-141 MB | 1.00 s, 135 MB         |
 * | batch end      | 256 MB     | 78 eden + 3 full  | 0.18-0.25 s, 150-158 MB |                        |
 * | batch end      | never      | 81 eden           | (146 MB under load)     |                        |
 * With known variants (`--ref data/demo`, 1M, quiet, 3 runs): every 64 MB 142-144 MB, 96 MB
 * 140-149 MB, 128 MB 148-153 MB. Longer intervals break the 150 MB bound once the concurrent
 * collector and JIT have their core, so the full collection stays at every 64 MB; what the
 * batch-end notes bring is fewer eden collections and less promoted.
 */
export function createHeapTrimmer(everyBytes = 64 << 20, edenEveryBytes = 8 << 20) {
  let since = 0;
  let sinceEden = 0;
  return {
    /** Counts output bytes; collects once enough have gone by. */
    note(bytes: number): void {
      since += bytes;
      sinceEden += bytes;
      if (since >= everyBytes) {
        since = 0;
        sinceEden = 0;
        Bun.gc(true);
      } else if (sinceEden >= edenEveryBytes) {
        sinceEden = 0;
        edenGC();
      }
    },
  };
}
