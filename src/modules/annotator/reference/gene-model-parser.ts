/**
 * Entry point for gene models: GFF3 or GTF, plain, gzip or BGZF, told apart by content (magic
 * bytes for compression, column 9 syntax for the dialect), never by the file name alone.
 */
import { access } from "node:fs/promises";
import type { Transcript } from "../model.ts";
import { readLines } from "../io/compressed-lines.ts";
import { detachStrings, StringCopies } from "./detached-strings.ts";
import { invalidRowMessage, TranscriptBuilder, type TranscriptDraft } from "./gene-model-builder.ts";
import { GeneModelFormatError, parseGffRow, partKind, type GffRow } from "./gff-row.ts";
import { Gff3Collector, GffNotGroupedError } from "./gff3-parser.ts";
import { GtfCollector } from "./gtf-parser.ts";

export type GeneModelFormat = "gff3" | "gtf";

export interface ParseGeneModelsOptions {
  /** Maps a seqid of the file to the FASTA's contig name (null: unknown, keep the name as is). */
  resolveContig?: (name: string) => string | null;
  /** false: hold every transcript to the end, never stream (tests compare the two). */
  streaming?: boolean;
}

export interface ParsedGeneModels {
  transcripts: Transcript[];
  warnings: string[];
  format: GeneModelFormat;
  /** Read gene by gene (false: every row held to the end, the file not being grouped by gene). */
  streamed: boolean;
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
 *
 * A file is streamed gene by gene (Gff3Collector, GtfCollector): GENCODE and Ensembl write a
 * gene's rows together (GFF3: closed by `###`; GTF: from its `gene` row). A file whose rows are
 * not grouped so (position-sorted with overlapping genes, say) is read a second time holding every
 * row: same result, more memory.
 * @throws GeneModelFormatError naming the file and line for rows that are not GFF at all (fewer
 * than 9 columns, GTF attributes that do not parse, binary data), an undecidable dialect, or a
 * file without any usable transcript.
 */
export async function parseGeneModels(path: string, opts: ParseGeneModelsOptions = {}): Promise<ParsedGeneModels> {
  await access(path).catch(() => {
    throw new GeneModelFormatError(path, 0, "gene model file not found");
  });
  if (opts.streaming === false) return readGeneModels(path, opts, false);
  try {
    return await readGeneModels(path, opts, true);
  } catch (err) {
    if (!(err instanceof GffNotGroupedError)) throw err;
    // What the first pass collected is garbage now; left to the collector, it stayed in the heap
    // through the second pass and the annotation after it: `gas annotate --fasta --genes` of the
    // 1M-variant bench (the demo GFF3 is position-sorted, read twice) peaked at 152-157 MB against
    // 141-144 MB before streaming; with this collection (~15 ms), 131-138 MB.
    Bun.gc(true);
    return readGeneModels(path, opts, false);
  }
}

async function readGeneModels(path: string, opts: ParseGeneModelsOptions, streaming: boolean): Promise<ParsedGeneModels> {
  // Three lists, joined at the end in this order whether streaming or not: the rows', the
  // collector's (linking parts to transcripts), the builder's.
  const warnings: string[] = [];
  const collectorWarnings: string[] = [];
  const builderWarnings: string[] = [];
  const builder = new TranscriptBuilder({ path, resolveContig: opts.resolveContig, warnings: builderWarnings });
  const copies = new StringCopies();
  const transcripts: Transcript[] = [];
  const onDraft = (d: TranscriptDraft) => {
    const t = builder.add(d);
    if (t !== null) transcripts.push(detachStrings(t, copies));
  };
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
    if (f === "gff3") st.gff3 = new Gff3Collector(path, collectorWarnings, { streaming, onDraft });
    else st.gtf = new GtfCollector(path, { streaming, onDraft }, copies);
    for (const r of st.pending) feed(r);
    st.pending = [];
  };

  await readLines(path, (line, lineNo) => {
    if (st.stopped || line.length === 0) return;
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith("##FASTA"))
        st.stopped = true; // embedded sequences end the feature section
      else if (line === "###") st.gff3?.directive();
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
  if (st.gff3) st.gff3.finish();
  else st.gtf!.finish(collectorWarnings);
  builder.finish();
  warnings.push(...collectorWarnings, ...builderWarnings);
  if (transcripts.length === 0) {
    const refused = builder.firstRefused;
    const why =
      refused !== null
        ? `: ${builder.refusedCount} refused for invalid rows, first: ${invalidRowMessage(path, refused.invalid!, `transcript ${refused.id} refused`)}`
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
  return { transcripts, warnings, format, streamed: streaming };
}
