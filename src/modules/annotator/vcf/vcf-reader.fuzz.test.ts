/**
 * Fuzzes the VCF reader for a bounded time with random bytes and mutated versions of test.vcf
 * (plain, gzip and BGZF). Every run must either yield well-formed records or throw
 * VcfFormatError: no other exception, no hang. The PRNG is seeded, so a failure names the seed
 * and case that reproduce it (set GAS_FUZZ_SEED / GAS_FUZZ_MS to replay or run longer).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BGZF_BLOCK_INPUT, BGZF_EOF_BLOCK, deflateBgzfBlocks } from "../io/bgzf-codec.ts";
import { splitAlleles } from "./allele.ts";
import { openVcf, VcfFormatError } from "./vcf-reader.ts";
import { seededRandom } from "../../../../test/support/seeded-random.ts";

const TEST_VCF = join(import.meta.dir, "../../../../data/demo/vcf/test.vcf");
const BUDGET_MS = Number(process.env.GAS_FUZZ_MS ?? 5000);
const SEED = Number(process.env.GAS_FUZZ_SEED ?? 20240601);
const CASE_TIMEOUT_MS = 3000;
const dir = mkdtempSync(join(tmpdir(), "gas-vcf-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bgzf(data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += BGZF_BLOCK_INPUT) {
    deflateBgzfBlocks(data.subarray(off, Math.min(off + BGZF_BLOCK_INPUT, data.length)), { level: 1, library: "libdeflate" }, blocks);
  }
  blocks.push(BGZF_EOF_BLOCK);
  return Buffer.concat(blocks);
}

type Mutator = (b: Uint8Array, rnd: () => number) => Uint8Array;
const int = (rnd: () => number, n: number) => Math.floor(rnd() * n);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const enc = (s: string) => new TextEncoder().encode(s);

const MUTATORS: [string, Mutator][] = [
  [
    "flip bytes",
    (b, rnd) => {
      const out = b.slice();
      for (let k = 1 + int(rnd, 8); k > 0; k--) out[int(rnd, out.length)] = int(rnd, 256);
      return out;
    },
  ],
  ["truncate", (b, rnd) => b.slice(0, int(rnd, b.length))],
  [
    "insert tabs/newlines",
    (b, rnd) => {
      let out = b;
      for (let k = 1 + int(rnd, 6); k > 0; k--) {
        const at = int(rnd, out.length);
        out = concat(out.subarray(0, at), enc(["\t", "\n", "\r\n", "\t\t", ",", ";"][int(rnd, 6)]!), out.subarray(at));
      }
      return out;
    },
  ],
  [
    "delete a range",
    (b, rnd) => {
      const at = int(rnd, b.length);
      return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rnd, 200))));
    },
  ],
  [
    "duplicate a range",
    (b, rnd) => {
      const at = int(rnd, b.length);
      const piece = b.subarray(at, at + int(rnd, 500));
      return concat(b.subarray(0, at), piece, piece, b.subarray(at));
    },
  ],
  [
    "huge line",
    (b, rnd) => {
      const at = int(rnd, b.length);
      return concat(b.subarray(0, at), enc("A".repeat(70_000 + int(rnd, 200_000))), b.subarray(at));
    },
  ],
  ["random bytes", (_b, rnd) => Uint8Array.from({ length: int(rnd, 4096) }, () => int(rnd, 256))],
  [
    "header + random bytes",
    (b, rnd) =>
      concat(
        b.subarray(0, 400),
        Uint8Array.from({ length: int(rnd, 4096) }, () => int(rnd, 256)),
      ),
  ],
  [
    "random printable text",
    (_b, rnd) => enc(Array.from({ length: int(rnd, 3000) }, () => "ACGT\t\n#.,;=<>*0123456789rs"[int(rnd, 26)]).join("")),
  ],
];

const CONTAINERS: [string, (b: Uint8Array) => Uint8Array][] = [
  ["plain", (b) => b],
  ["gzip", (b) => Bun.gzipSync(b as Uint8Array<ArrayBuffer>)],
  ["bgzf", bgzf],
];

/** Reads the whole file; resolves with the outcome or rejects with the unexpected error. */
async function run(path: string): Promise<"records" | "format-error"> {
  let vcf: Awaited<ReturnType<typeof openVcf>> | undefined;
  try {
    vcf = await openVcf(path, { maxLineBytes: 64 * 1024, batchSize: 37 });
    for await (const batch of vcf.batches()) {
      for (const r of batch) {
        // Records that come out are well-formed, and the allele splitter accepts them.
        if (!(r.pos >= 1 && /^[ACGTN]+$/.test(r.ref) && r.alts.length > 0 && r.alts.every((a) => a !== "") && r.chrom !== "")) {
          throw new Error(`malformed record passed validation at line ${r.line}: ${JSON.stringify(r)}`);
        }
        splitAlleles(r, r.chrom);
      }
    }
    return "records";
  } catch (err) {
    if (err instanceof VcfFormatError) return "format-error";
    throw err;
  } finally {
    await vcf?.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

test(
  `fuzz: random and mutated VCFs only ever give records or VcfFormatError (${BUDGET_MS} ms)`,
  async () => {
    const base = await Bun.file(TEST_VCF).bytes();
    const rnd = seededRandom(SEED);
    const outcomes = { records: 0, "format-error": 0 };
    const deadline = performance.now() + BUDGET_MS;
    let n = 0;
    while (performance.now() < deadline) {
      n++;
      const [mName, mutate] = MUTATORS[int(rnd, MUTATORS.length)]!;
      const [cName, wrap] = CONTAINERS[int(rnd, CONTAINERS.length)]!;
      // Mutate the text before compressing, or the compressed bytes themselves (corrupt gzip/BGZF).
      const afterCompression = cName !== "plain" && rnd() < 0.5;
      const bytes = afterCompression ? mutate(wrap(base), rnd) : wrap(mutate(base, rnd));
      const what = `case ${n} (seed ${SEED}): ${mName} ${afterCompression ? "after" : "before"} ${cName}`;
      const path = join(dir, `case-${n % 8}.vcf`);
      writeFileSync(path, bytes);
      try {
        outcomes[await withTimeout(run(path), CASE_TIMEOUT_MS, what)]++;
      } catch (err) {
        throw new Error(`${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
    }
    console.log(`fuzz: ${n} cases, ${outcomes.records} read through, ${outcomes["format-error"]} VcfFormatError`);
    // Both outcomes must occur, or the fuzzer is not exercising anything.
    expect(n).toBeGreaterThan(100);
    expect(outcomes.records).toBeGreaterThan(0);
    expect(outcomes["format-error"]).toBeGreaterThan(0);
  },
  BUDGET_MS + 30_000,
);
