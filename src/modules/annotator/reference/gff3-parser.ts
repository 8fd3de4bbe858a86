/**
 * GFF3 gene models (Ensembl, GENCODE, RefSeq dialects). Which rows are transcripts is decided by
 * the hierarchy, not by the type column: a transcript is any feature that exon/CDS/UTR rows name
 * as their Parent. That covers Ensembl 84's `lincRNA`, `NMD_transcript_variant`,
 * `aberrant_processed_transcript`, `pseudogene` (with ID=transcript:…), RefSeq's `mRNA`, `ncRNA`,
 * `primary_transcript`, and ignores `biological_region`, `match`, `region` and friends.
 * Parts with several parents (`Parent=transcript:A,transcript:B`) belong to every parent.
 */
import { newDraft, splitEnsemblVersion, type TranscriptDraft } from "./gene-model-builder.ts";
import { partKind, type GffRow } from "./gff-row.ts";
import { type DraftXrefs, normalizeHgncId, normalizeTag, parseTsl, readDbxrefs, readDescription } from "./transcript-xrefs.ts";

interface FeatureRecord {
  rawId: string;
  type: string;
  seqid: string;
  start: number;
  end: number;
  strand: 1 | -1 | 0;
  attributes: string;
  line: number;
}

interface PartRecord {
  kind: "exon" | "cds" | "utr" | "start" | "stop";
  type: string;
  start: number;
  end: number;
  phase: number;
  line: number;
  seqid: string;
  strand: 1 | -1 | 0;
  /** GffRow.problem: the row is unusable and refuses its transcripts. */
  problem: string | null;
  /** CDS rows: `protein_id`, still percent-encoded (null otherwise). */
  proteinId: string | null;
  /** CDS rows: the CCDS ID of RefSeq's `Dbxref=CCDS:CCDS13573.1`. */
  ccds: string | null;
}

function decode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Raw (still percent-encoded) value of one attribute, found without parsing the whole column. */
export function rawAttribute(attributes: string, key: string): string | null {
  let at = 0;
  for (;;) {
    const i = attributes.indexOf(`${key}=`, at);
    if (i < 0) return null;
    if (i === 0 || attributes[i - 1] === ";" || attributes[i - 1] === " ") {
      const from = i + key.length + 1;
      const semi = attributes.indexOf(";", from);
      return attributes.slice(from, semi < 0 ? attributes.length : semi).trim();
    }
    at = i + 1;
  }
}

/** Parses column 9 into key → raw value (percent-encoded; split on `,` before decoding). */
function parseAttributes(attributes: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of attributes.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    if (!out.has(key)) out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

const first = (m: Map<string, string>, key: string): string | null => {
  const v = m.get(key);
  if (v === undefined || v === "") return null;
  const comma = v.indexOf(",");
  return decode(comma < 0 ? v : v.slice(0, comma));
};
const all = (m: Map<string, string>, key: string): string[] => {
  const v = m.get(key);
  return v
    ? v
        .split(",")
        .map(decode)
        .filter((x) => x !== "")
    : [];
};

/** Strips the type prefixes GFF3 producers put on IDs: `transcript:`, `gene:`, `rna-`, `gene-`. */
export function stripIdPrefix(id: string): string {
  return id.replace(/^(transcript|gene|rna|mrna|cds|exon):/i, "").replace(/^(rna|gene)-/, "");
}

const REFSEQ_TYPE_BIOTYPE: Record<string, string> = { mRNA: "protein_coding" };
const INCOMPLETE_TAGS = ["cds_start_NF", "cds_end_NF", "mRNA_start_NF", "mRNA_end_NF"];

export interface Gff3CollectorOptions {
  /** Takes each transcript's draft: gene by gene when streaming, else all of them in `finish`. */
  onDraft: (draft: TranscriptDraft) => void;
  /**
   * Finish each gene as the file moves past it (at a `###` line, the next row without a Parent,
   * or the next contig) and let go of its rows, instead of holding every row to the end. A row
   * that refers back to a finished gene throws GffNotGroupedError: the caller reads the file again
   * without streaming.
   */
  streaming: boolean;
}

/**
 * The file is not grouped by gene (a row refers to a feature whose group was finished, as in a
 * position-sorted file where genes overlap): streaming it would not see what holding every row
 * sees. Not an error of the file.
 */
export class GffNotGroupedError extends Error {
  constructor(path: string, line: number, why: string) {
    super(`${path}:${line}: ${why}: the rows are not grouped by gene`);
    this.name = "GffNotGroupedError";
  }
}

/**
 * Collects GFF3 rows in a window; `closeGroup` links the window's parts to their transcripts and
 * transcripts to genes and hands on the drafts. Streaming closes a window per gene, so a GENCODE
 * GFF3 (6.7M rows for 60k genes in bench:genome) never holds more than one gene's rows: holding
 * them all peaked at 5.3 GB. Without streaming, the one window is the whole file.
 *
 * Streaming gives exactly what holding every row gives, or throws GffNotGroupedError: every ID of
 * a closed window is remembered (as a 64-bit hash), and a later row naming one as its Parent or
 * as its own ID, a later definition of an ancestor that a closed window looked up in vain, or of a
 * Parent whose parts were set aside as orphans, is caught. The drafts come out in the order of
 * their first part row either way.
 */
export class Gff3Collector {
  private features = new Map<string, FeatureRecord>();
  private parts = new Map<string, PartRecord[]>();
  private windowSeqid: string | null = null;
  /** A `###` line was seen: windows end there only. */
  private marked = false;
  private partsWithoutParent = 0;
  /** Parents of exon/CDS/UTR rows without a row of their own (yet), and their first part's line. */
  private readonly unresolved = new Map<string, number>();
  /** Streaming: hashes of the IDs of closed windows, and of ancestors they did not find. */
  private readonly closed = new Set<bigint>();
  private readonly awaited = new Set<bigint>();

  constructor(
    private readonly path: string,
    private readonly warnings: string[],
    private readonly opts: Gff3CollectorOptions,
  ) {}

  row(r: GffRow): void {
    const kind = partKind(r.type);
    if (kind !== null) {
      const parent = rawAttribute(r.attributes, "Parent");
      if (parent === null || parent === "") {
        this.partsWithoutParent++;
        return;
      }
      if (this.opts.streaming && !this.marked && r.seqid !== this.windowSeqid) {
        this.closeGroup();
        this.windowSeqid = r.seqid;
      }
      const rec: PartRecord = {
        kind,
        type: r.type,
        start: r.start,
        end: r.end,
        phase: r.phase,
        line: r.line,
        seqid: r.seqid,
        strand: r.strand,
        problem: r.problem,
        proteinId: kind === "cds" ? this.sharedProteinId(rawAttribute(r.attributes, "protein_id")) : null,
        ccds: kind === "cds" ? (/CCDS:(CCDS[\d.]+)/.exec(r.attributes)?.[1] ?? null) : null,
      };
      for (const p of parent.split(",")) {
        const key = decode(p);
        let list = this.parts.get(key);
        if (!list) {
          if (this.opts.streaming && !this.features.has(key) && this.closed.has(Bun.hash.wyhash(key)))
            throw new GffNotGroupedError(this.path, r.line, `Parent ${key} was finished before this ${r.type} row`);
          this.parts.set(key, (list = []));
        }
        list.push(rec);
      }
      return;
    }
    const rawIdValue = rawAttribute(r.attributes, "ID");
    if (rawIdValue === null) return; // biological_region and other unnamed rows
    const rawId = decode(rawIdValue);
    const seen = this.features.get(rawId);
    if (seen) {
      // A multi-line feature (allowed by GFF3): widen the span, keep the first line's attributes.
      // A line with an unusable interval (start 0) leaves the span unknown (0): the exons give it.
      seen.start = Math.min(seen.start, r.start);
      seen.end = Math.max(seen.end, r.end);
      return;
    }
    if (this.opts.streaming) {
      // A row without a Parent starts the next gene (or is a chromosome, a region): the window
      // ends, unless the file marks its groups with `###` (a gene's parts may then come first).
      if (!this.marked && (r.seqid !== this.windowSeqid || rawAttribute(r.attributes, "Parent") === null)) {
        this.closeGroup();
        this.windowSeqid = r.seqid;
      }
      const h = Bun.hash.wyhash(rawId);
      if (this.closed.has(h) || this.awaited.has(h) || this.unresolved.has(rawId))
        throw new GffNotGroupedError(this.path, r.line, `${rawId} is defined after a group that refers to it or repeats it`);
    }
    this.features.set(rawId, {
      rawId,
      type: r.type,
      seqid: r.seqid,
      start: r.start,
      end: r.end,
      strand: r.strand,
      attributes: r.attributes,
      line: r.line,
    });
  }

  /** A `###` line: GFF3's mark that no row after it refers to a row before it. */
  directive(): void {
    this.marked = true;
    if (this.opts.streaming) this.closeGroup();
  }

  /**
   * A transcript's CDS rows repeat its protein ID: the rows share one string instead of one slice
   * each (a whole-genome GFF3 has hundreds of thousands of CDS rows).
   */
  private lastProteinId: string | null = null;
  private sharedProteinId(id: string | null): string | null {
    if (id === null || id !== this.lastProteinId) this.lastProteinId = id;
    return this.lastProteinId;
  }

  /** Drafts of the window's transcripts, handed on; the window's IDs remembered when streaming. */
  private closeGroup(last = false): void {
    const streaming = this.opts.streaming;
    if (this.parts.size === 0 && this.features.size === 0) return;
    const attrCache = new Map<string, Map<string, string>>();
    const attrsOf = (f: FeatureRecord) => {
      let m = attrCache.get(f.rawId);
      if (!m) attrCache.set(f.rawId, (m = parseAttributes(f.attributes)));
      return m;
    };
    for (const [parentId, parts] of this.parts) {
      const f = this.features.get(parentId);
      if (!parts.some((p) => p.kind === "exon" || p.kind === "cds" || p.kind === "utr")) continue;
      if (!f) {
        if (!this.unresolved.has(parentId)) this.unresolved.set(parentId, parts[0]!.line);
        continue;
      }
      const a = attrsOf(f);
      // The gene is the top of the Parent chain (RefSeq miRNA → primary_transcript → gene).
      let gene = f;
      for (let depth = 0; depth < 4; depth++) {
        const up = first(attrsOf(gene), "Parent");
        const next = up === null ? undefined : this.features.get(up);
        if (!next) {
          if (streaming && up !== null) this.awaitAncestor(up, f);
          break;
        }
        gene = next;
      }
      const g = attrsOf(gene);
      const split = splitEnsemblVersion(first(a, "transcript_id") ?? stripIdPrefix(f.rawId));
      const d = newDraft(split.id, f.line);
      const version = Number(first(a, "version"));
      d.version = Number.isInteger(version) && version > 0 ? version : split.version;
      d.seqid = f.seqid;
      d.strand = f.strand !== 0 ? f.strand : (parts.find((p) => p.strand !== 0)?.strand ?? 0);
      d.start = f.start;
      d.end = f.end;
      const dbxrefGeneId = all(g, "Dbxref")
        .find((x) => x.startsWith("GeneID:"))
        ?.slice(7);
      d.geneId = splitEnsemblVersion(first(g, "gene_id") ?? dbxrefGeneId ?? stripIdPrefix(gene.rawId)).id;
      d.geneName = first(g, "Name") ?? first(g, "gene_name") ?? first(g, "gene") ?? first(a, "gene") ?? null;
      d.biotype =
        first(a, "biotype") ??
        first(a, "transcript_biotype") ??
        first(a, "transcript_type") ??
        REFSEQ_TYPE_BIOTYPE[f.type] ??
        (f.type === "ncRNA" ? (first(a, "ncrna_class") ?? "ncRNA") : null) ??
        (f !== gene && (f.type === "transcript" || f.type === "primary_transcript") ? first(a, "gbkey") : null) ??
        first(g, "biotype") ??
        first(g, "gene_biotype") ??
        first(g, "gene_type") ??
        (f.type === "transcript" ? null : f.type);
      for (const tag of all(a, "tag")) d.tags.add(normalizeTag(tag));
      readGff3Xrefs(a, g, f === gene, parts, d.xrefs);
      if (dbxrefGeneId !== undefined && first(g, "gene_id") === null) d.xrefs.symbolSource ??= "EntrezGene";
      for (const t of INCOMPLETE_TAGS) if (a.has(t) && a.get(t) !== "0" && a.get(t) !== "false") d.tags.add(t);
      const bad = parts.find((p) => p.problem !== null);
      if (bad) d.invalid = { line: bad.line, type: bad.type, problem: bad.problem! };
      for (const p of parts) {
        const seg = { start: p.start, end: p.end, phase: p.phase };
        if (p.seqid !== d.seqid) {
          this.warnings.push(`${this.path}:${p.line}: part of ${d.id} on another contig (${p.seqid}) ignored`);
          continue;
        }
        if (p.kind === "exon") d.exons.push(seg);
        else if (p.kind === "cds") d.cds.push(seg);
        else if (p.kind === "utr") d.utrs.push(seg);
        else if (p.kind === "stop") d.stopCodons.push(seg);
      }
      this.opts.onDraft(d);
    }
    if (streaming && !last) {
      for (const id of this.features.keys()) this.closed.add(Bun.hash.wyhash(id));
      for (const id of this.parts.keys()) if (!this.unresolved.has(id)) this.closed.add(Bun.hash.wyhash(id));
      this.features = new Map();
      this.parts = new Map();
    }
  }

  /** An ancestor not (yet) defined: fine if it never is, as holding every row would not find it either. */
  private awaitAncestor(id: string, from: FeatureRecord): void {
    const h = Bun.hash.wyhash(id);
    if (this.closed.has(h)) throw new GffNotGroupedError(this.path, from.line, `Parent ${id} was finished before ${from.rawId}`);
    this.awaited.add(h);
  }

  /** Closes the last window; warns about orphan parts and parts without a Parent. */
  finish(): void {
    this.closeGroup(true);
    const orphans = [...this.unresolved].map(([id, line]) => `${id} (line ${line})`);
    if (orphans.length > 0) {
      this.warnings.push(
        `${this.path}: ${orphans.length} Parent IDs have no row of their own, their exons/CDS are ignored: ${orphans.slice(0, 5).join(", ")}`,
      );
    }
    if (this.partsWithoutParent > 0) {
      this.warnings.push(`${this.path}: ${this.partsWithoutParent} exon/CDS/UTR rows without Parent= ignored`);
    }
  }
}

/** Protein ID (CDS rows), HGNC ID, symbol source, MANE counterpart, TSL, CCDS of one transcript. */
function readGff3Xrefs(a: Map<string, string>, g: Map<string, string>, isGene: boolean, parts: readonly PartRecord[], x: DraftXrefs): void {
  const cds = parts.find((p) => p.proteinId !== null && p.proteinId !== "");
  if (cds) {
    const split = splitEnsemblVersion(decode(cds.proteinId!));
    x.proteinId = split.id;
    x.proteinVersion = split.version;
  }
  const hgnc = first(a, "hgnc_id") ?? (isGene ? null : first(g, "hgnc_id"));
  if (hgnc !== null) x.hgncId = normalizeHgncId(hgnc);
  readDbxrefs(all(a, "Dbxref"), x, true);
  if (!isGene) readDbxrefs(all(g, "Dbxref"), x, false);
  readDescription(first(g, "description"), x);
  x.tsl = parseTsl(first(a, "transcript_support_level"));
  x.ccds ??= first(a, "ccdsid") ?? first(a, "ccds_id") ?? parts.find((p) => p.ccds !== null)?.ccds ?? null;
}
