/**
 * Per-run input limits (issue 13 item 4): a file over its decompressed size or record limit fails
 * with a message naming the limit and who set it, on one thread and on several, and leaves no
 * output behind (nothing half-written that looks like a result). A file within them is annotated.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DEMO_VCF_DIR, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { AnnotationInputError, annotateFile, DEFAULT_BUNDLE_DIR, openReference, type Reference } from "./index.ts";

const demo = readFileSync(join(DEMO_VCF_DIR, "test.vcf"), "utf8");
const header = demo.split("\n").filter((l) => l.startsWith("#"));
const records = demo.split("\n").filter((l) => l && !l.startsWith("#"));

let root: string;
let reference: Reference;
beforeAll(async () => {
  root = tempDir("input-limits");
  reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR, known: null });
});
afterAll(async () => {
  await reference?.close();
  rmSync(root, { recursive: true, force: true });
});

let runs = 0;
/** Annotates a gzip of the demo records repeated `times` times; its outcome and what is left in the output folder. */
async function run(times: number, limits: Parameters<typeof annotateFile>[0]["limits"], threads = 1) {
  const dir = join(root, `run-${++runs}`);
  const out = join(dir, "out");
  mkdirSync(out, { recursive: true });
  const input = join(dir, "in.vcf.gz");
  const body = Array.from({ length: times }, () => records.join("\n")).join("\n");
  writeFileSync(input, gzipSync(`${header.join("\n")}\n${body}\n`));
  const outputs = { vcf: join(out, "out.vcf.gz"), log: join(out, "out.log"), store: join(out, "out.sqlite") };
  try {
    const summary = await annotateFile({ input, reference, outputs, limits, threads });
    return { summary, error: null, left: readdirSync(out) };
  } catch (error) {
    return { summary: null, error: error as Error, left: readdirSync(out) };
  }
}

for (const threads of [1, 2]) {
  describe(`input limits, ${threads} thread${threads > 1 ? "s" : ""}`, () => {
    test("over the record limit: fails naming the limit and the plan, leaves no output", async () => {
      // 132 records × 200 = 26,400: far past one batch (4,096) and several parallel blocks.
      const r = await run(200, { maxRecords: 5000, setBy: "free plan", advice: "Upgrade to Premium." });
      expect(r.error).toBeInstanceOf(AnnotationInputError);
      expect(r.error?.message).toBe(
        "free plan: at most 5,000 variants per job; this file has more, so it was not annotated. Upgrade to Premium.",
      );
      expect(r.left).toEqual([]);
    }, 60_000);

    test("over the decompressed size limit: fails naming it, whatever the compressed size", async () => {
      const r = await run(400, { maxInputBytes: 1_000_000, setBy: "free plan" });
      expect(r.error).toBeInstanceOf(AnnotationInputError);
      expect(r.error?.message).toBe(
        "free plan: at most 1,000,000 bytes of VCF per job once decompressed; this file is larger, so it was not annotated.",
      );
      expect(r.left).toEqual([]);
    }, 60_000);

    test("within both limits: annotated as usual", async () => {
      const r = await run(2, { maxRecords: records.length * 2, maxInputBytes: 1_000_000, setBy: "free plan" });
      expect(r.error).toBeNull();
      expect(r.summary?.records).toBe(records.length * 2);
      // No .tbi: the repeated records are out of order.
      expect(r.left.sort()).toEqual(["out.log", "out.sqlite", "out.vcf.gz"]);
    }, 60_000);
  });
}
