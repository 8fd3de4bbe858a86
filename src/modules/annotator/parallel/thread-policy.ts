/**
 * How many annotation threads `gas annotate` uses when `--threads` is not given.
 *
 * A thread more is not free: each one is its own JavaScriptCore VM, which profiles and compiles
 * the hot code again on the process's JIT compiler threads. Even one thread keeps a second core
 * busy compiling: measured with `perf record` on the 1M-variant bench file (`--fasta --genes`,
 * 2 cores), the JIT threads took 31 % of a one-thread run's CPU (DFG + FTL; `transcriptEntry` and
 * `writeEffectEntry` are each FTL-compiled several times, ~1 s apiece). With `--threads 2` the two
 * VMs' compiles and the two annotating threads share the 2 cores, compiled code arrives later, and
 * more of the run is spent in the slower tiers. Measured 2026-12-03 (load average 5-19 from other
 * work, so CPU seconds, user + system, are the figures to compare; runs alternated):
 *
 * | variants | --threads 1 (CPU, peak RSS) | --threads 2 (CPU, peak RSS) | CPU, run by run |
 * |----------|----------------------------|-----------------------------|-----------------|
 * | 1M       | 6.4-8.7 s, 130-137 MB      | 8.0-11.2 s, 183-210 MB      | +26 to +31 %    |
 * | 5M       | 20.1-21.6 s, 135-140 MB    | 26.5-26.9 s, 197-204 MB     | +30 %           |
 *
 * A one-thread run's wall time is about its main thread's CPU (the JIT runs beside it on the other
 * core), so on an idle 2-core machine two threads can at best reach ~1.25x at 5M and lose at 1M,
 * for ~60 MB more peak memory (the second VM's heap swings and its result buffers). Hence: one
 * thread unless at least three cores are idle (one left to the compiler threads) and the input is
 * big enough for the workers' warm-up to be repaid. The rule for more than two cores is reasoned
 * from these figures, not measured (this project's machines have two).
 */

/** Decompressed input below which one thread is used (about 2.6M variants of the bench file). */
export const PARALLEL_MIN_BYTES = 64 << 20;
/** Idle cores needed before a worker is added: one stays free for the JIT compiler threads. */
const MIN_IDLE_CORES = 3;
/**
 * A gzip/BGZF input's size is multiplied by this to estimate its decompressed size: the bench file
 * (sites only) compresses 5.8x with gzip -1; VCFs with samples compress more, so this errs low.
 */
const GZIP_RATIO_LOW = 4;

/**
 * The cores no other process is using (the 1-minute load average taken off), at least one. A
 * worker only pays on a core of its own: on this project's 2-core machine under a load average of
 * 10-20 from other processes, 2 threads took 1.4-2x the wall time of 1 thread at 1M and 5M
 * variants (bench/annotate.ts), as every thread more costs CPU (its own JIT, GC and copies).
 */
export function idleCores(cores: number, load: number): number {
  return Math.max(1, Math.min(cores, Math.round(cores - load)));
}

/** The default thread count for an input of about `inputBytes` decompressed (see the header). */
export function defaultThreads(machine: { cores: number; load: number }, inputBytes: number): number {
  const idle = idleCores(machine.cores, machine.load);
  if (inputBytes < PARALLEL_MIN_BYTES || idle < MIN_IDLE_CORES) return 1;
  return idle - 1;
}

/**
 * The input's decompressed size, estimated from its size on disk (gzip and BGZF start 1f 8b). An
 * unreadable input counts as empty: the engine opens it next and names the problem.
 */
export async function estimatedInputBytes(path: string): Promise<number> {
  const file = Bun.file(path);
  try {
    const magic = new Uint8Array(await file.slice(0, 2).arrayBuffer());
    return magic[0] === 0x1f && magic[1] === 0x8b ? file.size * GZIP_RATIO_LOW : file.size;
  } catch {
    return 0;
  }
}
