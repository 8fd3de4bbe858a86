import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readLines } from "./compressed-lines.ts";

const dir = await mkdtemp(join(tmpdir(), "gas-lines-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function linesOf(name: string, data: Uint8Array | string): Promise<string[]> {
  const path = join(dir, name);
  await writeFile(path, data);
  const out: string[] = [];
  const n = await readLines(path, (line, no) => {
    expect(no).toBe(out.length + 1);
    out.push(line);
  });
  expect(n).toBe(out.length);
  return out;
}

// Lines of every length around the 128 KiB pieces and 256 KiB chunks the reader cuts at, some
// with multi-byte characters and CRLF, one longer than a chunk, the last without a newline.
const expected: string[] = [];
for (let i = 0; i < 4000; i++) expected.push(`${i}\t${"é∑x".repeat(i % 97)}`);
expected.push("y".repeat(600_000), "after the long line", "", "last");
const text = `\uFEFF${expected
  .map((l, i) => (i % 7 === 0 ? `${l}\r\n` : `${l}\n`))
  .join("")
  .replace(/\n$/, "")}`;

test("plain and gzip: every line whole, CRLF and the BOM removed, the last line without a newline kept", async () => {
  expect(await linesOf("plain.txt", text)).toEqual(expected);
  expect(await linesOf("text.gz", gzipSync(Buffer.from(text)))).toEqual(expected);
});

test("a byte-order mark is removed at the start only", async () => {
  expect(await linesOf("bom.txt", "\uFEFFa\n\uFEFFb\n")).toEqual(["a", "\uFEFFb"]);
});
