import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BgzipIndexedFasta } from "@gmod/indexedfasta";
import { openGenome, type GenomeReader } from "./fasta-reader.ts";
import { bgzf, DEMO_FASTA, fastaText, seededRandom } from "../../../../test/support/engine/reference-fixture.ts";

const rand = seededRandom(21);
const randomSeq = (n: number) => Array.from({ length: n }, () => "ACGTacgtN"[Math.floor(rand() * 9)]).join("");
const records = [
  { name: "chrA", seq: randomSeq(1000) },
  { name: "chrB", seq: randomSeq(257) },
  { name: "chrC", seq: randomSeq(60) },
];
const truth = new Map(records.map((r) => [r.name, r.seq.toUpperCase()]));

/** Expected fetch: 1-based inclusive, N outside the contig. */
function expected(name: string, start: number, end: number): string {
  const seq = truth.get(name)!;
  let out = "";
  for (let p = start; p <= end; p++) out += p >= 1 && p <= seq.length ? seq[p - 1] : "N";
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-fasta-"));
  const text = new TextEncoder().encode(fastaText(records));
  await writeFile(join(dir, "plain.fa"), text); // no .fai: built by scanning
  await writeFile(join(dir, "plain-indexed.fa"), text);
  await writeFile(join(dir, "crlf.fa"), fastaText(records, 50, "\r\n"));
  // Tiny BGZF blocks (100 bytes) so that fetches cross block boundaries.
  const { file, gzi } = bgzf(text, 100);
  await writeFile(join(dir, "bgzf.fa.gz"), file);
  await writeFile(join(dir, "bgzf.fa.gz.gzi"), gzi);
  await writeFile(join(dir, "bgzf-noindex.fa.gz"), file);
  await writeFile(join(dir, "plain-gzip.fa.gz"), gzipSync(text));
  await writeFile(join(dir, "irregular.fa"), ">x\nACGTACGT\nACG\nACGTACGT\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openGenome on synthetic FASTA files", () => {
  test("plain FASTA without .fai builds the index and writes it beside", async () => {
    const g = await openGenome(join(dir, "plain.fa"));
    expect(g.contigs()).toEqual(records.map((r) => ({ name: r.name, length: r.seq.length })));
    await g.close();
    // Same columns as samtools faidx: header line is 20 bytes, 60-base lines of 61 bytes.
    const fai = await readFile(join(dir, "plain.fa.fai"), "utf8");
    expect(fai.split("\n")[0]).toBe("chrA\t1000\t20\t60\t61");
  });

  test("plain, plain+fai, CRLF, BGZF+gzi and BGZF without indexes give identical fetches", async () => {
    // plain-indexed.fa gets its .fai from the first open; the second open reads it.
    for (const name of ["plain-indexed.fa", "plain-indexed.fa"]) await (await openGenome(join(dir, name))).close();
    const readers: GenomeReader[] = [];
    for (const name of ["plain.fa", "plain-indexed.fa", "crlf.fa", "bgzf.fa.gz", "bgzf-noindex.fa.gz"]) {
      readers.push(await openGenome(join(dir, name)));
    }
    const r = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const rec = records[Math.floor(r() * records.length)]!;
      const start = Math.floor(r() * (rec.seq.length + 40)) - 20;
      const end = start + Math.floor(r() * 200);
      const want = expected(rec.name, start, end);
      for (const g of readers) expect(await g.fetch(rec.name, start, end)).toBe(want);
    }
    for (const g of readers) await g.close();
  });

  test("a window slices synchronously, pads N outside the contig and refuses unloaded ranges", async () => {
    const g = await openGenome(join(dir, "bgzf.fa.gz"));
    const w = await g.window("chrB", 200, 300);
    expect(w.contig).toBe("chrB");
    expect(w.slice(250, 257)).toBe(expected("chrB", 250, 257));
    expect(w.slice(255, 262)).toBe(expected("chrB", 255, 257) + "NNNNN");
    expect(w.slice(400, 402)).toBe("NNN");
    expect(() => w.slice(150, 210)).toThrow(RangeError);
    expect(() => w.slice(150, 210)).toThrow(/does not cover chrB:150-210/);
    const edge = await g.window("chrC", -5, 3);
    expect(edge.slice(-2, 2)).toBe("NNN" + expected("chrC", 1, 2));
    await g.close();
  });

  test("unknown contig, plain gzip and unindexable FASTA give clear errors", async () => {
    const g = await openGenome(join(dir, "plain.fa"));
    expect(g.hasContig("chrA")).toBe(true);
    expect(g.hasContig("chrZ")).toBe(false);
    await expect(g.fetch("chrZ", 1, 10)).rejects.toThrow(/contig 'chrZ' is not in the FASTA/);
    await g.close();
    await expect(openGenome(join(dir, "plain-gzip.fa.gz"))).rejects.toThrow(/not BGZF.*bgzip/);
    await expect(openGenome(join(dir, "irregular.fa"))).rejects.toThrow(/irregular\.fa:4: irregular line lengths/);
    await expect(openGenome(join(dir, "missing.fa"))).rejects.toThrow(/missing\.fa: FASTA file not found/);
  });
});

describe("openGenome on the demo BGZF FASTA", () => {
  test("agrees with @gmod/indexedfasta on random windows", async () => {
    const g = await openGenome(DEMO_FASTA);
    expect(g.contigs()).toEqual([{ name: "21", length: 46709983 }]);
    const other = new BgzipIndexedFasta({ path: DEMO_FASTA, faiPath: `${DEMO_FASTA}.fai`, gziPath: `${DEMO_FASTA}.gzi` });
    const r = seededRandom(3);
    for (let i = 0; i < 100; i++) {
      const start = 24_985_000 + Math.floor(r() * 1_100_000);
      const end = start + Math.floor(r() * 2000);
      // indexedfasta takes 0-based half-open coordinates.
      expect(await g.fetch("21", start, end)).toBe((await other.getSequence("21", start - 1, end))!);
    }
    expect(await g.fetch("21", 46_709_981, 46_709_985)).toBe("NNNNN");
    await g.close();
  });

  test("repeated small windows along the chromosome are fast (block cache)", async () => {
    const g = await openGenome(DEMO_FASTA);
    const n = 5000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const p = 25_000_000 + i * 150;
      const w = await g.window("21", p - 100, p + 100);
      if (w.slice(p, p).length !== 1) throw new Error("bad slice");
    }
    const us = ((performance.now() - t0) * 1000) / n;
    console.log(`window(): ${us.toFixed(1)} µs per 201-bp window along 750 kb`);
    expect(us).toBeLessThan(200);
    await g.close();
  });
});
