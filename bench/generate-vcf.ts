import { gunzipSync } from "node:zlib";
import { seededRandom } from "../test/support/seeded-random.ts";

/**
 * Deterministic benchmark input: `count` variants over the real (non-N) bases of a FASTA contig,
 * sorted by position, REF always matching the genome, about 10 % indels of 1–10 bp (half
 * insertions, half deletions), the rest SNVs. Same seed, same file.
 */
export async function generateBenchVcf(fastaGz: string, count: number, seed = 20261123): Promise<string> {
  const { name, seq } = await readSingleContig(fastaGz);
  const real = realPositions(seq);
  const rand = seededRandom(seed);
  const bases = "ACGT";
  // Sorted positions: sample `count` indexes into the real bases, then sort.
  const picks = new Uint32Array(count);
  for (let i = 0; i < count; i++) picks[i] = real[Math.floor(rand() * real.length)]!;
  picks.sort();
  const out: string[] = [
    "##fileformat=VCFv4.2",
    `##contig=<ID=${name},length=${seq.length}>`,
    "##source=gas-bench-generator",
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
  ];
  const at = (p: number) => String.fromCharCode(seq[p - 1]!);
  for (let i = 0; i < count; i++) {
    const pos = picks[i]!;
    const r = rand();
    let ref: string;
    let alt: string;
    if (r < 0.05) {
      const len = 1 + Math.floor(rand() * 10);
      ref = at(pos);
      alt = ref;
      for (let k = 0; k < len; k++) alt += bases[Math.floor(rand() * 4)];
    } else if (r < 0.1) {
      const len = 1 + Math.floor(rand() * 10);
      ref = "";
      for (let k = 0; k <= len; k++) ref += at(pos + k);
      if (ref.includes("N")) ref = at(pos);
      alt = at(pos);
      if (ref === alt) alt = ref === "A" ? "C" : "A";
    } else {
      ref = at(pos);
      const choices = bases.replace(ref, "");
      alt = choices[Math.floor(rand() * choices.length)]!;
    }
    out.push(`${name}\t${pos}\t.\t${ref}\t${alt}\t.\t.\t.`);
  }
  return `${out.join("\n")}\n`;
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
