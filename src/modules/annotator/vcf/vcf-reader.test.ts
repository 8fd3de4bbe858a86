import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVcfWriter } from "./vcf-writer.ts";
import { openVcf, VcfFormatError, type VcfRecord } from "./vcf-reader.ts";

const TEST_VCF = join(import.meta.dir, "../../../../data/demo/vcf/test.vcf");
const dir = mkdtempSync(join(tmpdir(), "gas-vcf-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n";
const REC = "21\t100\trs1\tA\tG\t50\tPASS\tDP=3\tGT\t0/1\n";

function put(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, opts?: Parameters<typeof openVcf>[1]): Promise<VcfRecord[]> {
  const vcf = await openVcf(path, opts);
  try {
    const out: VcfRecord[] = [];
    for await (const batch of vcf.batches()) out.push(...batch);
    return out;
  } finally {
    await vcf.close();
  }
}

/** The VcfFormatError thrown while opening and reading `path`. */
async function failure(path: string, opts?: Parameters<typeof openVcf>[1]): Promise<VcfFormatError> {
  try {
    await readAll(path, opts);
  } catch (err) {
    if (err instanceof VcfFormatError) return err;
    throw err;
  }
  throw new Error(`expected ${path} to fail`);
}

/** test.vcf with its records repeated `n` times. */
async function repeated(n: number): Promise<string> {
  const text = await Bun.file(TEST_VCF).text();
  const body = text.indexOf("\n21\t") + 1;
  return text.slice(0, body) + text.slice(body).repeat(n);
}

async function bgzf(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  const w = await createVcfWriter(path, { format: "bgzf" });
  w.write(content);
  await w.commit();
  return path;
}

describe("openVcf on the demo test.vcf", () => {
  test("plain, gzip and BGZF give the same records", async () => {
    const text = await Bun.file(TEST_VCF).text();
    const plain = await readAll(TEST_VCF);
    const gz = await readAll(put("test.vcf.gz", Bun.gzipSync(new TextEncoder().encode(text))));
    const bgz = await readAll(await bgzf("test.bgzf.vcf.gz", text));
    expect(plain.length).toBe(132);
    expect(gz).toEqual(plain);
    expect(bgz).toEqual(plain);
    expect({ ...plain[0]! }).toEqual({
      line: 8,
      chrom: "21",
      pos: 25585733,
      id: "rs142513484",
      ref: "C",
      altText: "T",
      qual: ".",
      filter: ".",
      info: ".",
      rest: "GT\t0|0",
    });
    expect(plain[0]!.alts).toEqual(["T"]);
    expect(plain.at(-1)!.line).toBe(139);
  });

  test("header is read verbatim", async () => {
    const vcf = await openVcf(TEST_VCF);
    await vcf.close();
    expect(vcf.header.fileformat).toBe("VCFv4.1");
    expect(vcf.header.metaLines).toHaveLength(6);
    expect(vcf.header.metaLines[0]).toBe("##fileformat=VCFv4.1");
    expect(vcf.header.samples).toEqual(["HG00096"]);
    expect(vcf.header.hasFormat).toBe(true);
    expect(vcf.header.columnLine).toBe("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tHG00096");
    expect(vcf.compression).toBe("plain");
  });

  test("the file made by bgzip itself reads the same (when bgzip is installed)", async () => {
    if (!Bun.which("bgzip")) return;
    const out = join(dir, "by-bgzip.vcf.gz");
    const proc = Bun.spawnSync(["bgzip", "-c", TEST_VCF], { stdout: Bun.file(out) });
    expect(proc.exitCode).toBe(0);
    const vcf = await openVcf(out);
    expect(vcf.compression).toBe("bgzf");
    await vcf.close();
    expect(await readAll(out)).toEqual(await readAll(TEST_VCF));
  });
});

describe("openVcf tolerates", () => {
  test("CRLF, blank lines, no final newline, lower-case REF, multi-allelic and symbolic ALTs", async () => {
    const text = `${HEADER}\r\n21\t100\t.\tacg\tA,<DEL>,*\t.\t.\t.\tGT\t1/2\r\n\r\n21\t200\t.\tT\tC\t.\t.\t.\tGT\t0/1`;
    const recs = await readAll(put("tolerant.vcf", text.replaceAll("\n", "\r\n").replaceAll("\r\r", "\r")));
    expect(recs.map((r) => [r.line, r.pos, r.ref, r.alts, r.rest])).toEqual([
      [4, 100, "ACG", ["A", "<DEL>", "*"], "GT\t1/2"],
      [6, 200, "T", ["C"], "GT\t0/1"],
    ]);
  });

  test("a sites-only VCF and a FORMAT column without samples", async () => {
    const sites = await readAll(
      put("sites.vcf", "##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n21\t5\t.\tA\tT\t.\t.\tX=1\n"),
    );
    expect(sites[0]!.rest).toBe("");
    expect(sites[0]!.info).toBe("X=1");
    const fmt = await readAll(
      put("fmt.vcf", "##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\n21\t5\t.\tA\tT\t.\t.\t.\tGT\n"),
    );
    expect(fmt[0]!.rest).toBe("GT");
  });

  test("records come in batches of batchSize", async () => {
    const vcf = await openVcf(TEST_VCF, { batchSize: 50 });
    const sizes: number[] = [];
    for await (const b of vcf.batches()) sizes.push(b.length);
    expect(sizes).toEqual([50, 50, 32]);
    expect(vcf.bytesRead()).toBe(vcf.totalBytes);
    await vcf.close();
  });

  test("a batch is parsed when it is asked for: the records before a bad line arrive first", async () => {
    // Parsing one batch at a time keeps few records alive at once (peak RSS flat over the input);
    // it also means the batches before a bad line are handed out before its error.
    let text = HEADER;
    for (let i = 1; i <= 120; i++) text += `21\t${i}\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`;
    text += "21\tnot-a-number\t.\tA\tG\t.\t.\t.\tGT\t0/1\n";
    const vcf = await openVcf(put("late-error.vcf", text), { batchSize: 50 });
    const sizes: number[] = [];
    let error: unknown = null;
    try {
      for await (const b of vcf.batches()) sizes.push(b.length);
    } catch (err) {
      error = err;
    }
    await vcf.close();
    expect(sizes).toEqual([50, 50]);
    expect(error).toBeInstanceOf(VcfFormatError);
    expect(String(error)).toContain("line 123");
  });

  test("lines split across read chunks (large file) keep their numbers", async () => {
    const n = 60_000; // ~2.4 MB: several 1 MiB chunks
    let text = HEADER;
    for (let i = 1; i <= n; i++) text += `21\t${i}\t.\tA\tG\t.\t.\tI=${"x".repeat(i % 17)}\tGT\t0/1\n`;
    for (const path of [
      put("big.vcf", text),
      put("big.vcf.gz", Bun.gzipSync(new TextEncoder().encode(text))),
      await bgzf("big.bgz", text),
    ]) {
      const recs = await readAll(path);
      expect(recs.length).toBe(n);
      expect(recs.every((r, i) => r.pos === i + 1 && r.line === i + 3 && r.info.length === 2 + ((i + 1) % 17))).toBe(true);
    }
  });
});

describe("openVcf rejects bad input with file, line and problem", () => {
  const cases: [string, string, string, string | undefined][] = [
    [
      "no-fileformat.vcf",
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
      "line 1: missing ##fileformat line before the #CHROM header",
      undefined,
    ],
    [
      "no-header.vcf",
      "21\t100\t.\tA\tG\t.\t.\t.\n",
      'line 1: missing VCF header: the file must start with ##fileformat=VCFv4.x, found "21\\t100\\t.\\tA\\tG\\t.\\t.\\t."',
      undefined,
    ],
    [
      "data-before-chrom.vcf",
      "##fileformat=VCFv4.2\n##x=1\n21\t100\t.\tA\tG\t.\t.\t.\n",
      "line 3: data line before the #CHROM header line (the header is missing or incomplete)",
      undefined,
    ],
    ["no-chrom-line.vcf", "##fileformat=VCFv4.2\n##x=1\n", "line 3: the header has no #CHROM column line (end of file reached)", undefined],
    ["empty.vcf", "", "line 1: empty file: no VCF header (the ##fileformat line is missing)", undefined],
    ["vcf3.vcf", "##fileformat=VCFv3.3\n", 'line 1: unsupported fileformat "VCFv3.3" (VCFv4.1 to VCFv4.4 are supported)', undefined],
    [
      "bad-columns-header.vcf",
      "##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO\n",
      'line 2: the #CHROM line must start with the tab-separated columns #CHROM POS ID REF ALT QUAL FILTER INFO; column 1 is "#CHROM POS ID REF ALT QUAL FILTER INFO"',
      undefined,
    ],
    [
      "few-columns.vcf",
      `${HEADER}${REC}21\t100\t.\tA\n`,
      "line 4: expected 10 tab-separated columns (8 fixed + FORMAT + 1 sample), found 4",
      undefined,
    ],
    [
      "extra-sample.vcf",
      `${HEADER}21\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n`,
      "line 3: expected 10 tab-separated columns (8 fixed + FORMAT + 1 sample), found 11",
      undefined,
    ],
    [
      "no-samples.vcf",
      `${HEADER}21\t100\t.\tA\tG\t.\t.\t.\n`,
      "line 3: expected 10 tab-separated columns (8 fixed + FORMAT + 1 sample), found 8",
      undefined,
    ],
    [
      "spaces.vcf",
      "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n21 100 . A G . . .\n",
      "line 3: expected 8 tab-separated columns, found 1 (columns must be separated by tabs, not spaces)",
      undefined,
    ],
    ["pos-abc.vcf", `${HEADER}${REC}${REC}21\tabc\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`, 'line 5: POS "abc" is not a positive integer', "POS"],
    ["pos-zero.vcf", `${HEADER}21\t0\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`, 'line 3: POS "0" is not a positive integer', "POS"],
    ["pos-neg.vcf", `${HEADER}21\t-5\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`, 'line 3: POS "-5" is not a positive integer', "POS"],
    ["pos-float.vcf", `${HEADER}21\t1.5\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`, 'line 3: POS "1.5" is not a positive integer', "POS"],
    [
      "pos-huge.vcf",
      `${HEADER}21\t99999999999999999999\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`,
      'line 3: POS "99999999999999999999" is not a positive integer',
      "POS",
    ],
    ["ref-bad.vcf", `${HEADER}21\t100\t.\tAXG\tG\t.\t.\t.\tGT\t0/1\n`, 'line 3: REF "AXG" is not a DNA sequence (A, C, G, T, N)', "REF"],
    ["ref-empty.vcf", `${HEADER}21\t100\t.\t\tG\t.\t.\t.\tGT\t0/1\n`, "line 3: REF is empty", "REF"],
    ["alt-empty.vcf", `${HEADER}21\t100\t.\tA\t\t.\t.\t.\tGT\t0/1\n`, "line 3: ALT is empty (use . for no alternate allele)", "ALT"],
    ["alt-empty-allele.vcf", `${HEADER}21\t100\t.\tA\tG,,T\t.\t.\t.\tGT\t0/1\n`, 'line 3: ALT "G,,T" has an empty allele', "ALT"],
    ["chrom-empty.vcf", `${HEADER}\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n`, "line 3: CHROM is empty", "CHROM"],
    ["late-header.vcf", `${HEADER}${REC}##late=1\n`, 'line 4: header line "##late=1" after the #CHROM line', undefined],
    [
      "nul.vcf",
      `${HEADER}${REC}21\t100\t.\tA\tG\t.\t.\tX=\0\tGT\t0/1\n`,
      "line 4: contains a NUL byte (binary data?): not a text VCF",
      undefined,
    ],
    [
      "dup-sample.vcf",
      "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS1\n",
      'line 2: the #CHROM line names sample "S1" twice',
      undefined,
    ],
  ];
  for (const [name, content, message, field] of cases) {
    test(name, async () => {
      const err = await failure(put(name, content));
      expect(err.message).toBe(`${name}: ${message}`);
      expect(err.file).toBe(name);
      expect(err.field).toBe(field);
    });
  }

  test("invalid UTF-8 (binary) names its line", async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(`${HEADER}${REC}21\t7\t.\tA\tG\t.\t.\t`),
      0xff,
      0xfe,
      0x80,
      ...new TextEncoder().encode("\tGT\t0/1\n"),
    ]);
    const err = await failure(put("utf8.vcf", bytes));
    expect(err.message).toBe("utf8.vcf: line 4: invalid UTF-8 text (binary data?): not a text VCF");
  });

  test("a 10 MB line fails fast with a clear error", async () => {
    const err = await failure(put("long.vcf", `${HEADER}${REC}21\t100\t.\tA\tG\t.\t.\t${"X".repeat(10_000_000)}\tGT\t0/1\n${REC}`));
    expect(err.message).toBe("long.vcf: line 4: line is longer than 4194304 characters (the line length limit); is this really a VCF?");
    const small = await failure(put("long2.vcf", `${HEADER}${REC}${REC}${"A".repeat(200)}`), { maxLineBytes: 100 });
    expect(small.message).toBe("long2.vcf: line 5: line is longer than 100 characters (the line length limit); is this really a VCF?");
  });

  test("truncated and corrupt gzip", async () => {
    const text = await repeated(20);
    const gz = Bun.gzipSync(new TextEncoder().encode(text));
    const cut = await failure(put("cut.vcf.gz", gz.subarray(0, Math.floor(gz.length / 2))));
    expect(cut.problem).toBe("gzip data is truncated (unexpected end of file)");
    expect(cut.line).toBeGreaterThan(1);
    const bad = gz.slice();
    for (let i = 200; i < 260; i++) bad[i] = bad[i]! ^ 0x5a;
    const corrupt = await failure(put("corrupt.vcf.gz", bad));
    expect(corrupt.message).toMatch(/^corrupt\.vcf\.gz: line \d+: gzip data is corrupt \(.+\)$/);
  });

  test("truncated and corrupt BGZF", async () => {
    const text = await repeated(200); // ~1.1 MB: many blocks
    const bytes = await Bun.file(await bgzf("whole.vcf.gz", text)).bytes();
    const noEof = await failure(put("noeof.vcf.gz", bytes.subarray(0, bytes.length - 28)));
    expect(noEof.message).toBe(`noeof.vcf.gz: line ${text.split("\n").length}: BGZF data is truncated (no end-of-file marker block)`);
    const mid = await failure(put("mid.vcf.gz", bytes.subarray(0, Math.floor(bytes.length / 2))));
    expect(mid.problem).toBe("BGZF data is truncated (the last block is incomplete)");
    const flipped = bytes.slice();
    const at = Math.floor(bytes.length / 3);
    flipped[at] = flipped[at]! ^ 0xff;
    const corrupt = await failure(put("flip.vcf.gz", flipped));
    expect(corrupt.problem).toMatch(/^BGZF data is corrupt \((deflate stream error|checksum or length mismatch)\)$/);
  });

  test("other compressions are named", async () => {
    const err = await failure(put("x.vcf.bz2", "BZh91AY&SY garbage"));
    expect(err.message).toBe("x.vcf.bz2: line 1: the file is bzip2-compressed; only plain, gzip or BGZF VCF is accepted");
  });

  test("a missing file is a file-system error, not a format error", async () => {
    await expect(openVcf(join(dir, "absent.vcf"))).rejects.toThrow(/ENOENT|no such file/i);
  });
});
