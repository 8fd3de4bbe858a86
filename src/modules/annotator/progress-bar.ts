import type { AnnotateProgress } from "./annotate-file.ts";

/**
 * A one-line progress bar on stderr (records, records/s, % of input bytes), redrawn at most five
 * times a second. Only for a terminal: in a pipe or a log file it stays quiet.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_: AnnotateProgress) => {}, done: () => {} };
  const started = performance.now();
  let last = 0;
  let drawn = false;
  const draw = (p: AnnotateProgress) => {
    const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(p.records / seconds) : 0;
    stream.write(
      `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ` +
        `${p.records.toLocaleString("en-US")} records  ${rate.toLocaleString("en-US")} records/s `,
    );
    drawn = true;
  };
  return {
    update(p: AnnotateProgress) {
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      draw(p);
    },
    /** Ends the bar's line; safe to call more than once. */
    done() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}
