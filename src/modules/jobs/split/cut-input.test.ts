/** Cutting an input into chunks (cut-input.ts) and the merge's renumbering helpers. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { cutInput } from "./cut-input.ts";
import { translateEffects } from "./merge-store.ts";
import { shiftLineNumbers } from "./merge-summary.ts";

const HEADER = "##fileformat=VCFv4.2\n##contig=<ID=21>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";
const record = (i: number) => `21\t${1000 + i}\t.\tA\tG\t.\t.\t.`;

describe("cutInput", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gas-cut-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function cut(name: string, body: string | Uint8Array, lines: number) {
    const input = join(dir, `${name}.in`);
    await Bun.write(input, body);
    const out = await cutInput(input, join(dir, name), "x.vcf.gz", lines);
    return { ...out, texts: await Promise.all(out.files.map((f) => Bun.file(f).text())) };
  }

  test("every chunk is the header and its lines; the last holds the rest; joined they are the input", async () => {
    const data = Array.from({ length: 10 }, (_, i) => `${record(i)}\n`).join("");
    const r = await cut("plain", HEADER + data, 4);
    expect(r.records).toBe(10);
    expect(r.plainBytes).toBe(HEADER.length + data.length);
    expect(r.texts.map((t) => t.split("\n").filter((l) => l && !l.startsWith("#")).length)).toEqual([4, 4, 2]);
    for (const t of r.texts) expect(t.startsWith(HEADER)).toBe(true);
    expect(r.texts.map((t) => t.slice(HEADER.length)).join("")).toBe(data);
    expect(r.files.every((f) => f.endsWith("/x.vcf.gz"))).toBe(true);
  });

  test("gzip input (one member or several, as BGZF) is read decompressed; no empty last chunk", async () => {
    const data = Array.from({ length: 8 }, (_, i) => `${record(i)}\n`).join("");
    const members = new Uint8Array([
      ...Bun.gzipSync(Buffer.from(HEADER + data.slice(0, 50))),
      ...Bun.gzipSync(Buffer.from(data.slice(50))),
    ]);
    const r = await cut("gz", members, 4);
    expect(r.records).toBe(8);
    expect(r.texts).toHaveLength(2);
    expect(r.texts.map((t) => t.slice(HEADER.length)).join("")).toBe(data);
  });

  test("a last line without a newline is a record and gets one; empty lines are kept but not counted", async () => {
    const r = await cut("tail", `${HEADER}${record(0)}\n\n${record(1)}\n${record(2)}`, 2);
    expect(r.records).toBe(3);
    // Lines, not records, make a chunk: the empty line is the first chunk's second line.
    expect(r.texts.map((t) => t.slice(HEADER.length))).toEqual([`${record(0)}\n\n`, `${record(1)}\n${record(2)}\n`]);
  });

  test("a line longer than a read buffer stays whole", async () => {
    const long = `21\t5\t.\tA\tG\t.\t.\tX=${"y".repeat(3 << 20)}`;
    const r = await cut("long", `${HEADER}${record(0)}\n${long}\n${record(1)}\n`, 2);
    expect(r.records).toBe(3);
    expect(r.texts[0]!.slice(HEADER.length)).toBe(`${record(0)}\n${long}\n`);
    expect(r.texts[1]!.slice(HEADER.length)).toBe(`${record(1)}\n`);
  });

  test("no #CHROM line, or a data line before it: no chunks (the engine names the problem)", async () => {
    expect((await cut("nohdr", "##fileformat=VCFv4.2\n", 2)).files).toEqual([]);
    expect((await cut("data-first", `${record(0)}\n${HEADER}`, 2)).files).toEqual([]);
  });

  test("past the engine's limits no chunks, in bounded memory: the engine then names the problem", async () => {
    // Hostile corpus: 1 GB of NULs gzipped to ~1 MB, no newline anywhere. The header never ends;
    // the cutter held it all (a --role=all process grew to 20 GB and was OOM-killed).
    const before = process.memoryUsage.rss();
    const member = gzipSync(new Uint8Array(16 << 20));
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member)); // one gzip stream of 64 members
    const r = await cut("bomb", bomb, 2);
    expect(r.files).toEqual([]);
    expect(process.memoryUsage.rss() - before).toBeLessThan(200 << 20);
    // A data line longer than the limit (here 1 KiB), once the header is whole.
    const input = join(dir, "longline.in");
    await Bun.write(input, `${HEADER}${record(0)}\n21\t5\t.\tA\tG\t.\t.\tX=${"y".repeat(4096)}\n${record(1)}\n`);
    expect((await cutInput(input, join(dir, "longline"), "x.vcf", 1, 1024)).files).toEqual([]);
    expect((await cutInput(input, join(dir, "longline-ok"), "x.vcf", 1, 8192)).files.length).toBe(3);
  }, 60_000);
});

describe("renumbering", () => {
  test("a warning's input line moves by the chunk's offset; other text is untouched", () => {
    expect(shiftLineNumbers('x.vcf: line 12: REF "A" does not match', 700)).toBe('x.vcf: line 712: REF "A" does not match');
    expect(shiftLineNumbers("line 3: bad", 10)).toBe("line 13: bad");
    expect(shiftLineNumbers("no line number here", 10)).toBe("no line number here");
    expect(shiftLineNumbers("x.vcf: line 12: see line 40: too", 0)).toBe("x.vcf: line 12: see line 40: too");
  });

  test("packed effects get their consequence-set and feature ids translated, the rest kept", () => {
    const packed = ["1\x1f2\x1f3/9\x1fc.1A>G\x1f\x1f", "4\x1f5\x1f\x1f\x1f\x1f"].join("\x1e");
    expect(translateEffects(packed, [0, 10, 0, 0, 40], [0, 0, 20, 0, 0, 50])).toBe(
      ["10\x1f20\x1f3/9\x1fc.1A>G\x1f\x1f", "40\x1f50\x1f\x1f\x1f\x1f"].join("\x1e"),
    );
  });
});
