/**
 * Another process's resident memory from Linux's /proc/<pid>/status, for benchmarks that measure a
 * GAS role from outside: the current RSS (VmRSS), the kernel's high-water mark (VmHWM, which sees
 * peaks between samples), and a sampler for when the high-water mark cannot be reset.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM…); throws when it cannot be read. */
export function procStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!m) throw new Error(`/proc/${pid}/status has no ${field} line (not Linux, or the process has exited)`);
  return Number(m[1]);
}

/**
 * Reset the process's VmHWM to its current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux 4.0+), so
 * the high-water mark read later covers only what happened since. False when the kernel refuses.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Sample VmRSS every `everyMs` until stopped; `stop()` returns the largest sample in KiB. Reading
 * /proc is synchronous and takes microseconds, so the bench's own event loop is not held up.
 */
export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let max = procStatusKb(pid, "VmRSS");
  const timer = setInterval(() => {
    try {
      max = Math.max(max, procStatusKb(pid, "VmRSS"));
    } catch {
      /* the process exited; the caller finds out from its next request */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}
