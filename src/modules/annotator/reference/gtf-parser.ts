/**
 * GTF (GTF2.2 / Ensembl / GENCODE) gene models. Rows are grouped by `transcript_id`, in whatever
 * order they come (Ensembl's test GTF is sorted by coordinate, not gene → transcript → exon).
 * Streaming, as for GFF3 (gff3-parser.ts): a `gene` row or the next contig finishes the
 * transcripts so far, and a row that refers back to one (or a gene row for a gene whose finished
 * transcripts looked up its name) throws GffNotGroupedError, for the caller to read the file again
 * holding every transcript.
 * A row whose `transcript_id` lists several IDs (`"ENST00000419219,ENST00000419219_1"`) belongs to
 * each of them.
 */
import { detached, StringCopies } from "./detached-strings.ts";
import { GeneModelFormatError, partKind, type GffRow } from "./gff-row.ts";
import { type Gff3CollectorOptions, GffNotGroupedError } from "./gff3-parser.ts";
import { newDraft, splitEnsemblVersion, type TranscriptDraft } from "./gene-model-builder.ts";
import { normalizeHgncId, normalizeTag, parseTsl } from "./transcript-xrefs.ts";

const ATTRIBUTE = /\s*([^\s;"]+)\s+(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))\s*(?:;|$)/y;

/** Parses `key "value"; key value; tag "a"; tag "b";` into a multimap. */
export function parseGtfAttributes(text: string, path: string, line: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let at = 0;
  for (;;) {
    // Skip blanks and stray semicolons between attributes.
    while (at < text.length && (text[at] === " " || text[at] === "\t" || text[at] === ";")) at++;
    if (at >= text.length) break;
    ATTRIBUTE.lastIndex = at;
    const m = ATTRIBUTE.exec(text);
    if (!m)
      throw new GeneModelFormatError(path, line, `cannot parse GTF attributes near "${text.slice(at, at + 40)}" (expected key "value";)`);
    const value = m[2] ?? m[3] ?? "";
    const list = out.get(m[1]!);
    if (list) list.push(value);
    else out.set(m[1]!, [value]);
    at = ATTRIBUTE.lastIndex;
  }
  return out;
}

const INCOMPLETE_TAGS = ["cds_start_NF", "cds_end_NF", "mRNA_start_NF", "mRNA_end_NF"];

/** Collects GTF rows per transcript; `finish` returns one draft per transcript ID. */
export class GtfCollector {
  private drafts = new Map<string, TranscriptDraft>();
  private windowSeqid: string | null = null;
  /** Streaming: hashes of finished transcript IDs, and of genes whose name or biotype they looked up. */
  private readonly closed = new Set<bigint>();
  private readonly geneLookups = new Set<bigint>();
  private readonly geneNames = new Map<string, string>();
  private readonly geneBiotypes = new Map<string, string>();
  private stopCodonRows = 0;
  private cdsRows = 0;

  /**
   * Every string a draft keeps is a copy (detached-strings.ts): drafts live to the end of the file,
   * and slices of its lines would keep the whole decoded text resident (bench:genome's models as
   * a 955 MB GTF: prepare peaked at 3,050 MB with slices).
   */
  constructor(
    private readonly path: string,
    private readonly opts: Gff3CollectorOptions,
    private readonly copies: StringCopies = new StringCopies(),
  ) {}

  row(r: GffRow): void {
    const a = parseGtfAttributes(r.attributes, this.path, r.line);
    const one = (k: string) => a.get(k)?.[0] ?? null;
    const geneId = one("gene_id");
    if (r.type === "gene") {
      if (this.opts.streaming) {
        this.closeGroup();
        if (geneId !== null && this.geneLookups.has(Bun.hash.wyhash(geneId)))
          throw new GffNotGroupedError(this.path, r.line, `gene ${geneId} comes after transcripts of it that were finished`);
      }
      if (geneId !== null) {
        const name = one("gene_name") ?? one("gene");
        if (name) this.geneNames.set(this.copies.shared(geneId), this.copies.shared(name));
        const bt = one("gene_biotype") ?? one("gene_type");
        if (bt) this.geneBiotypes.set(this.copies.shared(geneId), this.copies.shared(bt));
      }
      return;
    }
    const tids = one("transcript_id");
    if (tids === null || tids === "") return;
    const kind = partKind(r.type);
    const isTranscriptRow = kind === null && (r.type === "transcript" || r.type === "mRNA");
    if (kind === null && !isTranscriptRow) return; // Selenocysteine, intron, ...
    if (kind === "stop") this.stopCodonRows++;
    if (kind === "cds") this.cdsRows++;
    if (this.opts.streaming && r.seqid !== this.windowSeqid) {
      this.closeGroup();
      this.windowSeqid = r.seqid;
    }
    for (const rawTid of tids.split(",")) {
      const split = splitEnsemblVersion(rawTid.trim());
      let d = this.drafts.get(split.id);
      if (!d) {
        if (this.opts.streaming && this.closed.has(Bun.hash.wyhash(split.id)))
          throw new GffNotGroupedError(this.path, r.line, `transcript ${split.id} was finished before this ${r.type} row`);
        d = newDraft(detached(split.id), r.line);
        d.seqid = this.copies.shared(r.seqid);
        d.strand = r.strand;
        this.drafts.set(d.id, d);
      } else if (d.seqid !== r.seqid) {
        throw new GeneModelFormatError(this.path, r.line, `transcript ${split.id} is on ${d.seqid} (line ${d.line}) and on ${r.seqid}`);
      }
      if (d.strand === 0) d.strand = r.strand;
      const c = this.copies;
      if (!d.geneId && geneId !== null) d.geneId = c.shared(splitEnsemblVersion(geneId).id);
      if (d.geneName === null) d.geneName = c.sharedOrNull(one("gene_name") ?? one("gene"));
      if (d.biotype === null) d.biotype = c.sharedOrNull(one("transcript_biotype") ?? one("transcript_type"));
      if (d.version === null) {
        const v = Number(one("transcript_version"));
        d.version = Number.isInteger(v) && v > 0 ? v : split.version;
      }
      for (const tag of a.get("tag") ?? []) d.tags.add(c.shared(normalizeTag(tag)));
      for (const t of INCOMPLETE_TAGS) if (a.has(t)) d.tags.add(t);
      readGtfXrefs(one, d, c);
      const seg = { start: r.start, end: r.end, phase: r.phase };
      if (r.problem !== null && !isTranscriptRow) {
        // An unusable exon/CDS/UTR/codon row refuses its transcript (named at build time).
        d.invalid ??= { line: r.line, type: c.shared(r.type), problem: r.problem };
      } else if (isTranscriptRow) {
        d.start = r.start;
        d.end = r.end;
        d.line = Math.min(d.line, r.line);
      } else if (kind === "exon") d.exons.push(seg);
      else if (kind === "cds") d.cds.push(seg);
      else if (kind === "utr") d.utrs.push(seg);
      else if (kind === "stop") d.stopCodons.push(seg);
    }
  }

  /** The transcripts so far, named from their gene rows and handed on; remembered when streaming. */
  private closeGroup(last = false): void {
    const remember = this.opts.streaming && !last;
    for (const d of this.drafts.values()) {
      if (remember && (d.geneName === null || d.biotype === null)) this.geneLookups.add(Bun.hash.wyhash(d.geneId));
      if (d.geneName === null) d.geneName = this.geneNames.get(d.geneId) ?? null;
      if (d.biotype === null) d.biotype = this.geneBiotypes.get(d.geneId) ?? null;
      if (remember) this.closed.add(Bun.hash.wyhash(d.id));
      this.opts.onDraft(d);
    }
    this.drafts = new Map();
  }

  finish(warnings: string[]): void {
    this.closeGroup(true);
    if (this.cdsRows > 0 && this.stopCodonRows === 0) {
      warnings.push(`${this.path}: GTF has CDS rows but no stop_codon rows; coding spans may exclude the stop codon`);
    }
  }
}

/** Protein ID and version (CDS rows), HGNC ID (GENCODE), CCDS and TSL: the first row giving each wins. */
function readGtfXrefs(one: (key: string) => string | null, d: TranscriptDraft, c: StringCopies): void {
  const x = d.xrefs;
  if (x.proteinId === null) {
    const protein = one("protein_id");
    if (protein) {
      const split = splitEnsemblVersion(protein);
      const v = Number(one("protein_version"));
      x.proteinId = detached(split.id);
      x.proteinVersion = Number.isInteger(v) && v > 0 ? v : split.version;
    }
  }
  if (x.hgncId === null) {
    const hgnc = one("hgnc_id");
    if (hgnc) x.hgncId = c.sharedOrNull(normalizeHgncId(hgnc));
  }
  x.ccds ??= c.sharedOrNull(one("ccds_id") || one("ccdsid") || null); // Ensembl's GTF, GENCODE's
  x.tsl ??= parseTsl(one("transcript_support_level"));
}
