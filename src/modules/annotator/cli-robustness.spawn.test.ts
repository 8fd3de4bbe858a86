/**
 * `gas annotate` under bad input, interruption and large input: a clear error (file, line,
 * problem), a non-zero exit, no output under the -o name and no temporary file left behind;
 * memory that does not grow with the input.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { generateBenchVcf } from "../../../bench/generate-vcf.ts";
import { dataLines } from "../../../test/support/engine/annotated-vcf.ts";
import { DEMO_FASTA, DEMO_VCF_DIR, listDir, MAIN_TS, REPO_DIR, runGas, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";

const TEST_VCF = join(DEMO_VCF_DIR, "test.vcf");
const HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";
const GOOD = "21\t25585733\t.\tC\tT\t.\t.\t.\n";

let root: string;
let inputs: string;
beforeAll(() => {
  root = tempDir("robust");
  inputs = join(root, "in");
  mkdirSync(inputs);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Deterministic bytes that are neither text nor gzip. */
function garbage(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  out[0] = 0x89; // not the gzip magic
  return out;
}

interface BadCase {
  name: string;
  /** Writes the input (if any) and returns the arguments after `annotate`, with `out` as the -o path. */
  setup: (dir: string, out: string) => string[];
  /** What stderr must say: the file, the line, the problem. */
  stderr: RegExp[];
  exit?: number;
}

const write = (dir: string, name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const testVcfGz = () => gzipSync(readFileSync(TEST_VCF));

const BAD_CASES: BadCase[] = [
  {
    name: "missing input file",
    setup: (d, out) => [join(d, "nope.vcf"), "-o", out],
    stderr: [/nope\.vcf/, /not found/],
  },
  {
    name: "wrong column count",
    setup: (d, out) => [write(d, "cols.vcf", `${HEADER}${GOOD}21\t25587701\t.\tT\tC\t.\t.\n`), "-o", out],
    stderr: [/cols\.vcf: line 4: /, /column/],
  },
  {
    name: "bad POS",
    setup: (d, out) => [write(d, "pos.vcf", `${HEADER}${GOOD}21\tabc\t.\tC\tT\t.\t.\t.\n`), "-o", out],
    stderr: [/pos\.vcf: line 4: /, /POS "abc"/],
  },
  {
    name: "missing header",
    setup: (d, out) => [write(d, "nohdr.vcf", GOOD), "-o", out],
    stderr: [/nohdr\.vcf: line 1: /, /header/],
  },
  {
    name: "binary garbage",
    setup: (d, out) => [write(d, "garbage.vcf", garbage(20_000)), "-o", out],
    stderr: [/garbage\.vcf: line 1: /, /binary|UTF-8|not a text/],
  },
  {
    name: "empty file",
    setup: (d, out) => [write(d, "empty.vcf", ""), "-o", out],
    stderr: [/empty\.vcf: line 1: /, /empty file/],
  },
  {
    name: "truncated gzip",
    setup: (d, out) => [write(d, "trunc.vcf.gz", testVcfGz().subarray(0, 1000)), "-o", out],
    stderr: [/trunc\.vcf\.gz: line \d+: /, /truncated/],
  },
  {
    name: "corrupt gzip",
    setup: (d, out) => {
      const gz = testVcfGz();
      for (let i = 300; i < 340; i++) gz[i]! ^= 0x55;
      return [write(d, "corrupt.vcf.gz", gz), "-o", out];
    },
    stderr: [/corrupt\.vcf\.gz: line \d+: /, /corrupt/],
  },
  {
    name: "a 10 MB line",
    setup: (d, out) => [write(d, "long.vcf", `${HEADER}${GOOD}21\t25587701\t.\tT\tC\t.\t.\tX=${"A".repeat(10 << 20)}\n`), "-o", out],
    stderr: [/long\.vcf: line 4: /, /longer than/],
  },
  {
    name: "every record on a contig the reference lacks",
    setup: (d, out) => [write(d, "unknown-contig.vcf", `${HEADER}22\t100\t.\tC\tT\t.\t.\t.\n22\t200\t.\tG\tA\t.\t.\t.\n`), "-o", out],
    stderr: [/unknown-contig\.vcf/, /line 3: contig "22" is not in the reference/, /no record is on a contig of the reference/],
  },
  {
    name: "bad --format",
    setup: (_d, out) => [TEST_VCF, "-o", out, "--format", "xml"],
    stderr: [/--format must be vcf, tsv or json, not "xml"/],
    exit: 2,
  },
  {
    name: "--ref to a folder without manifest.json",
    setup: (d, out) => {
      mkdirSync(join(d, "not-a-bundle"), { recursive: true });
      return [TEST_VCF, "-o", out, "--ref", join(d, "not-a-bundle")];
    },
    stderr: [/not-a-bundle[/\\]manifest\.json/, /not found/],
  },
  {
    name: "--fasta without --genes",
    setup: (_d, out) => [TEST_VCF, "-o", out, "--fasta", DEMO_FASTA],
    stderr: [/--fasta and --genes go together/],
    exit: 2,
  },
  {
    name: "-o into a folder that does not exist",
    setup: (d, out) => [TEST_VCF, "-o", join(d, "no-such-folder", "out.vcf")],
    stderr: [/no-such-folder[/\\]out\.vcf/, /folder does not exist/],
  },
  {
    // The VCF must not be published when the log cannot be written (it used to be, then exit 1).
    name: "--log into a folder that does not exist",
    setup: (d, out) => [TEST_VCF, "-o", out, "--log", join(d, "no-such-folder", "out.log")],
    stderr: [/no-such-folder[/\\]out\.log/, /folder does not exist/],
  },
];

describe("bad input: non-zero exit, file/line/problem on stderr, nothing under the -o name", () => {
  for (const c of BAD_CASES) {
    test(c.name, async () => {
      const outDir = join(root, `out-${c.name.replace(/\W+/g, "-")}`);
      mkdirSync(outDir);
      const out = join(outDir, "out.vcf");
      const args = c.setup(inputs, out);
      const r = await runGas(["annotate", ...args]);
      if (c.exit !== undefined) expect(r.exitCode).toBe(c.exit);
      else expect(r.exitCode).not.toBe(0);
      for (const re of c.stderr) expect(r.stderr).toMatch(re);
      expect(r.stderr.length).toBeLessThan(4000); // one clear message, not a stack trace or a 10 MB echo
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(out)).toBe(false);
      expect(listDir(outDir)).toEqual([]); // no temporary file left either
    }, 30_000);
  }

  // KNOWN BUG in vcf/ (reported, not fixed here): a gzip whose CRC does not match names line 1,
  // though all 139 lines were decompressed before the trailer check; the line where the data ended
  // would point the user at the end of the file. Input: gzip of data/demo/vcf/test.vcf with the
  // lowest bit of the CRC (8th byte from the end) flipped.
  test.todo("corrupt gzip CRC: the error names the line where the data ended", async () => {
    const gz = testVcfGz();
    gz[gz.length - 8]! ^= 1;
    const outDir = join(root, "out-crc");
    mkdirSync(outDir);
    const r = await runGas(["annotate", write(inputs, "crc.vcf.gz", gz), "-o", join(outDir, "out.vcf")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/crc\.vcf\.gz: line 1(39|40): .*corrupt/);
    expect(listDir(outDir)).toEqual([]);
  });

  test("a bad line after more than a megabyte of output: no output, no temporary file", async () => {
    // test.vcf's records 200 times (about 25k records, > 30 MB of annotated output, several
    // flushes of the writer), then a bad line: the failure comes after the temp file has data.
    const text = readFileSync(TEST_VCF, "utf8");
    const header = text.split("\n").filter((l) => l.startsWith("#"));
    const lines = dataLines(text);
    const body = Array.from({ length: 200 }, () => lines.join("\n")).join("\n");
    const input = write(inputs, "late-error.vcf", `${header.join("\n")}\n${body}\n21\t-5\t.\tC\tT\t.\t.\t.\tGT\t0|1\n`);
    const outDir = join(root, "out-late-error");
    mkdirSync(outDir);
    const r = await runGas(["annotate", input, "-o", join(outDir, "late.vcf.gz"), "--log", join(outDir, "late.log")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`late-error\\.vcf: line ${header.length + lines.length * 200 + 1}: POS "-5"`));
    expect(listDir(outDir)).toEqual([]);
  }, 60_000);
});

describe("large input", () => {
  let big: string;
  let small: string;
  beforeAll(async () => {
    // ~200k records over the demo genome's real bases; the 50k file is every 4th record of it,
    // so both files have the same density of genes, known variants and indels.
    const text = await generateBenchVcf(DEMO_FASTA, 200_000);
    const all = text.split("\n");
    const header = all.filter((l) => l.startsWith("#"));
    const records = all.filter((l) => l !== "" && !l.startsWith("#"));
    big = write(inputs, "big-200k.vcf", `${text}`);
    small = write(inputs, "big-50k.vcf", `${[...header, ...records.filter((_, i) => i % 4 === 3)].join("\n")}\n`);
  }, 30_000);

  test("--threads 2, 3 and 4 write exactly what --threads 1 writes, warnings with the same line numbers", async () => {
    // 20k records of the 50k file with a symbolic ALT every 4,000th record and a wrong REF every
    // 6,000th (--threads given explicitly: the pool is used whatever the input size).
    const all = readFileSync(small, "utf8").split("\n");
    const lines = all.slice(0, all.findIndex((l) => !l.startsWith("#")) + 20_000);
    let n = 0;
    const edited = lines.map((l) => {
      if (l.startsWith("#")) return l;
      const c = l.split("\t");
      n++;
      if (n % 4_000 === 0) c[4] = "<DEL>";
      if (n % 6_000 === 0) c[3] = c[3] === "A" ? "C" : "A";
      return c.join("\t");
    });
    const input = write(inputs, "warnings-20k.vcf", `${edited.join("\n")}\n`);
    const headerLines = lines.filter((l) => l.startsWith("#")).length;
    const outDir = join(root, "out-threads");
    mkdirSync(outDir);
    const run = async (threads: number) => {
      const r = await runGas([
        "annotate",
        input,
        "-o",
        join(outDir, `t${threads}.vcf`),
        "--log",
        join(outDir, `t${threads}.log`),
        "--threads",
        String(threads),
      ]);
      expect(r.stderr).not.toContain("gas annotate:");
      expect(r.exitCode).toBe(0);
      return {
        vcf: readFileSync(join(outDir, `t${threads}.vcf`), "utf8").replace(/^##GAS_command=.*\n/m, ""),
        log: readFileSync(join(outDir, `t${threads}.log`), "utf8").replace(/^(Time|Speed): .*$/gm, ""),
      };
    };
    const one = await run(1);
    // 2: the pipeline thread and one worker share the blocks; 3 and 4: two and three workers too.
    for (const threads of [2, 3, 4]) {
      const many = await run(threads);
      expect(many.vcf === one.vcf).toBe(true); // (not toEqual: a 20 MB diff is no help)
      expect(many.log).toBe(one.log);
    }
    for (const k of [4_000, 8_000, 12_000, 16_000, 20_000]) expect(one.log).toContain(`line ${headerLines + k}: ALT "<DEL>"`);
    for (const k of [6_000, 12_000, 18_000]) expect(one.log).toMatch(new RegExp(`line ${headerLines + k}: REF "[AC]" does not match`));
  }, 60_000);

  test("interrupted by SIGTERM: non-zero exit, no output, no temporary file", async () => {
    const outDir = join(root, "out-sigterm");
    mkdirSync(outDir);
    const proc = Bun.spawn([process.execPath, MAIN_TS, "annotate", big, "-o", join(outDir, "out.vcf")], {
      cwd: REPO_DIR,
      stdout: "ignore",
      stderr: "pipe",
    });
    // Wait until the writer's temporary file exists, so the signal lands mid-run.
    const deadline = Date.now() + 20_000;
    while (listDir(outDir).length === 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(listDir(outDir).length).toBe(1);
    proc.kill("SIGTERM");
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(listDir(outDir)).toEqual([]);
  }, 30_000);

  const TIME = "/usr/bin/time";
  const peak = async (input: string, label: string) => {
    const outDir = join(root, `out-mem-${label}`);
    mkdirSync(outDir);
    // `--known none`: the known-variant window cache is bounded by window count, not by input,
    // but on a file this dense it keeps filling up to 200k records; the pipeline is what is measured.
    const proc = Bun.spawn(
      [
        TIME,
        "-f",
        "PEAK_RSS_KB=%M",
        process.execPath,
        MAIN_TS,
        "annotate",
        input,
        "-o",
        join(outDir, "out.vcf.gz"),
        "--quiet",
        "--known",
        "none",
      ],
      {
        cwd: REPO_DIR,
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(0);
    rmSync(outDir, { recursive: true, force: true });
    return Number(/PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1]);
  };

  // Anything kept per record (lines, records, rows) grows 4x from 50k to 200k records, and the
  // annotated output is ~400 bytes a record: 60 MB more at 200k. This bound catches that.
  test.skipIf(!existsSync(TIME))(
    "streaming: peak RSS for 200k records within +60 % of 50k records",
    async () => {
      const smallKb = await peak(small, "50k");
      const bigKb = await peak(big, "200k");
      expect(smallKb).toBeGreaterThan(10_000);
      expect(bigKb).toBeLessThanOrEqual(smallKb * 1.6);
    },
    40_000,
  );

  // KNOWN BUG (reported, not fixed here: the fix is in the lead's hot loop and the workers):
  // the JS heap in use stays flat (20-60 MB), but JSC's heap capacity creeps up until a full
  // collection, so peak RSS grows +20-55 % from 50k to 200k records and +40 % (1 thread) /
  // +70 % (2 threads) from 100k to 1M. A synchronous Bun.gc(true) every 8 batches of 4096 keeps
  // it at +10 % for 100k→1M. Run with `bun test --todo` to check the +25 % target.
  test.todo("streaming: peak RSS for 200k records within +25 % of 50k records", async () => {
    if (!existsSync(TIME)) return;
    const smallKb = await peak(small, "50k-strict");
    const bigKb = await peak(big, "200k-strict");
    expect(bigKb).toBeLessThanOrEqual(smallKb * 1.25);
  }, 40_000);
});
