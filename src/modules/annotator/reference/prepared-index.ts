/**
 * The prepared (compiled) gene-model index of a bundle: the parsed transcripts stored column-wise
 * as gzip JSON, so that opening a reference skips GFF/GTF parsing. It records what it was built
 * from (gene file size, mtime and SHA-1; the genome's contig list; the alias map) and is ignored
 * when any of that changed. The SHA-1 lets a fresh git checkout (new mtimes) still use it.
 */
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import type { CodonTableId, Strand, Transcript } from "../model.ts";
import { readManifest } from "./bundle-manifest.ts";
import { markIncompleteCds } from "./cds-completeness.ts";
import { createContigResolver, type ContigAliases } from "./contig-resolver.ts";
import { openGenome, type GenomeReader } from "./fasta-reader.ts";
import { parseGeneModels } from "./gene-model-parser.ts";

const FORMAT = "gas-transcript-index";
/** Bump when the Transcript model or the compile rules change: older indexes then count as stale. */
const FORMAT_VERSION = 2; // 2: protein IDs, HGNC, MANE, TSL, APPRIS, CCDS (transcript-xrefs.ts)

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

interface IndexFile {
  format: typeof FORMAT;
  version: number;
  source: SourceStamp;
  warnings: string[];
  strings: string[];
  /** Per transcript, indexes into `strings` / numbers; see encode(). */
  cols: {
    id: number[];
    version: number[];
    geneId: number[];
    geneName: number[];
    biotype: number[];
    contig: number[];
    strand: number[];
    start: number[];
    end: number[];
    exonCount: number[];
    /** Per exon: start - transcript start, then length - 1. */
    exons: number[];
    /** 0 = non-coding; else coding start - transcript start + 1. */
    codingStart: number[];
    codingEnd: number[];
    /** bit 0 startIncomplete, bit 1 endIncomplete, bits 2-3 startPhase. */
    codingFlags: number[];
    codonTable: number[];
    tagCount: number[];
    tags: number[];
  } & Record<XrefStringField, number[]> &
    Record<XrefNumberField, number[]>;
}

/** The optional Transcript fields stored as string indexes (-1 = absent) and as numbers (-1 = absent). */
const XREF_STRING_FIELDS = ["proteinId", "hgncId", "symbolSource", "maneSelect", "manePlusClinical", "appris", "ccds"] as const;
const XREF_NUMBER_FIELDS = ["proteinVersion", "tsl"] as const;
type XrefStringField = (typeof XREF_STRING_FIELDS)[number];
type XrefNumberField = (typeof XREF_NUMBER_FIELDS)[number];

async function sha1Of(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha1");
  hasher.update(await readFile(path));
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

function encode(transcripts: Transcript[], warnings: string[], source: SourceStamp): IndexFile {
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
  const cols: IndexFile["cols"] = {
    id: [],
    version: [],
    geneId: [],
    geneName: [],
    biotype: [],
    contig: [],
    strand: [],
    start: [],
    end: [],
    exonCount: [],
    exons: [],
    codingStart: [],
    codingEnd: [],
    codingFlags: [],
    codonTable: [],
    tagCount: [],
    tags: [],
    proteinId: [],
    hgncId: [],
    symbolSource: [],
    maneSelect: [],
    manePlusClinical: [],
    appris: [],
    ccds: [],
    proteinVersion: [],
    tsl: [],
  };
  for (const t of transcripts) {
    for (const k of XREF_STRING_FIELDS) {
      const v = t[k];
      cols[k].push(v === undefined ? -1 : s(v));
    }
    for (const k of XREF_NUMBER_FIELDS) cols[k].push(t[k] ?? -1);
    cols.id.push(s(t.id));
    cols.version.push(t.version ?? -1);
    cols.geneId.push(s(t.geneId));
    cols.geneName.push(s(t.geneName));
    cols.biotype.push(s(t.biotype));
    cols.contig.push(s(t.contig));
    cols.strand.push(t.strand);
    cols.start.push(t.start);
    cols.end.push(t.end);
    cols.exonCount.push(t.exons.length);
    for (const e of t.exons) cols.exons.push(e.start - t.start, e.end - e.start);
    const c = t.coding;
    cols.codingStart.push(c ? c.start - t.start + 1 : 0);
    cols.codingEnd.push(c ? c.end - t.start + 1 : 0);
    cols.codingFlags.push(c ? (c.startIncomplete ? 1 : 0) | (c.endIncomplete ? 2 : 0) | (c.startPhase << 2) : 0);
    cols.codonTable.push(t.codonTable);
    cols.tagCount.push(t.tags.length);
    for (const tag of t.tags) cols.tags.push(s(tag));
  }
  return { format: FORMAT, version: FORMAT_VERSION, source, warnings, strings, cols };
}

function decode(f: IndexFile): Transcript[] {
  const { strings: S, cols: c } = f;
  const out: Transcript[] = new Array(c.id.length);
  let ex = 0;
  let tg = 0;
  for (let i = 0; i < c.id.length; i++) {
    const start = c.start[i]!;
    const exons = new Array(c.exonCount[i]!);
    for (let k = 0; k < exons.length; k++, ex += 2) {
      const s = start + c.exons[ex]!;
      exons[k] = { start: s, end: s + c.exons[ex + 1]! };
    }
    const tags = new Array<string>(c.tagCount[i]!);
    for (let k = 0; k < tags.length; k++) tags[k] = S[c.tags[tg++]!]!;
    const cs = c.codingStart[i]!;
    const flags = c.codingFlags[i]!;
    out[i] = {
      id: S[c.id[i]!]!,
      version: c.version[i]! < 0 ? null : c.version[i]!,
      geneId: S[c.geneId[i]!]!,
      geneName: S[c.geneName[i]!]!,
      biotype: S[c.biotype[i]!]!,
      contig: S[c.contig[i]!]!,
      strand: c.strand[i] as Strand,
      start,
      end: c.end[i]!,
      exons,
      coding:
        cs === 0
          ? null
          : {
              start: start + cs - 1,
              end: start + c.codingEnd[i]! - 1,
              startIncomplete: (flags & 1) !== 0,
              endIncomplete: (flags & 2) !== 0,
              startPhase: flags >> 2,
            },
      codonTable: c.codonTable[i] as CodonTableId,
      tags,
    };
    const t = out[i]!;
    for (const k of XREF_STRING_FIELDS) {
      const v = c[k][i]!;
      if (v >= 0) t[k] = S[v]!;
    }
    for (const k of XREF_NUMBER_FIELDS) {
      const v = c[k][i]!;
      if (v >= 0) t[k] = v;
    }
  }
  return out;
}

/** Writes the index atomically (temp file + rename). */
export async function writePreparedIndex(
  indexPath: string,
  transcripts: Transcript[],
  warnings: string[],
  source: IndexSource,
): Promise<void> {
  const file = encode(transcripts, warnings, await stampOf(source, true));
  const tmp = `${indexPath}.${process.pid}.tmp`;
  await writeFile(tmp, gzipSync(JSON.stringify(file), { level: 6 }));
  await rename(tmp, indexPath);
}

export type PreparedIndexResult =
  | { status: "fresh"; transcripts: Transcript[]; warnings: string[] }
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
  let f: IndexFile;
  try {
    f = JSON.parse(gunzipSync(bytes).toString("utf8")) as IndexFile;
  } catch (err) {
    return { status: "stale", reason: `${indexPath} is unreadable (${(err as Error).message})` };
  }
  if (f.format !== FORMAT || f.version !== FORMAT_VERSION) return { status: "stale", reason: `${indexPath}: older index format` };
  const now = await stampOf(source, false);
  if (f.source.genesSize !== now.genesSize) return { status: "stale", reason: `${source.genesPath} changed size` };
  if (f.source.contigs !== now.contigs) return { status: "stale", reason: "the genome FASTA's contigs changed" };
  if (f.source.aliases !== now.aliases) return { status: "stale", reason: "the contig aliases changed" };
  if (f.source.genesMtimeMs !== now.genesMtimeMs && f.source.genesSha1 !== (await sha1Of(source.genesPath))) {
    return { status: "stale", reason: `${source.genesPath} changed` };
  }
  return { status: "fresh", transcripts: decode(f), warnings: f.warnings };
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
