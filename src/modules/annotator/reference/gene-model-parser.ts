/**
 * Entry point for gene models: GFF3 or GTF, plain, gzip or BGZF, told apart by content (magic
 * bytes for compression, column 9 syntax for the dialect), never by the file name alone.
 */
import { access } from "node:fs/promises";
import type { Transcript } from "../model.ts";
import { readLines } from "./compressed-text-reader.ts";
import { buildTranscripts } from "./gene-model-builder.ts";
import { GeneModelFormatError, parseGffRow, type GffRow } from "./gff-row.ts";
import { Gff3Collector } from "./gff3-parser.ts";
import { GtfCollector } from "./gtf-parser.ts";

export type GeneModelFormat = "gff3" | "gtf";

export interface ParseGeneModelsOptions {
  /** Maps a seqid of the file to the FASTA's contig name (null: unknown, keep the name as is). */
  resolveContig?: (name: string) => string | null;
}

export interface ParsedGeneModels {
  transcripts: Transcript[];
  warnings: string[];
  format: GeneModelFormat;
}

/**
 * Column 9 decides: GTF writes `key "value";`, GFF3 writes `key=value;`. Returns null when the
 * row does not tell (for example `.`), so the caller looks at the next row.
 */
export function formatOfAttributes(attributes: string): GeneModelFormat | null {
  const a = attributes.trim();
  if (/^[A-Za-z_][\w.-]*\s+"/.test(a) || /^[A-Za-z_][\w.-]*\s+[^\s=;]+\s*;/.test(a)) return "gtf";
  if (/^[^\s=;]+=/.test(a)) return "gff3";
  return null;
}

/** How many data rows may leave the dialect undecided before giving up. */
const SNIFF_ROWS = 1000;

/**
 * Parses a GFF3/GTF file into transcripts sorted by contig, start, ID.
 * @throws GeneModelFormatError naming the file and line for corrupt rows, an undecidable dialect, or
 * a file without any transcript.
 */
export async function parseGeneModels(path: string, opts: ParseGeneModelsOptions = {}): Promise<ParsedGeneModels> {
  await access(path).catch(() => {
    throw new GeneModelFormatError(path, 0, "gene model file not found");
  });
  const warnings: string[] = [];
  let format: GeneModelFormat | null = null;
  let versionDirective: GeneModelFormat | null = null;
  let gff3: Gff3Collector | null = null;
  let gtf: GtfCollector | null = null;
  let pending: GffRow[] = [];
  let rows = 0;
  let stopped = false;

  const decide = (f: GeneModelFormat) => {
    format = f;
    if (f === "gff3") gff3 = new Gff3Collector(path, warnings);
    else gtf = new GtfCollector(path);
    for (const r of pending) feed(r);
    pending = [];
  };
  const feed = (r: GffRow) => {
    if (gff3) (gff3 as Gff3Collector).row(r);
    else (gtf as GtfCollector | null)?.row(r);
  };

  await readLines(path, (line, lineNo) => {
    if (stopped) return;
    if (line.length === 0) return;
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith("##FASTA")) stopped = true; // embedded sequences end the feature section
      const v = /^##gff-version\s+(\d)/.exec(line);
      if (v) versionDirective = v[1] === "3" ? "gff3" : "gtf";
      return;
    }
    if (lineNo === 1 && line.charCodeAt(0) === 0) throw new GeneModelFormatError(path, 1, "binary data, not a GFF3/GTF text file");
    const r = parseGffRow(line, lineNo, path);
    rows++;
    if (format !== null) return feed(r);
    pending.push(r);
    const f = formatOfAttributes(r.attributes);
    if (f !== null) decide(f);
    else if (pending.length >= SNIFF_ROWS) {
      if (versionDirective) decide(versionDirective);
      else throw new GeneModelFormatError(path, lineNo, `cannot tell GFF3 from GTF: no row with key=value or key "value" attributes in the first ${SNIFF_ROWS} rows`);
    }
  });

  if (rows === 0) throw new GeneModelFormatError(path, 0, "no gene model rows (empty file, or only comments)");
  if (format === null) decide(versionDirective ?? "gff3");
  const drafts = gff3 ? (gff3 as Gff3Collector).finish() : (gtf as unknown as GtfCollector).finish(warnings);
  const transcripts = buildTranscripts(drafts, { path, resolveContig: opts.resolveContig, warnings });
  if (transcripts.length === 0) {
    throw new GeneModelFormatError(
      path,
      0,
      `no transcripts found in ${rows} ${format} rows (expected exon/CDS rows linked to transcripts by ${format === "gtf" ? "transcript_id" : "Parent="})`,
    );
  }
  transcripts.sort((a, b) => (a.contig < b.contig ? -1 : a.contig > b.contig ? 1 : a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const ids = new Set<string>();
  let duplicates = 0;
  for (const t of transcripts) {
    if (ids.has(t.id)) duplicates++;
    ids.add(t.id);
  }
  if (duplicates > 0) warnings.push(`${path}: ${duplicates} transcript IDs occur more than once (kept: each model is annotated)`);
  return { transcripts, warnings, format: format as GeneModelFormat };
}
