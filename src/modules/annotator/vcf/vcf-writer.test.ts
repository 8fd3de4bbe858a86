import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BGZF_EOF_BLOCK } from "../io/bgzf-codec.ts";
import { openVcf, type VcfRecord } from "./vcf-reader.ts";
import { SWAP_BUFFER_BYTES, createAtomicTextWriter } from "../io/atomic-writer.ts";
import { createVcfWriter } from "./vcf-writer.ts";

const TEST_VCF = join(import.meta.dir, "../../../../data/demo/vcf/test.vcf");
const dir = mkdtempSync(join(tmpdir(), "gas-vcf-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasBgzip = Bun.which("bgzip") !== null;
const hasBcftools = Bun.which("bcftools") !== null;

async function records(path: string): Promise<VcfRecord[]> {
  const vcf = await openVcf(path);
  const out: VcfRecord[] = [];
  for await (const b of vcf.batches()) out.push(...b);
  await vcf.close();
  return out;
}

/** A ~6.4 MB VCF text (many BGZF blocks, several writer flushes), with some multi-byte UTF-8. */
function bigVcf(): string {
  const parts = ["##fileformat=VCFv4.3\n##comment=ünïcödé ✓\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"];
  for (let i = 1; i <= 100_000; i++) parts.push(`21\t${i}\trs${i * 7}\tA\tG\t.\tPASS\tDP=${i % 97};NOTE=é${i % 13}\n`);
  return parts.join("");
}

describe("createVcfWriter", () => {
  test("plain round trip, line by line, through the reader", async () => {
    const out = join(dir, "round.vcf");
    const text = await Bun.file(TEST_VCF).text();
    const w = await createVcfWriter(out);
    for (const line of text.split(/(?<=\n)/)) w.write(line);
    expect(existsSync(out)).toBe(false); // nothing under the final name before commit
    await w.commit();
    expect(await Bun.file(out).text()).toBe(text);
    expect(await records(out)).toEqual(await records(TEST_VCF));
    expect(w.bytesWritten()).toBe(text.length);
  });

  test(".vcf.gz is BGZF: gzip-readable, EOF marker, blocks ≤ 64 KiB, readable by our reader", async () => {
    const out = join(dir, "big.vcf.gz");
    const text = bigVcf();
    const w = await createVcfWriter(out);
    for (const line of text.split(/(?<=\n)/)) w.write(line);
    await w.commit();
    const bytes = await Bun.file(out).bytes();
    expect(new TextDecoder().decode(gunzipSync(bytes))).toBe(text);
    expect(bytes.subarray(bytes.length - 28)).toEqual(BGZF_EOF_BLOCK);
    let blocks = 0;
    for (let off = 0; off < bytes.length; blocks++) {
      expect([bytes[off], bytes[off + 1], bytes[off + 12], bytes[off + 13]]).toEqual([0x1f, 0x8b, 0x42, 0x43]);
      const size = (bytes[off + 16]! | (bytes[off + 17]! << 8)) + 1;
      expect(size).toBeLessThanOrEqual(65536);
      off += size;
    }
    expect(blocks).toBeGreaterThan(20);
    const vcf = await openVcf(out);
    expect(vcf.compression).toBe("bgzf");
    await vcf.close();
    const recs = await records(out);
    expect(recs.length).toBe(100_000);
    expect(recs[99_999]!.info).toBe("DP=90;NOTE=é4");
  });

  test("bgzip -t and bcftools accept the BGZF output", async () => {
    if (!hasBgzip && !hasBcftools) return; // tools absent: covered by the structural test above
    const out = join(dir, "tools.vcf.gz");
    const w = await createVcfWriter(out);
    w.write(await Bun.file(TEST_VCF).text());
    await w.commit();
    if (hasBgzip) expect(Bun.spawnSync(["bgzip", "-t", out]).exitCode).toBe(0);
    if (hasBcftools) {
      const view = Bun.spawnSync(["bcftools", "view", "-H", out]);
      expect(view.exitCode).toBe(0);
      expect(view.stdout.toString().trim().split("\n")).toHaveLength(132);
      // The writer indexed it (vcf-writer-index.test.ts compares that index with htslib's own).
      expect(Bun.spawnSync(["bcftools", "index", "-t", out]).stderr.toString()).toContain("index file exists");
      const region = Bun.spawnSync(["bcftools", "view", "-H", "-r", "21:25585733", out]);
      expect(region.stdout.toString()).toStartWith("21\t25585733\trs142513484");
    }
  });

  test("an empty BGZF output is just the EOF marker", async () => {
    const out = join(dir, "empty.vcf.bgz");
    const w = await createVcfWriter(out);
    await w.commit();
    expect(await Bun.file(out).bytes()).toEqual(BGZF_EOF_BLOCK);
  });

  test("swapBytes: plain output takes the buffer itself and hands out a free one; BGZF copies; order kept with write()", async () => {
    const text = bigVcf();
    const bytes = new TextEncoder().encode(text);
    for (const name of ["swap.vcf", "swap.vcf.gz"]) {
      const out = join(dir, name);
      const w = await createVcfWriter(out);
      let buf = new Uint8Array(SWAP_BUFFER_BYTES);
      let at = 0;
      w.write(text.slice(0, 100)); // some text through write() first: it must come out first
      at = new TextEncoder().encode(text.slice(0, 100)).length;
      while (at < bytes.length) {
        const n = Math.min(SWAP_BUFFER_BYTES >> 1, bytes.length - at);
        buf.set(bytes.subarray(at, at + n));
        at += n;
        const before = buf;
        buf = w.swapBytes(buf, n);
        // Plain: a spare buffer, or the same one when it was written on this thread (the
        // background writes were all busy) and is free again at once.
        if (name.endsWith(".gz")) expect(buf).toBe(before);
        else expect(buf.length).toBe(SWAP_BUFFER_BYTES);
      }
      await w.commit();
      const written = name.endsWith(".gz") ? new TextDecoder().decode(gunzipSync(await Bun.file(out).bytes())) : await Bun.file(out).text();
      expect(written).toBe(text);
    }
  });

  test("format overrides the extension", async () => {
    const out = join(dir, "plain-named.vcf.gz");
    const w = await createVcfWriter(out, { format: "plain" });
    w.write("hello\n");
    await w.commit();
    expect(await Bun.file(out).text()).toBe("hello\n");
  });
});

describe("createAtomicTextWriter", () => {
  test("abort leaves neither the final file nor the temporary file", async () => {
    const sub = mkdtempSync(join(dir, "abort-"));
    const out = join(sub, "x.tsv");
    const w = await createAtomicTextWriter(out);
    w.write("a\tb\n".repeat(400_000)); // forces a flush to the temporary file
    expect(readdirSync(sub)).toHaveLength(1);
    await w.abort();
    await w.abort(); // idempotent
    expect(readdirSync(sub)).toEqual([]);
    expect(() => w.write("more")).toThrow("after abort");
  });

  test("the temporary file is hidden and in the same folder; commit replaces an old file", async () => {
    const sub = mkdtempSync(join(dir, "commit-"));
    const out = join(sub, "result.json");
    await Bun.write(out, "old");
    const w = await createAtomicTextWriter(out);
    w.write("{}");
    const names = readdirSync(sub).sort();
    expect(names[0]).toMatch(/^\.result\.json\.tmp-\d+-[0-9a-f]{8}$/);
    expect(await Bun.file(out).text()).toBe("old");
    await w.commit();
    expect(readdirSync(sub)).toEqual(["result.json"]);
    expect(await Bun.file(out).text()).toBe("{}");
    await expect(w.commit()).rejects.toThrow("after commit");
    await w.abort(); // after commit: a no-op, the result stays
    expect(existsSync(out)).toBe(true);
  });

  test("opening in a missing folder fails at once", async () => {
    await expect(createAtomicTextWriter(join(dir, "nope", "x.txt"))).rejects.toThrow(/ENOENT|no such file/i);
  });
});
