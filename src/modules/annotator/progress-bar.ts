import type { AnnotateProgress } from "./annotate-file.ts";

/** What the bar needs of a stream (process.stderr, or a test's recorder). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A one-line progress bar on stderr, redrawn at most five times a second, only on a terminal (in a
 * pipe or a log file it stays quiet). Every figure says what it counts: the bar and the percentage
 * are of the input file's bytes (compressed bytes for gzip/BGZF: the only total known in advance),
 * the records and records/s are VCF records, and the ETA follows from the bytes.
 *
 *   [###########                   ]  37% of 24.5 MB · 370,112 records · 412,004 records/s · ETA 0:02
 */
export function createProgressBar(stream: ProgressStream = process.stderr, now: () => number = () => performance.now()) {
  if (!stream.isTTY) return { update: (_: AnnotateProgress) => {}, done: () => {} };
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const draw = (p: AnnotateProgress) => {
    stream.write(`\r${progressLine(p, (now() - started) / 1000)}`);
    drawn = true;
  };
  return {
    update(p: AnnotateProgress) {
      const t = now();
      if (t - last < 200) return;
      last = t;
      draw(p);
    },
    /** Ends the bar's line; safe to call more than once. */
    done() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}

/** The bar's text for progress `p` after `seconds`. */
export function progressLine(p: AnnotateProgress, seconds: number): string {
  const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
  const width = 30;
  const filled = Math.round(fraction * width);
  const rate = seconds > 0 ? Math.round(p.records / seconds) : 0;
  // An estimate only once a little of the input is behind us: the first batch includes start-up.
  const eta = fraction >= 0.02 && fraction < 1 ? ` · ETA ${clock((seconds * (1 - fraction)) / fraction)}` : "";
  return (
    `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% of ${megabytes(p.totalBytes)} · ` +
    `${p.records.toLocaleString("en-US")} records · ${rate.toLocaleString("en-US")} records/s${eta} `
  );
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;

/** Seconds as m:ss, or h:mm:ss past an hour. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}
