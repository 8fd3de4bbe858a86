/**
 * Test helpers for the reference module: small synthetic FASTA files (plain and BGZF, written here
 * so the tests need no htslib binaries), paths to the real demo data, and a codon translator.
 */
import { crc32, deflateRawSync } from "node:zlib";
import { join } from "node:path";
import { DEFAULT_BUNDLE_DIR } from "../../../src/modules/annotator/reference/bundle.ts";
export { seededRandom } from "../seeded-random.ts";

export const DEMO_DIR = DEFAULT_BUNDLE_DIR;
export const DEMO_FASTA = join(DEMO_DIR, "fasta/Homo_sapiens.GRCh38.chr21.test.fa.gz");
export const GENES_GFF3_GZ = join(DEMO_DIR, "genes/ensembl84.chr21.gff3.gz");
export const GENES_GTF_GZ = join(DEMO_DIR, "genes/ensembl84.chr21_24-27Mb.gtf.gz");
export const REFSEQ_GFF3_GZ = join(DEMO_DIR, "genes/refseq.chr21.gff3.gz");

/** FASTA text with fixed line width. */
export function fastaText(records: { name: string; seq: string }[], lineWidth = 60, eol = "\n"): string {
  let out = "";
  for (const r of records) {
    out += `>${r.name} test sequence${eol}`;
    for (let i = 0; i < r.seq.length; i += lineWidth) out += r.seq.slice(i, i + lineWidth) + eol;
  }
  return out;
}

/**
 * BGZF-compresses `data` in blocks of `blockSize` uncompressed bytes (plus the EOF block) and
 * returns the file and its `.gzi` (SAM spec §4.1).
 */
export function bgzf(data: Uint8Array, blockSize = 65280): { file: Uint8Array; gzi: Uint8Array } {
  const blocks: Uint8Array[] = [];
  const offsets: [number, number][] = [];
  let c = 0;
  const pushBlock = (payload: Uint8Array) => {
    const deflated = deflateRawSync(payload);
    const block = new Uint8Array(18 + deflated.length + 8);
    block.set([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0]);
    const view = new DataView(block.buffer);
    view.setUint16(16, block.length - 1, true);
    block.set(deflated, 18);
    view.setUint32(18 + deflated.length, crc32(payload), true);
    view.setUint32(22 + deflated.length, payload.length, true);
    blocks.push(block);
    c += block.length;
  };
  for (let u = 0; u < data.length; u += blockSize) {
    if (u > 0) offsets.push([c, u]);
    pushBlock(data.subarray(u, Math.min(u + blockSize, data.length)));
  }
  pushBlock(new Uint8Array(0));
  const file = new Uint8Array(c);
  let at = 0;
  for (const b of blocks) {
    file.set(b, at);
    at += b.length;
  }
  const gzi = new Uint8Array(8 + offsets.length * 16);
  const gv = new DataView(gzi.buffer);
  gv.setBigUint64(0, BigInt(offsets.length), true);
  offsets.forEach(([co, uo], i) => {
    gv.setBigUint64(8 + i * 16, BigInt(co), true);
    gv.setBigUint64(16 + i * 16, BigInt(uo), true);
  });
  return { file, gzi };
}

const BASES = "TCAG";
const AA1 = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
/** Translates with the standard code (table 1); `X` for codons with other letters. */
export function translate(cds: string): string {
  let protein = "";
  for (let i = 0; i + 3 <= cds.length; i += 3) {
    const idx = [0, 1, 2].map((k) => BASES.indexOf(cds[i + k]!));
    protein += idx.some((x) => x < 0) ? "X" : AA1[idx[0]! * 16 + idx[1]! * 4 + idx[2]!];
  }
  return protein;
}
