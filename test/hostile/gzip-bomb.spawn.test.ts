/**
 * Issue 13 item 3: gzip bombs. A 147 KB upload of compressed header lines raised the annotator's
 * memory by ~1.8 GB. A child `gas annotate` is given generated bombs (gzip of many header lines,
 * of one endless header line, of a highly repetitive body): its peak RSS stays near that of
 * annotating the demo VCF, and it fails with a reason that names the limit it hit.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { GNU_TIME, runMeasured } from "../../bench/run-measured.ts";

const REPO = join(import.meta.dir, "..", "..");
const MAIN = join(REPO, "src", "main.ts");
const DEMO_VCF = join(REPO, "data", "demo", "vcf", "test.vcf");
const COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-bomb-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** gzip (level 9) of `head`, then `chunk` × `times`, then `tail`, streamed: the test holds 1 MiB at most. */
async function gzipBomb(
  name: string,
  head: string,
  chunk: string | ((i: number) => string),
  times: number,
  tail = "",
): Promise<{ path: string; bytes: number }> {
  const path = join(dir, name);
  async function* parts() {
    yield Buffer.from(head);
    const c = typeof chunk === "string" ? Buffer.from(chunk) : null;
    for (let i = 0; i < times; i++) yield c ?? Buffer.from((chunk as (i: number) => string)(i));
    yield Buffer.from(tail);
  }
  await pipeline(Readable.from(parts()), createGzip({ level: 9 }), createWriteStream(path));
  return { path, bytes: Bun.file(path).size };
}

/**
 * The child's own peak RSS comes from GNU time (bench/run-measured.ts). Bun's
 * `resourceUsage().maxRSS` does not give it here: inside the full suite it read 1,399 MB for every
 * child, the largest of any child the test process had waited for (a browser, a PostgreSQL), so
 * every bound passed. Without GNU time runMeasured would fall back to it, so the test skips.
 */
const hasTime = existsSync(GNU_TIME);
if (!hasTime) console.warn("gzip-bomb.spawn.test.ts: SKIPPED — /usr/bin/time (Debian package time) measures the child's peak RSS");

/** Runs `gas annotate` on `input` in a child process; its exit code, stderr and peak RSS in MB. */
async function annotate(input: string) {
  const r = await runMeasured(["bun", MAIN, "annotate", input, "-o", join(dir, "out.vcf"), "--threads", "1", "--quiet"]);
  const peakMb = Math.round(r.peakRssMb);
  console.log(`${input.split("/").pop()}: exit ${r.exitCode}, peak RSS ${peakMb} MB, ${r.stderr.trim().slice(0, 300)}`);
  return { code: r.exitCode, stderr: r.stderr, peakMb };
}

/** Peak RSS of a child annotating the demo VCF: what any run costs. */
let baselineMb = 0;
const HEADROOM_MB = 150;

describe.skipIf(!hasTime)("hostile: gzip bombs through gas annotate", () => {
  test("the demo VCF, for the baseline", async () => {
    const r = await annotate(DEMO_VCF);
    expect(r.code).toBe(0);
    baselineMb = r.peakMb;
    expect(baselineMb).toBeGreaterThan(10);
  }, 60_000);

  test("many header lines: 512 MiB of ## lines", async () => {
    const line = '##INFO=<ID=X,Number=1,Type=String,Description="padding padding padding padding">\n';
    const chunk = line.repeat(Math.floor((1 << 20) / line.length));
    const bomb = await gzipBomb("lines.vcf.gz", "##fileformat=VCFv4.2\n", chunk, 512, `${COLUMNS}21\t1\t.\tA\tG\t.\tPASS\t.\n`);
    expect(bomb.bytes).toBeLessThan(4 << 20);
    const r = await annotate(bomb.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lines.vcf.gz: line \d+/);
    expect(r.stderr).toMatch(/compression ratio limit/); // repeated lines inflate ~1000:1
    expect(r.peakMb).toBeLessThan(baselineMb + HEADROOM_MB);
  }, 120_000);

  test("600,000 distinct contig lines: the header line limit", async () => {
    const contigs = (i: number) =>
      Array.from({ length: 1000 }, (_, k) => `##contig=<ID=scaffold_${i * 1000 + k},length=${(i * 7919 + k * 104729) % 999_983}>\n`).join(
        "",
      );
    const bomb = await gzipBomb("contigs.vcf.gz", "##fileformat=VCFv4.2\n", contigs, 600, `${COLUMNS}21\t1\t.\tA\tG\t.\tPASS\t.\n`);
    const r = await annotate(bomb.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/contigs.vcf.gz: line \d+: .*header line limit/);
    expect(r.peakMb).toBeLessThan(baselineMb + HEADROOM_MB);
  }, 120_000);

  test("48 MiB of distinct header text: the header size limit", async () => {
    let seed = 42;
    const hex = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed.toString(16).padStart(8, "0");
    };
    const lines = () => Array.from({ length: 4096 }, () => `##note=${Array.from({ length: 30 }, hex).join("")}\n`).join("");
    const bomb = await gzipBomb("big-header.vcf.gz", "##fileformat=VCFv4.2\n", lines, 48, `${COLUMNS}21\t1\t.\tA\tG\t.\tPASS\t.\n`);
    const r = await annotate(bomb.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/big-header.vcf.gz: line \d+: .*header size limit/);
    expect(r.peakMb).toBeLessThan(baselineMb + HEADROOM_MB);
  }, 120_000);

  test("one endless header line: 1 GiB without a newline", async () => {
    const bomb = await gzipBomb("endless.vcf.gz", "##fileformat=VCFv4.2\n##x=", "A".repeat(1 << 20), 1024);
    const r = await annotate(bomb.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/endless.vcf.gz: line \d+/);
    expect(r.stderr).toMatch(/limit|longer than/i);
    expect(r.peakMb).toBeLessThan(baselineMb + HEADROOM_MB);
  }, 120_000);

  test("a body that decompresses a thousandfold", async () => {
    const record = "21\t1\t.\tA\tG\t.\tPASS\t.\n";
    const bomb = await gzipBomb(
      "body.vcf.gz",
      `##fileformat=VCFv4.2\n${COLUMNS}`,
      record.repeat(Math.floor((1 << 20) / record.length)),
      1024,
    );
    const r = await annotate(bomb.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/body.vcf.gz: line \d+/);
    expect(r.stderr).toMatch(/compress.*limit|limit.*compress/i);
    expect(r.peakMb).toBeLessThan(baselineMb + HEADROOM_MB);
  }, 120_000);
});
