/**
 * Turns the rows that GFF3 and GTF parsers collected per transcript (exons, CDS, UTRs, codons) into
 * the engine's `Transcript` model. Shared by both dialects so that the rules live in one place:
 * exons derived from CDS+UTR when a file has none, stop codon inside the coding span, incomplete
 * CDS flags, contig aliases, codon table.
 */
import type { CodingRegion, CodonTableId, Exon, Strand, Transcript } from "../model.ts";
import { applyXrefs, type DraftXrefs, newDraftXrefs } from "./transcript-xrefs.ts";

export interface Segment {
  start: number;
  end: number;
  /** GFF phase for CDS rows, -1 when `.`. */
  phase: number;
}

/** Everything known about one transcript after reading the file. */
export interface TranscriptDraft {
  id: string;
  version: number | null;
  geneId: string;
  geneName: string | null;
  biotype: string | null;
  seqid: string;
  strand: Strand | 0;
  /** Span from a transcript row; 0 when the file has none (GTF without transcript rows). */
  start: number;
  end: number;
  exons: Segment[];
  cds: Segment[];
  utrs: Segment[];
  stopCodons: Segment[];
  tags: Set<string>;
  /** Protein ID, HGNC, MANE, TSL, CCDS as the file gives them (transcript-xrefs.ts). */
  xrefs: DraftXrefs;
  /** First line that mentioned the transcript, for messages. */
  line: number;
  /** The first of its exon/CDS/UTR/codon rows that is unusable: the transcript is refused. */
  invalid: InvalidPart | null;
}

/** A part row whose own columns are unusable (GffRow.problem). */
export interface InvalidPart {
  line: number;
  type: string;
  problem: string;
}

export function newDraft(id: string, line: number): TranscriptDraft {
  return {
    id,
    version: null,
    geneId: "",
    geneName: null,
    biotype: null,
    seqid: "",
    strand: 0,
    start: 0,
    end: 0,
    exons: [],
    cds: [],
    utrs: [],
    stopCodons: [],
    tags: new Set(),
    xrefs: newDraftXrefs(),
    line,
    invalid: null,
  };
}

/** The warning for a row whose columns are unusable, naming what it costs. */
export function invalidRowMessage(path: string, r: { line: number; type: string; problem: string }, cost: string): string {
  return `${path}:${r.line}: ${r.problem} (${r.type} row: ${cost})`;
}

export interface BuildOptions {
  path: string;
  resolveContig?: (name: string) => string | null;
  warnings: string[];
}

/** Sorted, with overlapping or touching intervals merged. */
function mergeIntervals(segments: Segment[]): Exon[] {
  const sorted = segments.map((s) => ({ start: s.start, end: s.end })).sort((a, b) => a.start - b.start);
  const out: Exon[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1) last.end = Math.max(last.end, s.end);
    else out.push(s);
  }
  return out;
}

const MITO = /^(chr)?(M|MT)$|^NC_012920/i;

/** Splits `ENST00000456328.2` (GENCODE style) into id and version; other IDs are kept whole. */
export function splitEnsemblVersion(id: string): { id: string; version: number | null } {
  const m = /^(ENS[A-Z]*[GTP]\d{11})\.(\d+)(_PAR_Y)?$/.exec(id);
  return m ? { id: m[1]! + (m[3] ?? ""), version: Number(m[2]) } : { id, version: null };
}

/** Warnings given in full before the rest are summed up in one line. */
const DETAILED_WARNINGS = 20;

/**
 * Compiles drafts into transcripts, dropping (with a warning) those that cannot be used: an
 * invalid exon/CDS row (refused, each named), no strand, no exon/CDS rows. Contig names are
 * resolved through `resolveContig` (unknown ones are kept as written, with one warning per contig).
 */
export function buildTranscripts(drafts: Iterable<TranscriptDraft>, opts: BuildOptions): Transcript[] {
  const builder = new TranscriptBuilder(opts);
  const out: Transcript[] = [];
  for (const d of drafts) {
    const t = builder.add(d);
    if (t !== null) out.push(t);
  }
  builder.finish();
  return out;
}

/**
 * buildTranscripts one draft at a time, so that a streaming parser can let go of a gene's rows as
 * soon as its transcripts are built; `finish` adds the warnings that sum up the whole file.
 */
export class TranscriptBuilder {
  private readonly unknownContigs = new Map<string, number>();
  private readonly resolved = new Map<string, string>();
  private dropped = 0;
  private readonly refused: string[] = [];
  /** The first refused draft, for the error of a file in which every transcript is refused. */
  firstRefused: TranscriptDraft | null = null;

  constructor(private readonly opts: BuildOptions) {}

  get refusedCount(): number {
    return this.refused.length;
  }

  private drop(d: TranscriptDraft, why: string): null {
    if (++this.dropped <= DETAILED_WARNINGS) this.opts.warnings.push(`${this.opts.path}:${d.line}: transcript ${d.id} skipped: ${why}`);
    return null;
  }

  /** The draft's transcript, or null when it is refused or dropped (with a warning). */
  add(d: TranscriptDraft): Transcript | null {
    const opts = this.opts;
    if (d.invalid !== null) {
      this.firstRefused ??= d;
      if (this.refused.push(d.id) <= DETAILED_WARNINGS)
        opts.warnings.push(invalidRowMessage(opts.path, d.invalid, `transcript ${d.id} refused`));
      return null;
    }
    if (d.strand === 0) return this.drop(d, "no strand (+/-)");
    let exons = mergeIntervals(d.exons.length > 0 ? d.exons : [...d.cds, ...d.utrs, ...d.stopCodons]);
    if (exons.length === 0) return this.drop(d, "no exon, CDS or UTR rows");
    if (d.exons.length > 1 && exons.length < d.exons.length) {
      const distinct = new Set(d.exons.map((e) => `${e.start}-${e.end}`)).size;
      if (distinct > exons.length) opts.warnings.push(`${opts.path}:${d.line}: transcript ${d.id}: overlapping exons merged`);
    }
    // A sloppy GTF may put its stop_codon row just past the last exon row: exons must cover it.
    const uncovered = d.stopCodons.filter((s) => !exons.some((e) => e.start <= s.start && s.end <= e.end));
    if (uncovered.length > 0) exons = mergeIntervals([...exons.map((e) => ({ ...e, phase: -1 })), ...uncovered]);
    const coding = buildCoding(d, exons, opts);
    let contig = d.seqid;
    if (opts.resolveContig) {
      let r = this.resolved.get(d.seqid);
      if (r === undefined) {
        r = opts.resolveContig(d.seqid) ?? "";
        this.resolved.set(d.seqid, r);
      }
      if (r) contig = r;
      else this.unknownContigs.set(d.seqid, (this.unknownContigs.get(d.seqid) ?? 0) + 1);
    }
    // Whole numbers stay int32 here (no Infinity in the arithmetic): a position the optimizing
    // compiler left as a double made every reader of it recompile (hgvs/transcript-coordinates.ts).
    const first = exons[0]!.start;
    const start = d.start > 0 && d.start < first ? d.start : first;
    const last = exons[exons.length - 1]!.end;
    const end = Math.max(d.end, last);
    const codonTable: CodonTableId = MITO.test(contig) || MITO.test(d.seqid) ? 2 : 1;
    const t: Transcript = {
      id: d.id,
      version: d.version,
      geneId: d.geneId || d.id,
      geneName: d.geneName || d.geneId || d.id,
      biotype: d.biotype ?? (coding ? "protein_coding" : "transcript"),
      contig,
      strand: d.strand,
      start,
      end,
      exons,
      coding,
      codonTable,
      tags: [...d.tags],
    };
    applyXrefs(t, d.xrefs);
    return t;
  }

  /** The warnings that count what `add` did not name one by one, and the unknown contigs. */
  finish(): void {
    const opts = this.opts;
    if (this.refused.length > DETAILED_WARNINGS) {
      const more = this.refused.slice(DETAILED_WARNINGS);
      const names = more.length > 100 ? `${more.slice(0, 100).join(", ")}, …` : more.join(", ");
      opts.warnings.push(`${opts.path}: ${more.length} more transcripts refused for invalid exon/CDS rows: ${names}`);
    }
    if (this.dropped > DETAILED_WARNINGS) opts.warnings.push(`${opts.path}: ${this.dropped - DETAILED_WARNINGS} more transcripts skipped`);
    for (const [seqid, n] of this.unknownContigs) {
      opts.warnings.push(`${opts.path}: contig '${seqid}' (${n} transcripts) is not in the genome FASTA and has no alias`);
    }
  }
}

function buildCoding(d: TranscriptDraft, exons: Exon[], opts: BuildOptions): CodingRegion | null {
  if (d.cds.length === 0) return null;
  // Seeded from a segment rather than ±Infinity, so the bounds stay int32 (see build above).
  let start = d.cds[0]!.start;
  let end = d.cds[0]!.end;
  for (const s of d.cds) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  // GTF CDS rows exclude the stop codon (separate stop_codon rows); GFF3 CDS rows include it.
  for (const s of d.stopCodons) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  // Phase of the 5'-most CDS segment in transcript orientation.
  let first = d.cds[0]!;
  for (const s of d.cds) {
    if (d.strand === 1 ? s.start < first.start : s.end > first.end) first = s;
  }
  const startPhase = first.phase > 0 ? first.phase : 0;
  if (start < exons[0]!.start || end > exons[exons.length - 1]!.end) {
    opts.warnings.push(`${opts.path}:${d.line}: transcript ${d.id}: CDS extends beyond its exons`);
  }
  return {
    start,
    end,
    startIncomplete: d.tags.has("cds_start_NF") || startPhase !== 0,
    endIncomplete: d.tags.has("cds_end_NF"),
    startPhase,
  };
}
