import { rename, stat } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { seededRandom } from "../test/support/seeded-random.ts";

const DEFAULT_SEED = 20261123;
/** Sort key = position × 2^18 + (known record + 1), so known picks sort with the random ones. */
const KEY_SHIFT = 2 ** 18;
/** The CEPH trio: a three-sample call set is most often a child and its parents. */
const TRIO = ["NA12878", "NA12891", "NA12892"];

export interface BenchVcfOptions {
  seed?: number;
  /**
   * Sample columns (default 0: a sites-only file, byte for byte what this generator always wrote).
   * With samples the records look like a joint-called cohort: QUAL, FILTER (PASS, about 8 %
   * LowQual), INFO AC/AN/DP, FORMAT GT:DP:GQ. Three samples are a trio (NA12878, child of NA12891
   * and NA12892) whose child inherits one allele from each parent; every record has at least one
   * ALT call; about 1 % of calls are missing (`./.`).
   */
  samples?: number;
  /** A known-variants VCF (gzip or BGZF); `knownShare` of the records are drawn from it. */
  known?: string;
  /** Share of records (0–1) that are known variants with their own REF/ALT; default 0. */
  knownShare?: number;
}

/**
 * Deterministic benchmark input: `count` variants over the real (non-N) bases of a FASTA contig,
 * sorted by position, REF always matching the genome, about 10 % indels of 1–10 bp (half
 * insertions, half deletions), the rest SNVs. Same seed, same file.
 */
export async function generateBenchVcf(fastaGz: string, count: number, seed = DEFAULT_SEED): Promise<string> {
  const out: string[] = [];
  for (const line of await benchVcfLines(fastaGz, count, { seed })) out.push(line);
  return `${out.join("\n")}\n`;
}

/**
 * Write the file to `path` without holding it in memory (5 M records are ~250 MB of text), through
 * a temporary name so an interrupted run never leaves a truncated file a later run would reuse.
 * Returns its size in bytes.
 */
export async function writeBenchVcf(path: string, fastaGz: string, count: number, opts: BenchVcfOptions = {}): Promise<number> {
  const tmp = `${path}.${process.pid}.tmp`;
  const writer = Bun.file(tmp).writer({ highWaterMark: 1 << 20 });
  for (const line of await benchVcfLines(fastaGz, count, opts)) writer.write(`${line}\n`);
  await writer.end();
  await rename(tmp, path);
  return (await stat(path)).size;
}

/** The file's lines (header first, no newlines), generated lazily. */
export async function benchVcfLines(fastaGz: string, count: number, opts: BenchVcfOptions = {}): Promise<Iterable<string>> {
  const { name, seq } = await readSingleContig(fastaGz);
  const known = opts.known && (opts.knownShare ?? 0) > 0 ? await readKnown(opts.known, seq) : null;
  return records(name, seq, known, count, opts);
}

interface KnownSites {
  pos: Uint32Array;
  ref: string[];
  alt: string[];
}

function* records(name: string, seq: Uint8Array, known: KnownSites | null, count: number, opts: BenchVcfOptions): Generator<string> {
  const real = realPositions(seq);
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  // Everything this generator added later (known picks, genotypes) draws from its own stream, so
  // the sites-only file stays what it always was for a given seed.
  const extra = seededRandom((opts.seed ?? DEFAULT_SEED) ^ 0x5bd1e995);
  const knownShare = known ? (opts.knownShare ?? 0) : 0;
  const samples = opts.samples ?? 0;
  const bases = "ACGT";
  // Sorted positions: sample `count` indexes into the real bases (or known sites), then sort.
  const picks = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    if (known && extra() < knownShare) {
      const k = Math.floor(extra() * known.pos.length);
      picks[i] = known.pos[k]! * KEY_SHIFT + k + 1;
    } else picks[i] = real[Math.floor(rand() * real.length)]! * KEY_SHIFT;
  }
  picks.sort();
  yield "##fileformat=VCFv4.2";
  yield `##contig=<ID=${name},length=${seq.length}>`;
  if (samples > 0) yield* CALL_SET_HEADER;
  yield "##source=gas-bench-generator";
  const names = Array.from({ length: samples }, (_, i) => TRIO[i] ?? `SAMPLE${i + 1}`);
  yield `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO${samples > 0 ? `\tFORMAT\t${names.join("\t")}` : ""}`;
  const at = (p: number) => String.fromCharCode(seq[p - 1]!);
  const genotypes = samples > 0 ? callSet(samples, extra) : null;
  for (let i = 0; i < count; i++) {
    const key = picks[i]!;
    const pos = Math.floor(key / KEY_SHIFT);
    const k = key - pos * KEY_SHIFT - 1;
    let ref: string;
    let alt: string;
    if (k >= 0 && known) {
      ref = known.ref[k]!;
      alt = known.alt[k]!;
    } else {
      const r = rand();
      if (r < 0.05) {
        const len = 1 + Math.floor(rand() * 10);
        ref = at(pos);
        alt = ref;
        for (let j = 0; j < len; j++) alt += bases[Math.floor(rand() * 4)];
      } else if (r < 0.1) {
        const len = 1 + Math.floor(rand() * 10);
        ref = "";
        for (let j = 0; j <= len; j++) ref += at(pos + j);
        if (ref.includes("N")) ref = at(pos);
        alt = at(pos);
        if (ref === alt) alt = ref === "A" ? "C" : "A";
      } else {
        ref = at(pos);
        const choices = bases.replace(ref, "");
        alt = choices[Math.floor(rand() * choices.length)]!;
      }
    }
    yield genotypes ? `${name}\t${pos}\t.\t${ref}\t${alt}\t${genotypes()}` : `${name}\t${pos}\t.\t${ref}\t${alt}\t.\t.\t.`;
  }
}

const CALL_SET_HEADER = [
  '##FILTER=<ID=PASS,Description="All filters passed">',
  '##FILTER=<ID=LowQual,Description="Low quality (QUAL < 30)">',
  '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes">',
  '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called genotypes">',
  '##INFO=<ID=DP,Number=1,Type=Integer,Description="Combined depth across samples">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
];

/**
 * QUAL…sample columns for one record of a joint-called set of `n` samples. The ALT frequency is
 * drawn skewed towards rare (p = 0.02–0.5, most under 0.15); founders' alleles are drawn from it
 * (Hardy–Weinberg), the trio's child takes one allele of each parent. A record no sample carries
 * would not be in a call set: drawn again (at most 50 times, then a founder is made a carrier).
 */
function callSet(n: number, rand: () => number): () => string {
  const a = new Uint8Array(n * 2);
  const missing = new Uint8Array(n);
  return () => {
    const p = 0.02 + 0.48 * rand() ** 2;
    const allele = () => (rand() < p ? 1 : 0);
    let carriers = 0;
    for (let attempt = 0; carriers === 0 && attempt < 50; attempt++) {
      for (let s = 0; s < n; s++) {
        if (n >= 3 && s === 0) continue; // the child, from its parents below
        a[2 * s] = allele();
        a[2 * s + 1] = allele();
      }
      if (n >= 3) {
        a[0] = a[2 + (rand() < 0.5 ? 0 : 1)]!;
        a[1] = a[4 + (rand() < 0.5 ? 0 : 1)]!;
      }
      carriers = 0;
      for (let s = 0; s < n; s++) {
        missing[s] = rand() < 0.01 ? 1 : 0;
        if (!missing[s] && a[2 * s]! + a[2 * s + 1]! > 0) carriers++;
      }
    }
    if (carriers === 0) {
      // The first founder carries one ALT; in a trio the child inherits it.
      const founder = n >= 3 ? 1 : 0;
      a[2 * founder] = 1;
      missing[founder] = 0;
      if (n >= 3) a[0] = 1;
    }
    let ac = 0;
    let an = 0;
    let depth = 0;
    const cols: string[] = [];
    for (let s = 0; s < n; s++) {
      if (missing[s]) {
        cols.push("./.");
        continue;
      }
      const dp = 8 + Math.floor(rand() * 40);
      const gq = Math.max(1, Math.min(99, 3 * dp - Math.floor(rand() * 30)));
      const g = a[2 * s]! + a[2 * s + 1]!;
      ac += g;
      an += 2;
      depth += dp;
      cols.push(`${g === 0 ? "0/0" : g === 1 ? "0/1" : "1/1"}:${dp}:${gq}`);
    }
    const low = rand() < 0.08;
    const qual = low ? (5 + rand() * 25).toFixed(1) : (30 + rand() * 3000).toFixed(2);
    return `${qual}\t${low ? "LowQual" : "PASS"}\tAC=${ac};AN=${an};DP=${depth}\tGT:DP:GQ\t${cols.join("\t")}`;
  };
}

/**
 * The known-variants file's simple records (one ALT of A/C/G/T bases, REF matching the genome),
 * each with its REF/ALT, so generated records drawn from it are found by the engine's lookup.
 */
async function readKnown(path: string, seq: Uint8Array): Promise<KnownSites> {
  const decoder = new TextDecoder();
  const text = decoder.decode(gunzipSync(await Bun.file(path).bytes()));
  const pos: number[] = [];
  const ref: string[] = [];
  const alt: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split("\t", 5);
    const p = Number(f[1]);
    const r = f[3]!;
    const a = f[4]!;
    if (!/^[ACGT]+$/.test(r) || !/^[ACGT]+$/.test(a)) continue;
    if (decoder.decode(seq.subarray(p - 1, p - 1 + r.length)) !== r) continue;
    pos.push(p);
    ref.push(r);
    alt.push(a);
  }
  if (pos.length === 0) throw new Error(`${path}: no known variant matches the genome (wrong build or contig names?)`);
  if (pos.length >= KEY_SHIFT - 1) throw new Error(`${path}: more than ${KEY_SHIFT - 2} known variants; raise KEY_SHIFT`);
  return { pos: Uint32Array.from(pos), ref, alt };
}

async function readSingleContig(fastaGz: string): Promise<{ name: string; seq: Uint8Array }> {
  const text = gunzipSync(await Bun.file(fastaGz).bytes());
  const firstNl = text.indexOf(10);
  const name = new TextDecoder().decode(text.subarray(1, firstNl)).split(/\s/)[0]!;
  const seq = new Uint8Array(text.length);
  let n = 0;
  for (let i = firstNl + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === 62) break; // a second contig: the demo FASTA has one
    if (c !== 10 && c !== 13) seq[n++] = c & 0xdf; // upper case
  }
  return { name, seq: seq.subarray(0, n) };
}

/** 1-based positions of the A/C/G/T bases (the demo genome is N outside its real blocks). */
function realPositions(seq: Uint8Array): Uint32Array {
  let n = 0;
  for (const c of seq) if (c !== 78) n++;
  const out = new Uint32Array(n);
  let k = 0;
  // Leave room at the end of each block so a 10 bp deletion stays inside real sequence.
  for (let i = 0; i < seq.length - 12; i++) if (seq[i] !== 78 && seq[i + 11] !== 78) out[k++] = i + 1;
  return out.subarray(0, k);
}
