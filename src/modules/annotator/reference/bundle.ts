/**
 * Opens a reference: a bundle folder (manifest.json + files) or loose files. Wires the genome
 * reader, the gene models (from the prepared index when fresh, otherwise parsed and the index
 * rewritten if the folder is writable), contig synonyms and the known-variants path.
 */
import { access } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Transcript } from "../model.ts";
import { readManifest } from "./bundle-manifest.ts";
import { createContigResolver, type ContigAliases } from "./contig-resolver.ts";
import { openGenome, type GenomeReader } from "./fasta-reader.ts";
import { compileGeneModels, loadPreparedIndex, writePreparedIndex } from "./prepared-index.ts";
import { createTranscriptIndex, type GeneModelSource, modelsFromArray, type TranscriptIndex } from "./transcript-index.ts";

/**
 * Where the demo bundle is when no reference is named: `<repo>/data/demo` when run from the
 * source tree, whatever the cwd. In a binary built with `bun build --compile` this module lives in
 * Bun's embedded file system (`/$bunfs/root` on Linux and macOS, `B:/~BUN/root` on Windows), where
 * the same walk up would give `/data/demo`; the bundle ships beside the binary instead
 * (`<folder of the binary>/data/demo`, as README says), since it is not embedded.
 */
export function defaultBundleDir(moduleDir: string = import.meta.dir, executable: string = process.execPath): string {
  const compiled = /^\/\$bunfs\/|^[A-Za-z]:[\\/]~BUN[\\/]/.test(moduleDir);
  return compiled ? join(dirname(executable), "data", "demo") : join(moduleDir, "..", "..", "..", "..", "data", "demo");
}

/** The demo bundle: in the repository from source, beside the binary when compiled (defaultBundleDir). */
export const DEFAULT_BUNDLE_DIR = defaultBundleDir();

export interface Reference {
  name: string;
  build: string;
  genome: GenomeReader;
  transcripts: TranscriptIndex;
  /** Known-variants VCF (bgzip + tabix), or null. */
  knownPath: string | null;
  /** Input contig name → FASTA contig name (`chr21`→`21`, `chrM`→`MT`, `NC_000021.9`→`21`), null if unknown. */
  resolveContig(name: string): string | null;
  warnings: string[];
  /** How it was opened. */
  options: OpenReferenceOptions;
  /**
   * What a worker thread opens its own copy with: the options, plus the gene models as data when
   * they were parsed here (from a prepared index a worker decodes the contigs it reaches itself,
   * rather than receiving a copy of every transcript).
   */
  workerOptions(): OpenReferenceOptions;
  close(): Promise<void>;
}

export interface OpenReferenceOptions {
  /** Bundle folder with manifest.json. Files given below override the manifest's. */
  bundleDir?: string;
  fasta?: string;
  genes?: string;
  /** Known variants: a path, null for none; undefined keeps the manifest's. */
  known?: string | null;
  /** Extra synonyms, merged with the manifest's: canonical name → aliases. */
  aliases?: Record<string, string[]>;
  /**
   * Gene models already compiled from `genes` (a parallel worker gets its parent's, copied by
   * postMessage): neither the index nor the gene file is read again. Without this, each worker
   * of `--fasta --genes` parsed the whole GFF3 itself (0.3 s and ~60 MB each on chr21).
   */
  transcripts?: Transcript[];
}

/**
 * Blocks cached while the gene models are checked against the genome: the transcripts come in
 * genome order, so a small cache serves them (chr21: 230 blocks inflated, with 32 or 256 cached).
 */
const SCRATCH_GENOME_BLOCKS = 32;

async function mustExist(path: string, what: string): Promise<void> {
  await access(path).catch(() => {
    throw new Error(`${path}: ${what} not found`);
  });
}

function mergeAliases(a: ContigAliases, b: ContigAliases | undefined): ContigAliases {
  const out: ContigAliases = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) out[k] = [...new Set([...(out[k] ?? []), ...v])];
  return out;
}

/**
 * Opens a reference bundle or loose FASTA + gene-model files.
 * @throws Error naming the file (and manifest field) that is missing or invalid.
 */
export async function openReference(opts: OpenReferenceOptions): Promise<Reference> {
  const m = opts.bundleDir !== undefined ? await readManifest(opts.bundleDir) : null;
  const fasta = opts.fasta ?? m?.fasta;
  const genes = opts.genes ?? m?.genes;
  if (!fasta || !genes) throw new Error("openReference: give a bundle folder, or both a FASTA and a gene-model file");
  const knownPath = opts.known === undefined ? (m?.known ?? null) : opts.known;
  const aliases = mergeAliases(m?.contigAliases ?? {}, opts.aliases);
  await mustExist(fasta, "genome FASTA");
  await mustExist(genes, "gene model file");
  if (knownPath !== null) await mustExist(knownPath, "known-variants VCF");

  const genome = await openGenome(fasta);
  try {
    const warnings: string[] = [];
    const source = { genesPath: genes, contigs: genome.contigs(), aliases };
    // The prepared index is only trusted for the bundle's own gene file.
    const indexPath = m !== null && genes === m.genes ? m.index : null;
    let models: GeneModelSource;
    const prepared = indexPath && !opts.transcripts ? await loadPreparedIndex(indexPath, source) : null;
    if (opts.transcripts) {
      models = modelsFromArray(opts.transcripts);
    } else if (prepared?.status === "fresh") {
      models = prepared.models;
      warnings.push(...prepared.warnings);
    } else {
      // The CDS-end check reads a codon at each end of every coding transcript, which filled the
      // genome's block cache (16 MB on chr21) with blocks the annotation may never touch: it
      // reads through a reader of its own with a small cache, dropped afterwards (peak RSS of
      // `--fasta --genes`, 1M variants: see the commit).
      const scratch = await openGenome(fasta, { cachedBlocks: SCRATCH_GENOME_BLOCKS });
      const compiled = await compileGeneModels(genes, scratch, aliases).finally(() => scratch.close());
      models = modelsFromArray(compiled.transcripts);
      warnings.push(...compiled.warnings);
      // Best effort: a read-only bundle simply parses again next time.
      if (indexPath) await writePreparedIndex(indexPath, compiled.transcripts, compiled.warnings, source).catch(() => undefined);
    }
    const transcripts = createTranscriptIndex(models);
    const resolveContig = createContigResolver(
      source.contigs.map((c) => c.name),
      aliases,
    );
    return {
      name: m?.name ?? basename(fasta),
      build: m?.build ?? "unknown",
      genome,
      transcripts,
      knownPath,
      resolveContig,
      warnings,
      options: opts,
      workerOptions: () => (models.lazy ? opts : { ...opts, transcripts: transcripts.all() }),
      close: () => genome.close(),
    };
  } catch (err) {
    await genome.close();
    throw err;
  }
}
