/**
 * How many annotation threads `gas annotate` uses when `--threads` is not given.
 *
 * A thread more is not free: each one is its own JavaScriptCore VM, which profiles and compiles
 * the hot code again on the process's JIT compiler threads. And a one-thread run does not leave
 * the second core idle: its JIT threads, the thread pool that writes the output and the
 * collector's helpers run beside the pipeline thread. Measured per thread (bench/thread-cpu.ts
 * samples /proc/<pid>/task/*; `--fasta --genes`, output on /dev/shm, 2 cores, medians of 3,
 * alternating, 2026-12-03, load average 5-9 from other work, so CPU seconds are the figures):
 *
 * | variants, threads | CPU  | pipeline | worker | JIT  | writes | GC   | peak RSS |
 * |-------------------|------|----------|--------|------|--------|------|----------|
 * | 1M, 1             | 4.65 | 2.69     |        | 1.49 | 0.26   | 0.11 | 133 MB   |
 * | 1M, 2             | 6.75 | 1.98     | 1.52   | 2.38 | 0.44   | 0.20 | 205 MB   |
 * | 5M, 1             | 17.3 | 12.4     |        | 2.33 | 1.48   | 0.61 | 132 MB   |
 * | 5M, 2             | 22.7 | 7.9      | 6.4    | 4.03 | 2.61   | 0.99 | 196 MB   |
 *
 * A one-thread run's wall time is about its pipeline thread's CPU (best 1M run: 2.98 s wall), while
 * two threads cannot finish before their total CPU over two cores. So on an idle 2-core machine
 * `--threads 2` can at best reach 2 x 2.98 / 6.75 = 0.9x of one thread at 1M and about
 * 2 x 12.7 / 22.7 = 1.1x at 5M, for ~65 MB more peak memory. The second VM costs +0.9 s (1M) and
 * +1.7 s (5M) of JIT, +30 % (1M) and +16 % (5M) of annotation CPU (colder code, a shared cache),
 * and the same bytes cost +1.1 s more to write at 5M (copies competing with two busy cores).
 * Scheduling cannot win that back (a deeper queue or 4 MiB results moved the CPU by under 7 %,
 * within the noise, and a deeper queue costs 30-90 MB). `BUN_JSC_useFTLJIT=0` cuts two threads'
 * JIT to 0.5 s but slows the code itself (1M, 1 thread: pipeline 3.4-4.1 s instead of 2.7-2.9 s;
 * 5M, 2 threads: 21.2-21.9 s CPU, no better), and JSC options are process-wide.
 * A `.vcf.gz` output (the service's) makes the second core busier still: its BGZF compression runs
 * on a thread of its own (io/bgzf-compressor.ts; 5M, 1 thread: pipeline 15-17.6 s, compressor
 * 7.2-8.4 s, JIT 2.5-3.2 s), and with 2 threads the same 5M took 33.5-39.9 s of CPU.
 * Hence: one thread unless at least three cores are idle (one left to the compiler threads) and the
 * input is big enough for the workers' warm-up to be repaid. The rule for more than two cores is
 * reasoned from these figures, not measured (this project's machines have two).
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
