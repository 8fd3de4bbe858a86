/**
 * A deterministic (seeded) synthetic reference at GENCODE scale, for `bun run bench:genome`:
 * a genome of GRCh38's 25 contigs (real lengths, scalable), a GFF3 of gene models in Ensembl's
 * shape (gene / ncRNA_gene / pseudogene → mRNA / lnc_RNA / ncRNA-type transcripts → exon, CDS,
 * five_prime_UTR, three_prime_UTR rows with Parent links, biotypes, both strands) and a VCF of
 * variants spread over every contig with REF matching the genome.
 *
 * The sequence is random except where the models need it not to be: each coding transcript's CDS
 * reads ATG, sense codons, a stop (TAA/TAG, valid in the mitochondrial table too) in the genome,
 * and introns of coding genes start GT and end AG, so consequences (missense, stop_gained,
 * frameshift, splice) are meaningful. Coding genes do not overlap each other (their sequence is
 * written); non-coding genes land anywhere, overlapping coding ones on either strand.
 *
 * Sizes follow GENCODE's: about a third of the genes protein coding with ~9 transcripts each,
 * lncRNA with 1–4, single-exon pseudogenes and small RNAs; exon counts with a median of ~9 and a
 * long tail; internal exons ~125 bp, introns a log-normal with a median of 1.5 kb.
 */
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { seededRandom } from "../test/support/seeded-random.ts";

/** GRCh38 primary assembly lengths (Ensembl names). */
export const GRCH38_CONTIGS: readonly { name: string; length: number; density: number }[] = [
  { name: "1", length: 248956422, density: 1.2 },
  { name: "2", length: 242193529, density: 0.8 },
  { name: "3", length: 198295559, density: 0.8 },
  { name: "4", length: 190214555, density: 0.6 },
  { name: "5", length: 181538259, density: 0.7 },
  { name: "6", length: 170805979, density: 0.9 },
  { name: "7", length: 159345973, density: 0.9 },
  { name: "8", length: 145138636, density: 0.7 },
  { name: "9", length: 138394717, density: 0.9 },
  { name: "10", length: 133797422, density: 0.9 },
  { name: "11", length: 135086622, density: 1.2 },
  { name: "12", length: 133275309, density: 1.1 },
  { name: "13", length: 114364328, density: 0.5 },
  { name: "14", length: 107043718, density: 0.9 },
  { name: "15", length: 101991189, density: 1.0 },
  { name: "16", length: 90338345, density: 1.3 },
  { name: "17", length: 83257441, density: 1.7 },
  { name: "18", length: 80373285, density: 0.5 },
  { name: "19", length: 58617616, density: 2.5 },
  { name: "20", length: 64444167, density: 1.0 },
  { name: "21", length: 46709983, density: 0.7 },
  { name: "22", length: 50818468, density: 1.3 },
  { name: "X", length: 156040895, density: 0.6 },
  { name: "Y", length: 57227415, density: 0.2 },
  { name: "MT", length: 16569, density: 0 },
];

export interface SyntheticGenomeOptions {
  seed: number;
  /** How many of GRCH38_CONTIGS, from the first (default all 25). */
  contigs?: number;
  /** Contig lengths are multiplied by this (default 1: 3.1 Gb). */
  lengthScale?: number;
  /** Genes in total (default 60,000). */
  genes?: number;
  /** Variants in the VCF, spread over every contig by length (at least one each). */
  variants: number;
  /** Folder under which the files go (a sub-folder named by the options). */
  outDir: string;
}

export interface SyntheticGenome {
  dir: string;
  /** The bundle folder's manifest.json (fasta, genes, index). */
  bundleDir: string;
  fasta: string;
  gff3: string;
  vcf: string;
  /** The VCF's first record alone: what opening the reference costs. */
  vcfOne: string;
  stats: GenomeStats;
}

export interface GenomeStats {
  contigs: number;
  bases: number;
  genes: number;
  transcripts: number;
  codingTranscripts: number;
  exons: number;
  medianExons: number;
  maxExons: number;
  variants: number;
  generateSeconds: number;
}

const LINE = 60;
const BASES = [65, 67, 71, 84]; // A C G T
const COMPLEMENT = new Uint8Array(256).fill(78);
for (const [a, b] of ["AT", "CG", "GC", "TA", "NN"]) COMPLEMENT[a!.charCodeAt(0)] = b!.charCodeAt(0);

/** The 61 sense codons less AGA/AGG (stops in the mitochondrial table): valid on every contig. */
const SENSE: Uint8Array[] = [];
for (const a of "ACGT")
  for (const b of "ACGT")
    for (const c of "ACGT") {
      const codon = a + b + c;
      if (!["TAA", "TAG", "TGA", "AGA", "AGG"].includes(codon)) SENSE.push(new TextEncoder().encode(codon));
    }
const STOPS = [new TextEncoder().encode("TAA"), new TextEncoder().encode("TAG")];
const STOP_SET = new Set(["TAA", "TAG", "TGA"]);

interface Exon {
  start: number;
  end: number;
}

interface TranscriptModel {
  id: string;
  type: string;
  biotype: string;
  exons: Exon[]; // ascending
  /** Genomic CDS span (low, high), or null. */
  cds: { lo: number; hi: number } | null;
  protein: string | null;
  canonical: boolean;
}

interface GeneModel {
  id: string;
  name: string;
  type: string;
  biotype: string;
  strand: 1 | -1;
  start: number;
  end: number;
  transcripts: TranscriptModel[];
}

/**
 * Options of the genome that is `o`'s first contig alone, with the same genes and variants on it:
 * each contig draws from its own seeded stream and the gene and variant counts are shares of the
 * contig weights, so its FASTA, models and VCF records are the first contig's of `o`, byte for
 * byte. bench:genome annotates those records against both: the same work, on a reference of one
 * contig and on the whole genome.
 */
export function firstContigOptions(o: SyntheticGenomeOptions): SyntheticGenomeOptions {
  const scale = o.lengthScale ?? 1;
  const contigs = GRCH38_CONTIGS.slice(0, o.contigs ?? GRCH38_CONTIGS.length).map((c) => ({
    length: Math.max(2000, Math.round(c.length * scale)),
    density: c.density,
  }));
  const weightSum = contigs.reduce((a, c) => a + c.length * c.density, 0);
  const totalBases = contigs.reduce((a, c) => a + c.length, 0);
  const first = contigs[0]!;
  return {
    ...o,
    contigs: 1,
    genes: Math.max(1, Math.round(((o.genes ?? 60000) * first.length * first.density) / weightSum)),
    variants: Math.max(1, Math.round((o.variants * first.length) / totalBases)),
  };
}

/** Folder name of a configuration: everything that changes the files. */
export function syntheticGenomeKey(o: SyntheticGenomeOptions): string {
  return `genome-s${o.seed}-c${o.contigs ?? 25}-x${o.lengthScale ?? 1}-g${o.genes ?? 60000}-v${o.variants}`;
}

/**
 * Generates the files (or finds them from an earlier run with the same options: a `done` file is
 * written last, so an interrupted run starts over).
 */
export async function ensureSyntheticGenome(o: SyntheticGenomeOptions, log: (s: string) => void = () => {}): Promise<SyntheticGenome> {
  const dir = join(o.outDir, syntheticGenomeKey(o));
  const files = {
    dir,
    bundleDir: dir,
    fasta: join(dir, "genome.fa.gz"),
    gff3: join(dir, "genes.gff3.gz"),
    vcf: join(dir, `variants-${o.variants}.vcf`),
    vcfOne: join(dir, "variants-1.vcf"),
  };
  const done = Bun.file(join(dir, "done.json"));
  if (await done.exists()) return { ...files, stats: (await done.json()) as GenomeStats };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stats = await generate(o, files, log);
  await writeFile(
    join(dir, "manifest.json"),
    JSON.stringify(
      {
        name: `synthetic genome (seed ${o.seed})`,
        build: "synthetic-GRCh38",
        fasta: "genome.fa.gz",
        genes: "genes.gff3.gz",
        known: null,
        contigAliases: { MT: ["chrM", "chrMT", "M"] },
      },
      null,
      2,
    ),
  );
  await writeFile(join(dir, "done.json"), JSON.stringify(stats, null, 2));
  return { ...files, stats };
}

/** A process writing BGZF (bgzip from htslib) fed through its stdin, with back-pressure. */
function bgzipWriter(path: string, gzi: string | null) {
  const proc = Bun.spawn(["bgzip", "-@", "2", "-l", "1", ...(gzi ? ["-i", "-I", gzi] : []), "-c"], {
    stdin: "pipe",
    stdout: Bun.file(path),
    stderr: "pipe",
  });
  let pending = 0;
  return {
    async write(chunk: Uint8Array | string) {
      proc.stdin.write(chunk);
      pending += typeof chunk === "string" ? chunk.length : chunk.byteLength;
      if (pending > 8 << 20) {
        await proc.stdin.flush();
        pending = 0;
      }
    },
    async end() {
      await proc.stdin.end();
      const code = await proc.exited;
      if (code !== 0) throw new Error(`bgzip → ${path} failed (${code}): ${await new Response(proc.stderr).text()}`);
    },
  };
}

async function generate(
  o: SyntheticGenomeOptions,
  files: { dir: string; fasta: string; gff3: string; vcf: string; vcfOne: string },
  log: (s: string) => void,
): Promise<GenomeStats> {
  const t0 = performance.now();
  if (Bun.which("bgzip") === null) throw new Error("bgzip not found: install it with `apt-get install tabix` (Debian package tabix)");
  const scale = o.lengthScale ?? 1;
  const contigs = GRCH38_CONTIGS.slice(0, o.contigs ?? GRCH38_CONTIGS.length).map((c) => ({
    ...c,
    length: Math.max(2000, Math.round(c.length * scale)),
  }));
  const totalGenes = o.genes ?? 60000;
  const weights = contigs.map((c) => c.length * c.density);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const totalBases = contigs.reduce((a, c) => a + c.length, 0);

  const fasta = bgzipWriter(files.fasta, `${files.fasta}.gzi`);
  const gff = bgzipWriter(files.gff3, null);
  const vcf = Bun.file(`${files.vcf}.tmp`).writer({ highWaterMark: 1 << 20 });
  await gff.write("##gff-version 3\n");
  for (const c of contigs) await gff.write(`##sequence-region   ${c.name} 1 ${c.length}\n`);
  vcf.write("##fileformat=VCFv4.2\n");
  for (const c of contigs) vcf.write(`##contig=<ID=${c.name},length=${c.length}>\n`);
  vcf.write("##source=gas-bench-synthetic-genome\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  let firstRecord: string | null = null;

  const fai: string[] = [];
  let offset = 0;
  const ids = { gene: 0, transcript: 0, protein: 0 };
  const exonCounts: number[] = [];
  let transcripts = 0;
  let coding = 0;
  let genes = 0;
  let variants = 0;
  // Variants by contig length, at least one each; the last contig takes the rounding remainder.
  const perContig = contigs.map((c) => Math.max(1, Math.round((o.variants * c.length) / totalBases)));
  perContig[perContig.length - 1] = Math.max(1, o.variants - perContig.slice(0, -1).reduce((a, b) => a + b, 0));
  for (let ci = 0; ci < contigs.length; ci++) {
    const c = contigs[ci]!;
    const rand = seededRandom((o.seed ^ Math.imul(ci + 1, 0x9e3779b1)) >>> 0);
    const seq = randomSequence(c.length, rand);
    const tel = c.name === "MT" ? 0 : Math.min(10000, Math.floor(c.length / 50));
    seq.fill(78, 0, tel);
    seq.fill(78, c.length - tel);
    const geneCount =
      c.name === "MT"
        ? Math.max(1, Math.round((37 * totalGenes) / 60000))
        : Math.max(1, Math.round((totalGenes * weights[ci]!) / weightSum));
    const models = layOutGenes(c.name, c.length, tel, geneCount, rand, seq, ids);
    genes += models.length;
    for (const g of models)
      for (const t of g.transcripts) {
        transcripts++;
        if (t.cds) coding++;
        exonCounts.push(t.exons.length);
      }
    // FASTA: header, then 60 bases a line.
    const header = `>${c.name} dna:chromosome chromosome:synthetic:${c.name}:1:${c.length}:1 REF\n`;
    await fasta.write(header);
    fai.push(`${c.name}\t${c.length}\t${offset + header.length}\t${LINE}\t${LINE + 1}\n`);
    offset += header.length + c.length + Math.ceil(c.length / LINE);
    const chunkLines = 1 << 16;
    for (let from = 0; from < c.length; from += chunkLines * LINE) {
      const to = Math.min(c.length, from + chunkLines * LINE);
      const lines = Math.ceil((to - from) / LINE);
      const out = new Uint8Array(to - from + lines);
      let k = 0;
      for (let p = from; p < to; p += LINE) {
        const e = Math.min(to, p + LINE);
        out.set(seq.subarray(p, e), k);
        k += e - p;
        out[k++] = 10;
      }
      await fasta.write(out);
    }
    await gff.write(gffRows(c.name, c.length, models));
    const n = perContig[ci]!;
    for (const line of variantLines(c.name, seq, tel, n, rand)) {
      firstRecord ??= line;
      vcf.write(`${line}\n`);
      variants++;
    }
    log(`  ${c.name}: ${c.length.toLocaleString("en-US")} bp, ${models.length} genes, ${n} variants`);
  }
  await fasta.end();
  await gff.end();
  await vcf.end();
  await rename(`${files.vcf}.tmp`, files.vcf);
  await writeFile(`${files.fasta}.fai`, fai.join(""));
  const header = (
    await Bun.file(files.vcf)
      .slice(0, 1 << 16)
      .text()
  )
    .split("\n")
    .filter((l) => l.startsWith("#"));
  await writeFile(files.vcfOne, `${header.join("\n")}\n${firstRecord}\n`);
  exonCounts.sort((a, b) => a - b);
  return {
    contigs: contigs.length,
    bases: totalBases,
    genes,
    transcripts,
    codingTranscripts: coding,
    exons: exonCounts.reduce((a, b) => a + b, 0),
    medianExons: exonCounts[exonCounts.length >> 1] ?? 0,
    maxExons: exonCounts[exonCounts.length - 1] ?? 0,
    variants,
    generateSeconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

/** Random A/C/G/T, 16 bases per 32-bit draw (xorshift seeded from `rand`: the fill is 3.1 G bases). */
function randomSequence(length: number, rand: () => number): Uint8Array {
  const seq = new Uint8Array(length);
  let x = (Math.floor(rand() * 0xffffffff) | 1) >>> 0;
  let i = 0;
  for (; i + 16 <= length; i += 16) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    let v = x >>> 0;
    for (let k = 0; k < 16; k++, v >>>= 2) seq[i + k] = BASES[v & 3]!;
  }
  for (; i < length; i++) seq[i] = BASES[Math.floor(rand() * 4)]!;
  return seq;
}

/** Log-normal draw with the given median and shape, clamped to [min, max]. */
function logNormal(rand: () => number, median: number, sigma: number, min: number, max: number): number {
  const u = Math.max(rand(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return Math.max(min, Math.min(max, Math.round(median * Math.exp(sigma * z))));
}

const pad = (n: number) => String(n).padStart(11, "0");

/** Exon lengths and intron lengths (5'→3') of a coding gene's canonical transcript. */
function codingShape(rand: () => number, singleExon: boolean): { exons: number[]; introns: number[] } {
  const n = singleExon ? 1 : logNormal(rand, 13, 0.7, 1, 150);
  const exons: number[] = [];
  for (let i = 0; i < n; i++) {
    if (n === 1) exons.push(logNormal(rand, singleExon ? 700 : 1800, 0.5, 150, 8000));
    else if (i === 0) exons.push(logNormal(rand, 220, 0.6, 40, 3000));
    else if (i === n - 1) exons.push(logNormal(rand, 1200, 0.7, 80, 10000));
    else {
      let len = logNormal(rand, 125, 0.5, 30, 1500);
      if (rand() < 0.4) len -= len % 3; // in-frame exons make in-frame exon skipping possible
      exons.push(len);
    }
  }
  const introns = Array.from({ length: n - 1 }, () => logNormal(rand, 1500, 1.3, 70, 300000));
  return { exons, introns };
}

/**
 * Places a contig's genes and writes the coding genes' sequence (ORFs, splice sites) into `seq`.
 * Coding genes are laid end to end with random gaps; their introns shrink when the contig is too
 * short for them (the scaled-down test genomes, MT).
 */
function layOutGenes(
  contig: string,
  length: number,
  tel: number,
  count: number,
  rand: () => number,
  seq: Uint8Array,
  ids: { gene: number; transcript: number; protein: number },
): GeneModel[] {
  const mt = contig === "MT";
  const usableFrom = tel + 1;
  const usableTo = length - tel;
  const usable = usableTo - usableFrom + 1;
  const nCoding = Math.max(1, Math.round(count * (mt ? 0.35 : 0.33)));
  const shapes = Array.from({ length: nCoding }, () => codingShape(rand, mt));
  const spanOf = (s: { exons: number[]; introns: number[] }, f: number) =>
    s.exons.reduce((a, b) => a + b, 0) + s.introns.reduce((a, b) => a + Math.max(70, Math.round(b * f)), 0);
  let total = shapes.reduce((a, s) => a + spanOf(s, 1), 0);
  let f = 1;
  while (total > 0.6 * usable && f > 1e-4) {
    f *= 0.7;
    total = shapes.reduce((a, s) => a + spanOf(s, f), 0);
  }
  while (total > 0.8 * usable && shapes.length > 1) {
    total -= spanOf(shapes.pop()!, f);
  }
  // Gaps: random shares of the free room.
  const gapWeights = Array.from({ length: shapes.length + 1 }, () => rand() + 0.05);
  const gapSum = gapWeights.reduce((a, b) => a + b, 0);
  const free = Math.max(0, usable - total);
  const models: GeneModel[] = [];
  let pos = usableFrom;
  for (let i = 0; i < shapes.length; i++) {
    pos += Math.floor((free * gapWeights[i]!) / gapSum);
    const s = shapes[i]!;
    const strand: 1 | -1 = rand() < 0.5 ? 1 : -1;
    // Exon coordinates ascending: a minus-strand gene's 5' exon is its highest.
    const lens = strand === 1 ? s.exons : [...s.exons].reverse();
    const ints = (strand === 1 ? s.introns : [...s.introns].reverse()).map((x) => Math.max(70, Math.round(x * f)));
    const exons: Exon[] = [];
    let p = pos;
    for (let k = 0; k < lens.length; k++) {
      exons.push({ start: p, end: p + lens[k]! - 1 });
      p += lens[k]! + (ints[k] ?? 0);
    }
    if (exons[exons.length - 1]!.end > usableTo) break;
    pos = exons[exons.length - 1]!.end + 1;
    models.push(codingGene(strand, exons, rand, seq, ids, mt));
  }
  const nonCoding = Math.max(0, count - models.length);
  for (let i = 0; i < nonCoding; i++) models.push(nonCodingGene(usableFrom, usableTo, rand, ids, mt));
  models.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
  return models;
}

/** Transcript-order genomic positions of the bases of `exons` between lo and hi (CDS), or all. */
function splicedPositions(exons: Exon[], strand: 1 | -1, lo = 0, hi = Number.MAX_SAFE_INTEGER): number[] {
  const out: number[] = [];
  const ordered = strand === 1 ? exons : [...exons].reverse();
  for (const e of ordered) {
    const a = Math.max(e.start, lo);
    const b = Math.min(e.end, hi);
    if (strand === 1) for (let p = a; p <= b; p++) out.push(p);
    else for (let p = b; p >= a; p--) out.push(p);
  }
  return out;
}

const baseAt = (seq: Uint8Array, p: number, strand: 1 | -1) => (strand === 1 ? seq[p - 1]! : COMPLEMENT[seq[p - 1]!]!);
const put = (seq: Uint8Array, p: number, strand: 1 | -1, b: number) => {
  seq[p - 1] = strand === 1 ? b : COMPLEMENT[b]!;
};

/** A CDS reads as an ORF in `seq`: whole codons, a start, a stop at the end and nowhere before. */
function isOrf(seq: Uint8Array, exons: Exon[], strand: 1 | -1, lo: number, hi: number): boolean {
  const pos = splicedPositions(exons, strand, lo, hi);
  if (pos.length < 6 || pos.length % 3 !== 0) return false;
  for (let i = 0; i < pos.length; i += 3) {
    const codon = String.fromCharCode(baseAt(seq, pos[i]!, strand), baseAt(seq, pos[i + 1]!, strand), baseAt(seq, pos[i + 2]!, strand));
    if (i === 0 && codon !== "ATG") return false;
    if (STOP_SET.has(codon) !== (i === pos.length - 3)) return false;
  }
  return true;
}

function codingGene(
  strand: 1 | -1,
  exons: Exon[],
  rand: () => number,
  seq: Uint8Array,
  ids: { gene: number; transcript: number; protein: number },
  mt: boolean,
): GeneModel {
  // Splice sites: GT…AG in transcript orientation.
  for (let k = 0; k + 1 < exons.length; k++) {
    const a = exons[k]!.end + 1;
    const b = exons[k + 1]!.start - 1;
    const [donor, acceptor] = strand === 1 ? [a, b - 1] : [b, a + 1];
    const step = strand;
    put(seq, donor, strand, 71); // G
    put(seq, donor + step, strand, 84); // T
    put(seq, acceptor, strand, 65); // A
    put(seq, acceptor + step, strand, 71); // G
  }
  const all = splicedPositions(exons, strand);
  const ordered = strand === 1 ? exons : [...exons].reverse();
  const firstLen = ordered[0]!.end - ordered[0]!.start + 1;
  const lastLen = ordered[ordered.length - 1]!.end - ordered[ordered.length - 1]!.start + 1;
  let u5 = exons.length === 1 ? Math.floor(all.length * 0.1 * rand()) : Math.floor(firstLen * (0.2 + 0.6 * rand()));
  let u3 = exons.length === 1 ? Math.floor(all.length * 0.2 * rand()) : Math.floor(lastLen * (0.3 + 0.6 * rand()));
  if (mt) u5 = u3 = 0;
  let cdsLen = all.length - u5 - u3;
  cdsLen -= cdsLen % 3;
  u3 = all.length - u5 - cdsLen;
  const cdsPos = all.slice(u5, u5 + cdsLen);
  const write = (at: number, codon: Uint8Array) => {
    for (let j = 0; j < 3; j++) put(seq, cdsPos[at + j]!, strand, codon[j]!);
  };
  write(0, new TextEncoder().encode("ATG"));
  for (let at = 3; at + 3 < cdsLen; at += 3) write(at, SENSE[Math.floor(rand() * SENSE.length)]!);
  write(cdsLen - 3, STOPS[Math.floor(rand() * 2)]!);
  const cds = { lo: Math.min(cdsPos[0]!, cdsPos[cdsLen - 1]!), hi: Math.max(cdsPos[0]!, cdsPos[cdsLen - 1]!) };

  const geneNo = ++ids.gene;
  const gene: GeneModel = {
    id: `ENSG${pad(geneNo)}`,
    name: `SYN${geneNo}`,
    type: "gene",
    biotype: "protein_coding",
    strand,
    start: exons[0]!.start,
    end: exons[exons.length - 1]!.end,
    transcripts: [],
  };
  const tx = (biotype: string, ex: Exon[], withCds: boolean, canonical = false): TranscriptModel => ({
    id: `ENST${pad(++ids.transcript)}`,
    type: withCds ? "mRNA" : biotype === "retained_intron" ? "transcript" : "lnc_RNA",
    biotype,
    exons: ex,
    cds: withCds ? cds : null,
    protein: withCds ? `ENSP${pad(++ids.protein)}` : null,
    canonical,
  });
  gene.transcripts.push(tx("protein_coding", exons, true, true));
  // ~9 transcripts per coding gene on average (GENCODE: 175k coding-gene transcripts, 20k genes).
  const alternatives = mt ? 0 : Math.min(40, Math.floor(-Math.log(Math.max(rand(), 1e-9)) * 10));
  const n = exons.length;
  for (let a = 0; a < alternatives; a++) {
    const r = rand();
    if (r < 0.55 && n >= 4) {
      // Exon skipping, kept only where the ORF survives it.
      const skip = 1 + Math.floor(rand() * (n - 2));
      const ex = exons.filter((_, k) => k !== skip);
      if (exons[skip]!.start > cds.lo && exons[skip]!.end < cds.hi && isOrf(seq, ex, strand, cds.lo, cds.hi)) {
        gene.transcripts.push(tx("protein_coding", ex, true));
        continue;
      }
    }
    if (r < 0.85) {
      // Other UTR ends: the first/last exon trimmed outside the CDS.
      const ex = exons.map((e) => ({ ...e }));
      const lo = ex[0]!;
      const hi = ex[n - 1]!;
      if (lo.start < cds.lo) lo.start += Math.floor((Math.min(cds.lo, lo.end + 1) - lo.start) * rand());
      if (hi.end > cds.hi) hi.end -= Math.floor((hi.end - Math.max(cds.hi, hi.start - 1)) * rand());
      gene.transcripts.push(tx("protein_coding", ex, true));
    } else if (r < 0.93 && n >= 2) {
      // Retained intron: a few exons, two of them joined.
      const from = Math.floor(rand() * (n - 1));
      const to = Math.min(n - 1, from + 1 + Math.floor(rand() * 5));
      const ex = exons.slice(from, to + 1).map((e) => ({ ...e }));
      ex[0]!.end = ex[1]!.end;
      ex.splice(1, 1);
      gene.transcripts.push(tx("retained_intron", ex, false));
    } else {
      const from = Math.floor(rand() * n);
      const ex = exons.slice(from, Math.min(n, from + 2 + Math.floor(rand() * 3)));
      gene.transcripts.push(tx("processed_transcript", ex, false));
    }
  }
  return gene;
}

const SMALL_RNAS = [
  { biotype: "snRNA", type: "snRNA", len: 150 },
  { biotype: "miRNA", type: "miRNA", len: 85 },
  { biotype: "snoRNA", type: "snoRNA", len: 110 },
  { biotype: "misc_RNA", type: "ncRNA", len: 300 },
];

function nonCodingGene(
  from: number,
  to: number,
  rand: () => number,
  ids: { gene: number; transcript: number; protein: number },
  mt: boolean,
): GeneModel {
  const strand: 1 | -1 = rand() < 0.5 ? 1 : -1;
  const r = rand();
  const kind = mt ? "mt" : r < 0.45 ? "lnc" : r < 0.82 ? "pseudo" : "small";
  const room = to - from + 1;
  let exonSets: Exon[][];
  let biotype: string;
  let geneType: string;
  let txType: string;
  const place = (span: number) => from + Math.floor(rand() * Math.max(1, room - span));
  if (kind === "lnc") {
    const n = logNormal(rand, 4, 0.5, 1, 30);
    const lens = Array.from({ length: n }, () => logNormal(rand, 400, 0.7, 50, 5000));
    const ints = Array.from({ length: n - 1 }, () => logNormal(rand, 3000, 1.2, 80, 200000));
    let span = lens.reduce((a, b) => a + b, 0) + ints.reduce((a, b) => a + b, 0);
    if (span > room / 4) {
      ints.fill(80);
      span = lens.reduce((a, b) => a + b, 0) + 80 * (n - 1);
    }
    let p = place(span);
    const exons: Exon[] = [];
    for (let k = 0; k < n; k++) {
      exons.push({ start: p, end: Math.min(to, p + lens[k]! - 1) });
      p += lens[k]! + (ints[k] ?? 0);
    }
    const kept = exons.filter((e) => e.start <= to && e.start <= e.end);
    exonSets = [kept];
    const alternatives = Math.floor(-Math.log(Math.max(rand(), 1e-9)) * 1.5);
    for (let a = 0; a < alternatives && kept.length > 1; a++) {
      const s = Math.floor(rand() * (kept.length - 1));
      exonSets.push(kept.slice(s, s + 2 + Math.floor(rand() * 3)));
    }
    biotype = "lncRNA";
    geneType = "ncRNA_gene";
    txType = "lnc_RNA";
  } else if (kind === "pseudo") {
    const len = logNormal(rand, 900, 0.6, 100, 6000);
    const p = place(len);
    exonSets = [[{ start: p, end: Math.min(to, p + len - 1) }]];
    biotype = "processed_pseudogene";
    geneType = "pseudogene";
    txType = "pseudogenic_transcript";
  } else {
    const s = mt ? { biotype: "Mt_tRNA", type: "tRNA", len: 70 } : SMALL_RNAS[Math.floor(rand() * SMALL_RNAS.length)]!;
    const len = logNormal(rand, s.len, 0.2, 50, 1000);
    const p = place(len);
    exonSets = [[{ start: p, end: Math.min(to, p + len - 1) }]];
    biotype = s.biotype;
    geneType = "ncRNA_gene";
    txType = s.type;
  }
  const geneNo = ++ids.gene;
  const all = exonSets.flat();
  return {
    id: `ENSG${pad(geneNo)}`,
    name: `SYN${geneNo}`,
    type: geneType,
    biotype,
    strand,
    start: Math.min(...all.map((e) => e.start)),
    end: Math.max(...all.map((e) => e.end)),
    transcripts: exonSets.map((ex, k) => ({
      id: `ENST${pad(++ids.transcript)}`,
      type: txType,
      biotype,
      exons: ex,
      cds: null,
      protein: null,
      canonical: k === 0,
    })),
  };
}

/** The GFF3 rows of a contig's genes, Ensembl style. */
function gffRows(contig: string, length: number, models: GeneModel[]): string {
  const rows: string[] = [`${contig}\tGRCh38\tchromosome\t1\t${length}\t.\t.\t.\tID=chromosome:${contig};Alias=chr${contig}`];
  for (const g of models) {
    const s = g.strand === 1 ? "+" : "-";
    rows.push(
      `${contig}\tensembl_havana\t${g.type}\t${g.start}\t${g.end}\t.\t${s}\t.\tID=gene:${g.id};Name=${g.name};biotype=${g.biotype};gene_id=${g.id};logic_name=ensembl_havana_gene;version=1`,
    );
    g.transcripts.forEach((t, ti) => {
      const start = t.exons[0]!.start;
      const end = t.exons[t.exons.length - 1]!.end;
      const tags = t.canonical ? "tag=basic,Ensembl_canonical" : "tag=basic";
      rows.push(
        `${contig}\tensembl_havana\t${t.type}\t${start}\t${end}\t.\t${s}\t.\tID=transcript:${t.id};Parent=gene:${g.id};Name=${g.name}-${201 + ti};biotype=${t.biotype};${tags};transcript_id=${t.id};transcript_support_level=1;version=1`,
      );
      const ordered = g.strand === 1 ? t.exons : [...t.exons].reverse();
      let cdsDone = 0;
      ordered.forEach((e, rank) => {
        rows.push(
          `${contig}\tensembl_havana\texon\t${e.start}\t${e.end}\t.\t${s}\t.\tParent=transcript:${t.id};Name=${t.id.replace("ENST", "ENSE")}.${rank + 1};exon_id=${t.id.replace("ENST", "ENSE")}.${rank + 1};rank=${rank + 1};version=1`,
        );
        const c = t.cds;
        if (!c) return;
        const a = Math.max(e.start, c.lo);
        const b = Math.min(e.end, c.hi);
        if (a <= b) {
          const phase = (3 - (cdsDone % 3)) % 3;
          rows.push(
            `${contig}\tensembl_havana\tCDS\t${a}\t${b}\t.\t${s}\t${phase}\tID=CDS:${t.protein};Parent=transcript:${t.id};protein_id=${t.protein}`,
          );
          cdsDone += b - a + 1;
        }
        // UTR pieces: below the CDS is 5' on the plus strand, 3' on the minus strand.
        const below = g.strand === 1 ? "five_prime_UTR" : "three_prime_UTR";
        const above = g.strand === 1 ? "three_prime_UTR" : "five_prime_UTR";
        if (e.start < c.lo)
          rows.push(`${contig}\tensembl_havana\t${below}\t${e.start}\t${Math.min(e.end, c.lo - 1)}\t.\t${s}\t.\tParent=transcript:${t.id}`);
        if (e.end > c.hi)
          rows.push(`${contig}\tensembl_havana\t${above}\t${Math.max(e.start, c.hi + 1)}\t${e.end}\t.\t${s}\t.\tParent=transcript:${t.id}`);
      });
    });
    rows.push("###");
  }
  return `${rows.join("\n")}\n`;
}

/** `n` sorted records over the contig's real bases: ~90 % SNVs, 5 % insertions, 5 % deletions of 1–10 bp. */
function* variantLines(contig: string, seq: Uint8Array, tel: number, n: number, rand: () => number): Generator<string> {
  const lo = tel + 1;
  const hi = seq.length - tel - 12;
  const pos = new Float64Array(n);
  for (let i = 0; i < n; i++) pos[i] = lo + Math.floor(rand() * Math.max(1, hi - lo));
  pos.sort();
  const at = (p: number) => String.fromCharCode(seq[p - 1]!);
  for (let i = 0; i < n; i++) {
    const p = pos[i]!;
    const r = rand();
    let ref: string;
    let alt: string;
    if (r < 0.05) {
      ref = at(p);
      alt = ref;
      const len = 1 + Math.floor(rand() * 10);
      for (let j = 0; j < len; j++) alt += "ACGT"[Math.floor(rand() * 4)];
    } else if (r < 0.1) {
      const len = 1 + Math.floor(rand() * 10);
      ref = "";
      for (let j = 0; j <= len; j++) ref += at(p + j);
      alt = at(p);
    } else {
      ref = at(p);
      const choices = "ACGT".replace(ref, "");
      alt = choices[Math.floor(rand() * choices.length)]!;
    }
    yield `${contig}\t${p}\t.\t${ref}\t${alt}\t.\t.\t.`;
  }
}

/** Size of a file in bytes, or 0 when it is absent. */
export async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}
