import { describe, expect, test } from "bun:test";
import { createProgressBar, progressLine } from "./progress-bar.ts";

describe("progress bar", () => {
  test("says what each figure counts: % of the input's bytes, records, records/s, ETA from the bytes", () => {
    const line = progressLine({ bytesRead: 6_125_000, totalBytes: 24_500_000, records: 250_000 }, 0.5);
    expect(line).toContain("[########                      ]");
    expect(line).toContain(" 25% of 24.5 MB");
    expect(line).toContain("250,000 records · 500,000 records/s");
    expect(line).toContain("ETA 0:02"); // 0.5 s for a quarter: 1.5 s to go
  });

  test("no ETA before 2 % of the input nor at the end; hours past an hour", () => {
    expect(progressLine({ bytesRead: 1, totalBytes: 1000, records: 1 }, 1)).not.toContain("ETA");
    expect(progressLine({ bytesRead: 1000, totalBytes: 1000, records: 10 }, 1)).not.toContain("ETA");
    expect(progressLine({ bytesRead: 100, totalBytes: 1000, records: 10 }, 600)).toContain("ETA 1:30:00");
  });

  test("draws on a terminal at most five times a second, stays quiet in a pipe", () => {
    let t = 0;
    const written: string[] = [];
    const bar = createProgressBar({ isTTY: true, write: (s: string) => written.push(s) }, () => t);
    const p = { bytesRead: 10, totalBytes: 100, records: 5 };
    bar.update(p);
    t = 100;
    bar.update(p); // too soon
    t = 250;
    bar.update(p);
    bar.done();
    expect(written.filter((s) => s.startsWith("\r"))).toHaveLength(2);
    expect(written.at(-1)).toBe("\n");

    const piped: string[] = [];
    const quiet = createProgressBar({ isTTY: false, write: (s: string) => piped.push(s) });
    quiet.update(p);
    quiet.done();
    expect(piped).toEqual([]);
  });
});
