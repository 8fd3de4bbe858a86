/**
 * The tabix index the VCF writer builds in the same pass (io/tabix-index.ts), checked against
 * htslib itself: the index must equal the one `tabix -p vcf` builds from our file, and tabix and
 * bcftools must answer region queries with exactly the records a plain filter finds.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { TBI_MAX_POSITION, regionToBin } from "../io/tabix-index.ts";
import { createVcfWriter } from "./vcf-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "gas-tabix-"));
afterAll(() => (process.env.KEEP_TABIX_TEST ? console.log(dir) : rmSync(dir, { recursive: true, force: true })));

const TABIX = Bun.which("tabix");
const BCFTOOLS = Bun.which("bcftools");
if (!TABIX) console.warn("vcf-writer-index.test.ts: tabix is not installed (apt-get install tabix): htslib cross-checks are skipped");
if (!BCFTOOLS)
  console.warn("vcf-writer-index.test.ts: bcftools is not installed (apt-get install bcftools): its region checks are skipped");

const HEADER = [
  "##fileformat=VCFv4.3",
  '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
  '##INFO=<ID=NOTE,Number=1,Type=String,Description="Padding">',
  ...["1", "2", "21", "X"].map((c) => `##contig=<ID=${c}>`),
  "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1",
].join("\n");

interface Rec {
  chrom: string;
  pos: number;
  ref: string;
  end?: number;
  note: string;
}

const line = (r: Rec) => `${r.chrom}\t${r.pos}\t.\t${r.ref}\tA\t50\tPASS\t${r.end ? `END=${r.end};` : ""}NOTE=${r.note}\tGT\t0/1`;

/** A deterministic pseudo-random generator (the test must not vary run to run). */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/**
 * Several contigs, sorted; SNVs packed densely in places and sparse in others (so bins fold into
 * their parents and the linear index has gaps), long deletions and END= records crossing 16 kb
 * windows, and lines of very different lengths (some records straddle BGZF blocks).
 */
function sortedRecords(): Rec[] {
  const next = rng(7);
  const out: Rec[] = [];
  const contigs: [string, number, number][] = [
    ["1", 2_000_000, 12_000],
    ["2", 240_000_000, 3_000],
    ["21", 48_000_000, 40_000],
    ["X", 150_000_000, 500],
  ];
  for (const [chrom, length, n] of contigs) {
    let pos = 1;
    for (let i = 0; i < n; i++) {
      pos += next() < 0.9 ? 1 + Math.floor(next() * 60) : Math.floor(next() * (length / n) * 18);
      const kind = next();
      const ref = kind < 0.02 ? "C".repeat(2 + Math.floor(next() * 40_000)).slice(0, 30_000) : kind < 0.1 ? "CAT" : "C";
      const end = kind > 0.995 ? pos + Math.floor(next() * 200_000) : undefined;
      const note =
        "n" + Array.from({ length: Math.floor(next() * (next() < 0.01 ? 500 : 20)) }, () => next().toString(36).slice(2)).join("");
      out.push({ chrom, pos, ref, note, ...(end ? { end } : {}) });
    }
  }
  return out;
}

async function writeVcf(path: string, lines: string[], opts: { index?: boolean } = {}) {
  const w = await createVcfWriter(path, opts);
  w.write(`${HEADER}\n`);
  for (const l of lines) w.write(`${l}\n`);
  await w.commit();
  return w;
}

/** The .tbi as a comparable value: header, names, per contig the bins sorted by number, the linear index. */
function parseTbi(path: string) {
  const b = gunzipSync(new Uint8Array(require("node:fs").readFileSync(path)));
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  let o = 0;
  const i32 = () => {
    const x = v.getInt32(o, true);
    o += 4;
    return x;
  };
  const u64 = () => {
    const x = v.getUint32(o, true) + v.getUint32(o + 4, true) * 2 ** 32;
    o += 8;
    return x;
  };
  const magic = new TextDecoder().decode(b.subarray(0, 4));
  o = 4;
  const nRef = i32();
  const conf = [i32(), i32(), i32(), i32(), i32(), i32()];
  const lNm = i32();
  const names = new TextDecoder()
    .decode(b.subarray(o, o + lNm))
    .split("\0")
    .filter(Boolean);
  o += lNm;
  const refs = [];
  for (let r = 0; r < nRef; r++) {
    const bins: [number, number[]][] = [];
    for (let n = i32(), k = 0; k < n; k++) {
      const bin = v.getUint32(o, true);
      o += 4;
      const chunks: number[] = [];
      for (let c = i32(), j = 0; j < c; j++) chunks.push(u64(), u64());
      bins.push([bin, chunks]);
    }
    bins.sort((x, y) => x[0] - y[0]);
    const linear: number[] = [];
    for (let n = i32(), k = 0; k < n; k++) linear.push(u64());
    refs.push({ bins, linear });
  }
  const noCoor = o < b.length ? u64() : null;
  return { magic, conf, names, refs, noCoor, trailing: b.length - o };
}

/** What htslib builds from the same file. */
function htslibIndex(ours: string): ReturnType<typeof parseTbi> {
  const copy = join(dir, `htslib-${crypto.randomUUID()}.vcf.gz`);
  copyFileSync(ours, copy);
  const r = Bun.spawnSync([TABIX!, "-p", "vcf", copy]);
  if (r.exitCode !== 0) throw new Error(`tabix -p vcf failed: ${r.stderr.toString()}`);
  return parseTbi(`${copy}.tbi`);
}

const run = (cmd: string[]) => {
  const r = Bun.spawnSync(cmd);
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
};

/** The records a plain scan finds overlapping chrom:from-to (1-based, inclusive), as tabix defines overlap. */
function plainFilter(recs: Rec[], chrom: string, from: number, to: number): string[] {
  return recs
    .filter((r) => {
      const end = r.end && r.end > r.pos - 1 ? r.end : r.pos - 1 + r.ref.length;
      return r.chrom === chrom && r.pos - 1 < to && end > from - 1;
    })
    .map(line);
}

describe("regionToBin", () => {
  test("matches the SAM spec's reg2bin on known values", () => {
    expect(regionToBin(0, 1)).toBe(4681);
    expect(regionToBin(16384, 16385)).toBe(4682);
    expect(regionToBin(0, 16385)).toBe(585);
    expect(regionToBin(0, 2 ** 29)).toBe(0);
    expect(regionToBin(2 ** 26, 2 ** 26 + 2 ** 17)).toBe(585 + 512);
  });
});

describe("createVcfWriter: tabix index", () => {
  const recs = sortedRecords();
  const lines = recs.map(line);
  const vcf = join(dir, "multi.vcf.gz");
  let written: Awaited<ReturnType<typeof writeVcf>>;
  let writeMs = 0;
  beforeAll(async () => {
    const t0 = performance.now();
    written = await writeVcf(vcf, lines);
    writeMs = performance.now() - t0;
  });

  test("a BGZF VCF gets <path>.tbi in the same pass", () => {
    expect(written.indexPath).toBe(`${vcf}.tbi`);
    expect(written.indexProblem()).toBeNull();
    expect(existsSync(`${vcf}.tbi`)).toBe(true);
    const tbi = parseTbi(`${vcf}.tbi`);
    expect(tbi.magic).toBe("TBI\u0001");
    expect(tbi.names).toEqual(["1", "2", "21", "X"]);
    expect(tbi.conf).toEqual([2, 1, 2, 0, 35, 0]);
    expect(tbi.trailing).toBe(0);
    console.log(
      `wrote ${lines.length} records (${(written.bytesWritten() / 1e6).toFixed(1)} MB BGZF) with index in ${writeMs.toFixed(0)} ms`,
    );
  });

  test.skipIf(!TABIX)("equals the index tabix -p vcf builds from the same file", () => {
    expect(parseTbi(`${vcf}.tbi`)).toEqual(htslibIndex(vcf));
  });

  test.skipIf(!TABIX)("tabix -l lists the contigs; tabix region queries return exactly the plain filter's records", () => {
    expect(run([TABIX!, "-l", vcf]).trim().split("\n")).toEqual(["1", "2", "21", "X"]);
    const regions: [string, number, number][] = [
      ["21", 25_000_000, 26_000_000],
      ["1", 1, 5000],
      ["1", 1_000_000, 1_000_100],
      ["2", 100_000_000, 140_000_000],
      ["X", 1, 150_000_000],
      ["21", 47_000_000, 48_000_000],
    ];
    for (const [chrom, from, to] of regions) {
      const want = plainFilter(recs, chrom, from, to);
      const got = run([TABIX!, vcf, `${chrom}:${from}-${to}`])
        .split("\n")
        .filter(Boolean);
      expect({ region: `${chrom}:${from}-${to}`, n: got.length, same: got.join("\n") === want.join("\n") }).toEqual({
        region: `${chrom}:${from}-${to}`,
        n: want.length,
        same: true,
      });
    }
    expect(plainFilter(recs, "21", 25_000_000, 26_000_000).length).toBeGreaterThan(100);
  });

  test.skipIf(!BCFTOOLS)("bcftools view -r uses the index and returns the plain filter's records", () => {
    const want = plainFilter(recs, "21", 25_000_000, 26_000_000);
    const got = run([BCFTOOLS!, "view", "-H", "-r", "21:25000000-26000000", vcf]).split("\n").filter(Boolean);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
  });

  test.skipIf(!TABIX)("a VCF with no records: an empty index that htslib reads", async () => {
    const empty = join(dir, "empty.vcf.gz");
    await writeVcf(empty, []);
    const tbi = parseTbi(`${empty}.tbi`);
    expect(tbi.refs).toEqual([]);
    expect(tbi).toEqual(htslibIndex(empty));
    expect(run([TABIX!, "-l", empty])).toBe("");
    expect(run([TABIX!, empty, "21:1-100"])).toBe("");
  });

  test.skipIf(!TABIX)("one record; a record without a trailing newline", async () => {
    const one = join(dir, "one.vcf.gz");
    const w = await createVcfWriter(one);
    w.write(`${HEADER}\n${line({ chrom: "21", pos: 100, ref: "C", note: "a" })}\n${line({ chrom: "21", pos: 200, ref: "C", note: "b" })}`);
    await w.commit();
    expect(parseTbi(`${one}.tbi`)).toEqual(htslibIndex(one));
    expect(run([TABIX!, one, "21:150-250"]).trim()).toBe(line({ chrom: "21", pos: 200, ref: "C", note: "b" }));
  });

  test("a record past 2^29: no .tbi (a stale one is removed), and the reason names CSI", async () => {
    const far = join(dir, "far.vcf.gz");
    writeFileSync(`${far}.tbi`, "stale");
    const w = await writeVcf(far, [
      line({ chrom: "1", pos: 5, ref: "C", note: "a" }),
      line({ chrom: "1", pos: TBI_MAX_POSITION + 10, ref: "C", note: "b" }),
    ]);
    expect(existsSync(far)).toBe(true);
    expect(existsSync(`${far}.tbi`)).toBe(false);
    expect(w.indexProblem()).toContain(`1:${TBI_MAX_POSITION + 10}`);
    expect(w.indexProblem()).toContain("CSI");
    if (TABIX) expect(Bun.spawnSync([TABIX, "-p", "vcf", far]).exitCode).not.toBe(0); // htslib refuses too
  });

  test("unsorted records: no index, and the reason says where", async () => {
    const back = join(dir, "back.vcf.gz");
    const w1 = await writeVcf(back, [
      line({ chrom: "1", pos: 500, ref: "C", note: "" }),
      line({ chrom: "1", pos: 400, ref: "C", note: "" }),
    ]);
    expect(w1.indexProblem()).toBe("the VCF is not sorted: 1:400 at line 10 comes after position 500");
    expect(existsSync(`${back}.tbi`)).toBe(false);
    const again = join(dir, "again.vcf.gz");
    const w2 = await writeVcf(
      again,
      ["1", "2", "1"].map((chrom, i) => line({ chrom, pos: 10 + i, ref: "C", note: "" })),
    );
    expect(w2.indexProblem()).toContain("contig 1 appears again at line 11");
  });

  test("index: false and plain output write no index", async () => {
    const noIndex = join(dir, "noindex.vcf.gz");
    const w = await writeVcf(noIndex, lines.slice(0, 10), { index: false });
    expect(w.indexPath).toBeNull();
    expect(existsSync(`${noIndex}.tbi`)).toBe(false);
    const plain = join(dir, "plain.vcf");
    expect((await writeVcf(plain, lines.slice(0, 10))).indexPath).toBeNull();
    expect(existsSync(`${plain}.tbi`)).toBe(false);
  });
});
