/**
 * The prepared (compiled) gene-model index of a bundle, so that opening a reference skips GFF/GTF
 * parsing: a gzip file of JSON lines, each its own gzip member (gzip-members.ts), the first the
 * header (stamp, warnings, tags, contigs), then one per contig with its strings and its numbers
 * as base64 of 32-bit integers. A contig's member is inflated and decoded only when the annotation
 * reaches the contig (transcript-index.ts); opening reads the file and the header alone. It records what it was built from
 * (gene file size, mtime and SHA-1; the genome's contig list; the alias map) and is ignored when
 * any of that changed. The SHA-1 lets a fresh git checkout (new mtimes) still use it.
 *
 * Why (format 2 was one JSON document of number columns): on a GENCODE-sized reference
 * (bench:genome, 262k transcripts) its JSON.parse took ~1 s, loading it peaked at ~350 MB, and
 * decoding every transcript up front held ~400 MB of objects that every full collection marked.
 */
import { open, readFile, rename, stat } from "node:fs/promises";
import type { CodonTableId, Strand, Transcript } from "../model.ts";
import { readManifest } from "./bundle-manifest.ts";
import { markIncompleteCds } from "./cds-completeness.ts";
import { createContigResolver, type ContigAliases } from "./contig-resolver.ts";
import { openGenome, type GenomeReader } from "./fasta-reader.ts";
import { parseGeneModels } from "./gene-model-parser.ts";
import { inflateGzipMember, listGzipMembers, writeGzipMembers } from "./gzip-members.ts";
import type { GeneModelSource } from "./transcript-index.ts";

const FORMAT = "gas-transcript-index";
/** Bump when the Transcript model, the compile rules or the layout change: older indexes then count as stale. */
const FORMAT_VERSION = 3; // 2: protein IDs, HGNC, MANE, TSL, APPRIS, CCDS (transcript-xrefs.ts); 3: a member per contig

export interface IndexSource {
  genesPath: string;
  contigs: { name: string; length: number }[];
  aliases: ContigAliases;
}

interface SourceStamp {
  genesSize: number;
  genesMtimeMs: number;
  genesSha1: string;
  contigs: string;
  aliases: string;
}

/** The first line. */
interface IndexHeader {
  format: typeof FORMAT;
  version: number;
  source: SourceStamp;
  warnings: string[];
  /** Every distinct tag (answers "any canonical tag?" without decoding). */
  tags: string[];
  /** The contigs of the lines that follow, in their order. */
  contigs: { name: string; count: number }[];
}

/** A contig's line: see encodeContig for the layout of `ints`. */
interface ContigBlock {
  name: string;
  strings: string[];
  /** Base64 of little-endian int32s (every platform Bun runs on is little-endian). */
  ints: string;
}

/** The optional Transcript fields stored as string indexes (-1 = absent) and as numbers (-1 = absent). */
const XREF_STRING_FIELDS = ["proteinId", "hgncId", "symbolSource", "maneSelect", "manePlusClinical", "appris", "ccds"] as const;
const XREF_NUMBER_FIELDS = ["proteinVersion", "tsl"] as const;
/** Fixed int32 fields per transcript, before the xrefs (F_* below are their offsets). */
const F_ID = 0;
const F_VERSION = 1;
const F_GENE_ID = 2;
const F_GENE_NAME = 3;
const F_BIOTYPE = 4;
const F_STRAND = 5;
const F_START = 6;
const F_END = 7;
const F_EXONS = 8;
const F_CODING_START = 9;
const F_CODING_END = 10;
const F_CODING_FLAGS = 11;
const F_CODON_TABLE = 12;
const F_TAGS = 13;
const F_XREFS = 14;
const FIELDS = F_XREFS + XREF_STRING_FIELDS.length + XREF_NUMBER_FIELDS.length;

/** Read a chunk at a time: a plain GENCODE GTF is ~1.5 GB (read whole, prepare's peak RSS was +1 GB). */
async function sha1Of(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha1");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

const contigsKey = (contigs: IndexSource["contigs"]) => contigs.map((c) => `${c.name}:${c.length}`).join(",");
const aliasesKey = (aliases: ContigAliases) =>
  JSON.stringify(
    Object.keys(aliases)
      .sort()
      .map((k) => [k, aliases[k]]),
  );

async function stampOf(source: IndexSource, withHash: boolean): Promise<SourceStamp> {
  const s = await stat(source.genesPath);
  return {
    genesSize: s.size,
    genesMtimeMs: s.mtimeMs,
    genesSha1: withHash ? await sha1Of(source.genesPath) : "",
    contigs: contigsKey(source.contigs),
    aliases: aliasesKey(source.aliases),
  };
}

/**
 * `ints`: FIELDS int32s per transcript (strings as indexes into the block's table; version, the
 * xref numbers and absent xref strings -1; coding start/end relative to the transcript start + 1,
 * 0 when non-coding; coding flags: bit 0 startIncomplete, bit 1 endIncomplete, bits 2-3
 * startPhase), then per exon its start - transcript start and length - 1, then the tag indexes.
 */
function encodeContig(name: string, transcripts: readonly Transcript[]): ContigBlock {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const s = (v: string) => {
    let i = ids.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      ids.set(v, i);
    }
    return i;
  };
  let exonCount = 0;
  let tagCount = 0;
  for (const t of transcripts) {
    exonCount += t.exons.length;
    tagCount += t.tags.length;
  }
  const n = transcripts.length;
  const ints = new Int32Array(n * FIELDS + exonCount * 2 + tagCount);
  let ex = n * FIELDS;
  let tg = ex + exonCount * 2;
  transcripts.forEach((t, i) => {
    const f = i * FIELDS;
    const c = t.coding;
    ints[f + F_ID] = s(t.id);
    ints[f + F_VERSION] = t.version ?? -1;
    ints[f + F_GENE_ID] = s(t.geneId);
    ints[f + F_GENE_NAME] = s(t.geneName);
    ints[f + F_BIOTYPE] = s(t.biotype);
    ints[f + F_STRAND] = t.strand;
    ints[f + F_START] = t.start;
    ints[f + F_END] = t.end;
    ints[f + F_EXONS] = t.exons.length;
    ints[f + F_CODING_START] = c ? c.start - t.start + 1 : 0;
    ints[f + F_CODING_END] = c ? c.end - t.start + 1 : 0;
    ints[f + F_CODING_FLAGS] = c ? (c.startIncomplete ? 1 : 0) | (c.endIncomplete ? 2 : 0) | (c.startPhase << 2) : 0;
    ints[f + F_CODON_TABLE] = t.codonTable;
    ints[f + F_TAGS] = t.tags.length;
    let x = f + F_XREFS;
    for (const k of XREF_STRING_FIELDS) {
      const v = t[k];
      ints[x++] = v === undefined ? -1 : s(v);
    }
    for (const k of XREF_NUMBER_FIELDS) ints[x++] = t[k] ?? -1;
    for (const e of t.exons) {
      ints[ex++] = e.start - t.start;
      ints[ex++] = e.end - e.start;
    }
    for (const tag of t.tags) ints[tg++] = s(tag);
  });
  const bytes = Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength);
  return { name, strings, ints: bytes.toString("base64") };
}

/**
 * The file's lines as gzip members, one at a time: the header, then one per contig. Encoding and
 * compressing a contig only when its turn comes keeps one contig's line in memory, not the
 * genome's (bench:genome: ~140 MB of JSON and base64 for 262k transcripts).
 */
function* encodedMembers(transcripts: readonly Transcript[], warnings: string[], source: SourceStamp): Generator<Uint8Array> {
  const byContig = new Map<string, Transcript[]>();
  const tags = new Set<string>();
  for (const t of transcripts) {
    let g = byContig.get(t.contig);
    if (!g) byContig.set(t.contig, (g = []));
    g.push(t);
    for (const tag of t.tags) tags.add(tag);
  }
  const header: IndexHeader = {
    format: FORMAT,
    version: FORMAT_VERSION,
    source,
    warnings,
    tags: [...tags],
    contigs: [...byContig].map(([name, list]) => ({ name, count: list.length })),
  };
  yield writeGzipMembers([`${JSON.stringify(header)}\n`]);
  for (const [name, list] of byContig) yield writeGzipMembers([`${JSON.stringify(encodeContig(name, list))}\n`]);
}

/** A contig's transcripts from its line. */
function decodeContig(block: ContigBlock, count: number): Transcript[] {
  const S = block.strings;
  const name = block.name;
  const ints = int32sOf(block.ints);
  const out: Transcript[] = new Array(count);
  let ex = count * FIELDS;
  let tg = ex;
  for (let i = 0; i < count; i++) tg += 2 * ints[i * FIELDS + F_EXONS]!;
  for (let i = 0; i < count; i++) {
    const f = i * FIELDS;
    const start = ints[f + F_START]!;
    const exons = new Array(ints[f + F_EXONS]!);
    for (let k = 0; k < exons.length; k++, ex += 2) {
      const s = start + ints[ex]!;
      exons[k] = { start: s, end: s + ints[ex + 1]! };
    }
    const tags = new Array<string>(ints[f + F_TAGS]!);
    for (let k = 0; k < tags.length; k++) tags[k] = S[ints[tg++]!]!;
    const cs = ints[f + F_CODING_START]!;
    const flags = ints[f + F_CODING_FLAGS]!;
    const version = ints[f + F_VERSION]!;
    const t: Transcript = {
      id: S[ints[f + F_ID]!]!,
      version: version < 0 ? null : version,
      geneId: S[ints[f + F_GENE_ID]!]!,
      geneName: S[ints[f + F_GENE_NAME]!]!,
      biotype: S[ints[f + F_BIOTYPE]!]!,
      contig: name,
      strand: ints[f + F_STRAND] as Strand,
      start,
      end: ints[f + F_END]!,
      exons,
      coding:
        cs === 0
          ? null
          : {
              start: start + cs - 1,
              end: start + ints[f + F_CODING_END]! - 1,
              startIncomplete: (flags & 1) !== 0,
              endIncomplete: (flags & 2) !== 0,
              startPhase: flags >> 2,
            },
      codonTable: ints[f + F_CODON_TABLE] as CodonTableId,
      tags,
    };
    let x = f + F_XREFS;
    for (const k of XREF_STRING_FIELDS) {
      const v = ints[x++]!;
      if (v >= 0) t[k] = S[v]!;
    }
    for (const k of XREF_NUMBER_FIELDS) {
      const v = ints[x++]!;
      if (v >= 0) t[k] = v;
    }
    out[i] = t;
  }
  return out;
}

/** Int32s from base64, on an aligned buffer of their own. */
function int32sOf(base64: string): Int32Array {
  const bytes = Buffer.from(base64, "base64");
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);
  return new Int32Array(own.buffer, 0, own.byteLength >> 2);
}

/**
 * The file's gene models as a source that inflates and decodes a contig's line on each load: in
 * between, only the compressed file stays in memory (18 MB for bench:genome's 262k transcripts).
 */
function lazyModels(bytes: Uint8Array, header: IndexHeader, members: { offset: number; size: number }[]): GeneModelSource {
  const byName = new Map(header.contigs.map((c, i) => [c.name, { count: c.count, member: members[i + 1]! }]));
  const text = new TextDecoder();
  return {
    size: header.contigs.reduce((a, c) => a + c.count, 0),
    contigs: header.contigs.map((c) => c.name),
    tags: new Set(header.tags),
    lazy: true,
    load(contig) {
      const c = byName.get(contig);
      if (c === undefined) return [];
      const block = JSON.parse(text.decode(inflateGzipMember(bytes, c.member))) as ContigBlock;
      if (block.name !== contig) throw new Error(`prepared index: the line of contig ${contig} holds ${block.name}`);
      return decodeContig(block, c.count);
    },
  };
}

/** Writes the index atomically (temp file + rename). */
export async function writePreparedIndex(
  indexPath: string,
  transcripts: readonly Transcript[],
  warnings: string[],
  source: IndexSource,
): Promise<void> {
  const stamp = await stampOf(source, true);
  const tmp = `${indexPath}.${process.pid}.tmp`;
  const file = await open(tmp, "w");
  try {
    for (const member of encodedMembers(transcripts, warnings, stamp)) await file.write(member);
  } finally {
    await file.close();
  }
  await rename(tmp, indexPath);
}

export type PreparedIndexResult =
  | { status: "fresh"; models: GeneModelSource; warnings: string[] }
  | { status: "missing" | "stale"; reason: string };

/**
 * Loads a prepared index if it exists and matches `source` (gene file unchanged: same size and
 * either the same mtime or the same SHA-1; same genome contigs; same aliases; same format version).
 */
export async function loadPreparedIndex(indexPath: string, source: IndexSource): Promise<PreparedIndexResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(indexPath);
  } catch {
    return { status: "missing", reason: `${indexPath} does not exist` };
  }
  // An index of format 2 or older is one ordinary gzip member: no member list.
  const members = listGzipMembers(bytes);
  if (members === null || members.length === 0) return { status: "stale", reason: `${indexPath}: older index format, or damaged` };
  let f: IndexHeader;
  try {
    f = JSON.parse(new TextDecoder().decode(inflateGzipMember(bytes, members[0]!))) as IndexHeader;
  } catch (err) {
    return { status: "stale", reason: `${indexPath} is unreadable (${(err as Error).message})` };
  }
  if (f.format !== FORMAT || f.version !== FORMAT_VERSION) return { status: "stale", reason: `${indexPath}: older index format` };
  if (members.length !== f.contigs.length + 1) return { status: "stale", reason: `${indexPath} is cut short` };
  const now = await stampOf(source, false);
  if (f.source.genesSize !== now.genesSize) return { status: "stale", reason: `${source.genesPath} changed size` };
  if (f.source.contigs !== now.contigs) return { status: "stale", reason: "the genome FASTA's contigs changed" };
  if (f.source.aliases !== now.aliases) return { status: "stale", reason: "the contig aliases changed" };
  if (f.source.genesMtimeMs !== now.genesMtimeMs && f.source.genesSha1 !== (await sha1Of(source.genesPath))) {
    return { status: "stale", reason: `${source.genesPath} changed` };
  }
  return { status: "fresh", models: lazyModels(bytes, f, members), warnings: f.warnings };
}

/**
 * Parses gene models for a genome: contig names resolved onto the FASTA, incomplete CDS inferred
 * from the sequence where the models do not say.
 */
export async function compileGeneModels(
  genesPath: string,
  genome: GenomeReader,
  aliases: ContigAliases,
): Promise<{ transcripts: Transcript[]; warnings: string[] }> {
  const resolveContig = createContigResolver(
    genome.contigs().map((c) => c.name),
    aliases,
  );
  const parsed = await parseGeneModels(genesPath, { resolveContig });
  await markIncompleteCds(parsed.transcripts, genome);
  return { transcripts: parsed.transcripts, warnings: parsed.warnings };
}

/**
 * `gas refdata prepare DIR`: compiles the bundle's gene models into the index file named by the
 * manifest (`index`, default beside the gene file).
 */
export async function prepareBundle(dir: string): Promise<{ indexPath: string; transcripts: number; ms: number }> {
  const t0 = performance.now();
  const m = await readManifest(dir);
  const genome = await openGenome(m.fasta);
  try {
    const { transcripts, warnings } = await compileGeneModels(m.genes, genome, m.contigAliases);
    await writePreparedIndex(m.index, transcripts, warnings, { genesPath: m.genes, contigs: genome.contigs(), aliases: m.contigAliases });
    return { indexPath: m.index, transcripts: transcripts.length, ms: performance.now() - t0 };
  } finally {
    await genome.close();
  }
}
