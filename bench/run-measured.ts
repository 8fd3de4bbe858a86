/** One timed run of a command: wall seconds and the peak resident memory of the process tree's main process. */
export interface Measured {
  seconds: number;
  /** User + system CPU seconds of the command and its children (NaN without GNU time). */
  cpuSeconds: number;
  peakRssMb: number;
  exitCode: number;
  stderr: string;
}

export const GNU_TIME = "/usr/bin/time";

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Send the command's standard output to this file (SnpEff writes its VCF there). */
  stdoutTo?: string;
}

export async function runMeasured(cmd: string[], opts: RunOptions = {}): Promise<Measured> {
  // GNU time reports the peak RSS exactly as getrusage gives it (KiB); Bun's resourceUsage().maxRSS
  // disagreed with it here by a factor of ~3, so GNU time is used when the machine has it.
  const timeFile = `/tmp/gas-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const useGnuTime = await Bun.file(GNU_TIME).exists();
  const argv = useGnuTime ? [GNU_TIME, "-q", "-f", "%U %S %M", "-o", timeFile, ...cmd] : cmd;
  const started = performance.now();
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdout: opts.stdoutTo ? Bun.file(opts.stdoutTo) : "ignore",
    stderr: "pipe",
  });
  const stderr = await new Response(proc.stderr).text();
  const exitCode = await proc.exited;
  const seconds = (performance.now() - started) / 1000;
  let peakRssMb = Number.NaN;
  let cpuSeconds = Number.NaN;
  if (useGnuTime) {
    const [user, sys, kib] = ((await Bun.file(timeFile).text()).trim().split("\n").pop() ?? "").split(" ").map(Number);
    peakRssMb = (kib ?? Number.NaN) / 1024;
    cpuSeconds = (user ?? Number.NaN) + (sys ?? Number.NaN);
    await Bun.file(timeFile).delete();
  } else {
    const usage = proc.resourceUsage();
    peakRssMb = usage ? Number(usage.maxRSS) / 1024 : Number.NaN;
  }
  return { seconds, cpuSeconds, peakRssMb, exitCode, stderr };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `cmd` `runs` times and returns the median seconds and median peak RSS. */
export async function medianOf(runs: number, cmd: string[], opts: RunOptions = {}) {
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runMeasured(cmd, opts);
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}):\n${r.stderr.slice(-2000)}`);
    results.push(r);
  }
  return { seconds: median(results.map((r) => r.seconds)), peakRssMb: median(results.map((r) => r.peakRssMb)), runs };
}
