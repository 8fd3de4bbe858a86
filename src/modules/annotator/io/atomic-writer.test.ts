import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAtomicTextWriter } from "./atomic-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "gas-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a new file appears under its name only at commit", async () => {
  const path = join(dir, "out.txt");
  const w = await createAtomicTextWriter(path);
  w.write("hello\n");
  expect(() => statSync(path)).toThrow();
  await w.commit();
  expect(readFileSync(path, "utf8")).toBe("hello\n");
});

test("a pipe (or a device such as /dev/null) is refused, not replaced by the rename", async () => {
  const fifo = join(dir, "pipe");
  expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
  await expect(createAtomicTextWriter(fifo)).rejects.toThrow(/not a regular file/);
  expect(statSync(fifo).isFIFO()).toBe(true);
  await expect(createAtomicTextWriter(dir)).rejects.toThrow(/not a regular file/);
});
