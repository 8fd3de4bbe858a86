/**
 * Entry point for gene models: GFF3 or GTF, plain, gzip or BGZF, told apart by content (magic
 * bytes for compression, column 9 syntax for the dialect), never by the file name alone.
 */
import { access } from "node:fs/promises";
import type { Transcript } from "../model.ts";
import { readLines } from "../io/compressed-lines.ts";
import { buildTranscripts, invalidRowMessage } from "./gene-model-builder.ts";
import { GeneModelFormatError, parseGffRow, partKind, type GffRow } from "./gff-row.ts";
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

/** Unusable gene/transcript/other rows warned about one by one before a count takes over. */
const DETAILED_BAD_ROWS = 20;

/**
 * Parses a GFF3/GTF file into transcripts sorted by contig, start, ID.
 *
 * A row whose interval, strand or CDS phase is unusable (coordinates shifted below 1, say) does not
 * reject the file, as bcftools csq reads such files and tabix only warns: an exon/CDS/UTR/codon
 * row refuses its transcripts (each named in a warning with the row's line); any other row (gene,
 * chromosome, transcript) is warned about and keeps only its attributes, so a transcript takes its
 * span and strand from its exons.
 * @throws GeneModelFormatError naming the file and line for rows that are not GFF at all (fewer
 * than 9 columns, GTF attributes that do not parse, binary data), an undecidable dialect, or a
 * file without any usable transcript.
 */
export async function parseGeneModels(path: string, opts: ParseGeneModelsOptions = {}): Promise<ParsedGeneModels> {
  await access(path).catch(() => {
    throw new GeneModelFormatError(path, 0, "gene model file not found");
  });
  const warnings: string[] = [];
  // Held in an object: TypeScript does not track assignments made inside the line callback.
  const st = {
    format: null as GeneModelFormat | null,
    versionDirective: null as GeneModelFormat | null,
    gff3: null as Gff3Collector | null,
    gtf: null as GtfCollector | null,
    pending: [] as GffRow[],
    rows: 0,
    badRows: 0,
    stopped: false,
  };
  const feed = (r: GffRow) => {
    if (st.gff3) st.gff3.row(r);
    else st.gtf?.row(r);
  };
  const decide = (f: GeneModelFormat) => {
    st.format = f;
    if (f === "gff3") st.gff3 = new Gff3Collector(path, warnings);
    else st.gtf = new GtfCollector(path);
    for (const r of st.pending) feed(r);
    st.pending = [];
  };

  await readLines(path, (line, lineNo) => {
    if (st.stopped || line.length === 0) return;
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith("##FASTA")) st.stopped = true; // embedded sequences end the feature section
      const v = /^##gff-version\s+(\d)/.exec(line);
      if (v) st.versionDirective = v[1] === "3" ? "gff3" : "gtf";
      return;
    }
    // NUL bytes anywhere, or undecodable bytes before the dialect is known: not a text GFF/GTF.
    if (line.includes("\u0000") || (st.format === null && line.includes("\uFFFD"))) {
      throw new GeneModelFormatError(path, lineNo, "binary data, not a GFF3/GTF text file");
    }
    const r = parseGffRow(line, lineNo, path);
    st.rows++;
    if (r.problem !== null && partKind(r.type) === null && ++st.badRows <= DETAILED_BAD_ROWS) {
      warnings.push(invalidRowMessage(path, { line: lineNo, type: r.type, problem: r.problem }, "its coordinates are ignored"));
    }
    if (st.format !== null) return feed(r);
    st.pending.push(r);
    const f = formatOfAttributes(r.attributes);
    if (f !== null) decide(f);
    else if (st.pending.length >= SNIFF_ROWS) {
      if (st.versionDirective) decide(st.versionDirective);
      else
        throw new GeneModelFormatError(
          path,
          lineNo,
          `cannot tell GFF3 from GTF: no row with key=value or key "value" attributes in the first ${SNIFF_ROWS} rows`,
        );
    }
  });

  if (st.rows === 0) throw new GeneModelFormatError(path, 0, "no gene model rows (empty file, or only comments)");
  if (st.badRows > DETAILED_BAD_ROWS) {
    warnings.push(
      `${path}: ${st.badRows - DETAILED_BAD_ROWS} more gene/transcript/other rows with invalid columns; their coordinates were ignored`,
    );
  }
  if (st.format === null) decide(st.versionDirective ?? "gff3");
  const format = st.format as GeneModelFormat;
  const drafts = st.gff3 ? st.gff3.finish() : st.gtf!.finish(warnings);
  const transcripts = buildTranscripts(drafts, { path, resolveContig: opts.resolveContig, warnings });
  if (transcripts.length === 0) {
    const refused = drafts.filter((d) => d.invalid !== null);
    const why =
      refused.length > 0
        ? `: ${refused.length} refused for invalid rows, first: ${invalidRowMessage(path, refused[0]!.invalid!, `transcript ${refused[0]!.id} refused`)}`
        : ` (expected exon/CDS rows linked to transcripts by ${format === "gtf" ? "transcript_id" : "Parent="})`;
    throw new GeneModelFormatError(path, 0, `no transcripts found in ${st.rows} ${format} rows${why}`);
  }
  transcripts.sort((a, b) =>
    a.contig < b.contig ? -1 : a.contig > b.contig ? 1 : a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const ids = new Set<string>();
  let duplicates = 0;
  for (const t of transcripts) {
    if (ids.has(t.id)) duplicates++;
    ids.add(t.id);
  }
  if (duplicates > 0) warnings.push(`${path}: ${duplicates} transcript IDs occur more than once (kept: each model is annotated)`);
  return { transcripts, warnings, format };
}
