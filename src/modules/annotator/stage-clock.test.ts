import { expect, test } from "bun:test";
import { join } from "node:path";
import { DEMO_VCF_DIR, runGas, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { StageClock } from "./stage-clock.ts";

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};

test("a charged stretch is taken out of the lap it ran inside, so the stages add up to the wall time", () => {
  const clock = new StageClock();
  const started = performance.now();
  busy(20);
  const nested = performance.now();
  busy(30);
  const nestedMs = performance.now() - nested;
  clock.charge("format", nestedMs);
  clock.lap("annotate");
  const lapped = performance.now();
  busy(10);
  clock.lap("write");
  const wall = (performance.now() - started) / 1000;
  expect(clock.seconds.format).toBe(nestedMs / 1000);
  // The lap's own time without the nested 30 ms (a millisecond of slack for the clock reads).
  expect(Math.abs(clock.seconds.annotate - (lapped - started - nestedMs) / 1000)).toBeLessThan(0.001);
  const total = Object.values(clock.seconds).reduce((a, b) => a + b, 0);
  expect(Math.abs(total - wall)).toBeLessThan(0.001);
  expect(clock.describe()).toMatch(/^stages \(s\): annotate \d+\.\d\d, format \d+\.\d\d, write \d+\.\d\d; total \d+\.\d\d$/);
});

test("gas annotate --timings prints the stage line on standard error, also with --quiet", async () => {
  const d = tempDir("timings");
  const r = await runGas(["annotate", join(DEMO_VCF_DIR, "test.vcf"), "-o", join(d, "out.vcf"), "--quiet", "--timings", "--threads", "1"]);
  expect(r.exitCode).toBe(0);
  const line = r.stderr.split("\n").find((l) => l.startsWith("stages (s):"));
  expect(line).toBeDefined();
  for (const stage of ["setup", "read", "reference", "annotate", "format", "finish"]) expect(line).toContain(`${stage} `);
}, 30_000);
