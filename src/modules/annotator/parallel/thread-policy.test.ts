import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { defaultThreads, estimatedInputBytes, idleCores, PARALLEL_MIN_BYTES } from "./thread-policy.ts";

describe("the idle cores", () => {
  test("an idle machine has every core idle", () => {
    expect(idleCores(2, 0)).toBe(2);
    expect(idleCores(8, 0.4)).toBe(8);
  });
  test("a busy machine has what is left, and never less than one", () => {
    expect(idleCores(8, 3.2)).toBe(5);
    expect(idleCores(2, 1.6)).toBe(1);
    expect(idleCores(2, 14)).toBe(1);
  });
});

describe("the default thread count", () => {
  const big = PARALLEL_MIN_BYTES;
  test("two idle cores: one thread whatever the input (the other core compiles; measured in thread-policy.ts)", () => {
    expect(defaultThreads({ cores: 2, load: 0 }, 10 * big)).toBe(1);
  });
  test("three or more idle cores: the idle cores less one, for a big input only", () => {
    expect(defaultThreads({ cores: 4, load: 0 }, big)).toBe(3);
    expect(defaultThreads({ cores: 8, load: 3.2 }, big)).toBe(4);
    expect(defaultThreads({ cores: 8, load: 0 }, big - 1)).toBe(1);
    expect(defaultThreads({ cores: 4, load: 2 }, 10 * big)).toBe(1);
  });
});

describe("the input's decompressed size, estimated", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gas-thread-policy-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("plain: its size; gzip: four times its size; missing: zero", async () => {
    const text = "##fileformat=VCFv4.2\n".repeat(1000);
    writeFileSync(join(dir, "a.vcf"), text);
    const gz = gzipSync(text);
    writeFileSync(join(dir, "a.vcf.gz"), gz);
    expect(await estimatedInputBytes(join(dir, "a.vcf"))).toBe(text.length);
    expect(await estimatedInputBytes(join(dir, "a.vcf.gz"))).toBe(gz.length * 4);
    expect(await estimatedInputBytes(join(dir, "missing.vcf"))).toBe(0);
  });
});
