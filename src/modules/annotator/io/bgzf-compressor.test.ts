import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BACKGROUND_COMPRESSION_AFTER, createAtomicTextWriter } from "./atomic-writer.ts";

/** ~1 KB VCF-like lines that differ from each other (so blocks compress to different sizes). */
function line(i: number): string {
  const ann = Array.from({ length: 8 }, (_, k) => `A|missense_variant|MODERATE|G${(i * 7 + k) % 997}|ENSG${i % 13}`).join(",");
  return `21\t${10_000_000 + i}\trs${i}\tC\tT\t.\tPASS\tANN=${ann};DP=${i % 101}\n`;
}

/** This process's threads named `Worker` (Bun's worker threads). */
function workerThreads(): number {
  return readdirSync("/proc/self/task").filter((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim() === "Worker";
    } catch {
      return false;
    }
  }).length;
}

/** Writes the same ~3x BACKGROUND_COMPRESSION_AFTER of text as strings, bytes and owned bytes. */
async function writeAll(path: string, backgroundCompression: boolean) {
  const before = workerThreads();
  let during = 0;
  const blocks: { text: string; size: number }[] = [];
  const w = await createAtomicTextWriter(path, {
    format: "bgzf",
    backgroundCompression,
    onBgzfBlock: (data, size) => blocks.push({ text: new TextDecoder().decode(data), size }),
  });
  const enc = new TextEncoder();
  let i = 0;
  let bytes = 0;
  while (bytes < 3 * BACKGROUND_COMPRESSION_AFTER) {
    const kind = i % 3;
    if (kind === 0) {
      for (let k = 0; k < 500; k++) {
        const text = line(i * 1000 + k);
        w.write(text);
        bytes += text.length;
      }
    } else {
      const owned = enc.encode(Array.from({ length: 2500 }, (_, k) => line(i * 1000 + k)).join(""));
      bytes += owned.length;
      if (kind === 1) w.writeBytes(owned);
      else w.writeOwnedBytes(owned, () => {});
    }
    i++;
    during = Math.max(during, workerThreads() - before);
    await w.ready();
  }
  await w.commit();
  return { file: readFileSync(path), blocks, threads: during };
}

describe("BGZF output compressed on a thread of its own", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gas-bgzf-compressor-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("writes the same bytes and sees the same blocks as compressing on the caller's thread", async () => {
    const here = await writeAll(join(dir, "here.vcf.gz"), false);
    const thread = await writeAll(join(dir, "thread.vcf.gz"), true);
    expect(here.file.length).toBeGreaterThan(BACKGROUND_COMPRESSION_AFTER / 8);
    expect([here.threads, thread.threads]).toEqual([0, 1]);
    expect(thread.file.equals(here.file)).toBe(true);
    expect(thread.blocks.length).toBe(here.blocks.length);
    expect(thread.blocks).toEqual(here.blocks);
    // And it is what was written: gzip readers read BGZF as concatenated members.
    const text = gunzipSync(thread.file).toString("utf8");
    expect(text.startsWith(line(0))).toBe(true);
    expect(text.length).toBe(here.blocks.reduce((n, b) => n + b.text.length, 0));
    expect(readdirSync(dir).sort()).toEqual(["here.vcf.gz", "thread.vcf.gz"]); // no temporary left
  }, 60_000);

  test("an aborted writer leaves nothing and stops its thread", async () => {
    const path = join(dir, "aborted.vcf.gz");
    const before = workerThreads();
    const w = await createAtomicTextWriter(path, { format: "bgzf" });
    const chunk = new TextEncoder().encode(Array.from({ length: 5000 }, (_, k) => line(k)).join(""));
    for (let n = 0; n < (2 * BACKGROUND_COMPRESSION_AFTER) / chunk.length; n++) {
      w.writeBytes(chunk);
      await w.ready();
    }
    expect(workerThreads()).toBe(before + 1);
    await w.abort();
    expect(readdirSync(dir).filter((f) => f.includes("aborted"))).toEqual([]);
    for (let waited = 0; workerThreads() > before && waited < 5000; waited += 50) await Bun.sleep(50);
    expect(workerThreads()).toBe(before);
  }, 60_000);
});
