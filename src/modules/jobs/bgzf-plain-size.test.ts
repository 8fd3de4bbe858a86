import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { createVcfWriter } from "../annotator/vcf/vcf-writer.ts";
import { bgzfPlainSize } from "./bgzf-plain-size.ts";

const dir = mkdtempSync(join(tmpdir(), "gas-bgzf-size-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the plain size of a many-block BGZF file, from its block trailers, equals its gunzipped length", async () => {
  const path = join(dir, "x.vcf.gz");
  const w = await createVcfWriter(path, { index: false });
  w.write("##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  for (let i = 1; i <= 60_000; i++) w.write(`21\t${i}\t.\tA\tG\t.\tPASS\tNOTE=é${(i * 7919) % 100_003}\n`);
  await w.commit();
  const bytes = await Bun.file(path).bytes();
  expect(await bgzfPlainSize(path)).toBe(gunzipSync(bytes).length);
  expect(gunzipSync(bytes).length).toBeGreaterThan(5 * 0xff00); // several blocks
});

test("an empty BGZF file (the EOF block only) is 0 bytes; a plain gzip file is refused", async () => {
  const empty = join(dir, "empty.vcf.gz");
  await (await createVcfWriter(empty, { index: false })).commit();
  expect(await bgzfPlainSize(empty)).toBe(0);
  const gz = join(dir, "plain.gz");
  writeFileSync(gz, gzipSync("not bgzf\n"));
  await expect(bgzfPlainSize(gz)).rejects.toThrow("is not BGZF at byte 0");
});
