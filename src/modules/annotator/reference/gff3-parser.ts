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

/** Collects GFF3 rows; `finish` links parts to their transcripts and transcripts to genes. */
export class Gff3Collector {
  private readonly features = new Map<string, FeatureRecord>();
  private readonly parts = new Map<string, PartRecord[]>();
  private partsWithoutParent = 0;

  constructor(
    private readonly path: string,
    private readonly warnings: string[],
  ) {}

  row(r: GffRow): void {
    const kind = partKind(r.type);
    if (kind !== null) {
      const parent = rawAttribute(r.attributes, "Parent");
      if (parent === null || parent === "") {
        this.partsWithoutParent++;
        return;
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
        if (!list) this.parts.set(key, (list = []));
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

  /**
   * A transcript's CDS rows repeat its protein ID: the rows share one string instead of one slice
   * each (a whole-genome GFF3 has hundreds of thousands of CDS rows).
   */
  private lastProteinId: string | null = null;
  private sharedProteinId(id: string | null): string | null {
    if (id === null || id !== this.lastProteinId) this.lastProteinId = id;
    return this.lastProteinId;
  }

  finish(): TranscriptDraft[] {
    const attrCache = new Map<string, Map<string, string>>();
    const attrsOf = (f: FeatureRecord) => {
      let m = attrCache.get(f.rawId);
      if (!m) attrCache.set(f.rawId, (m = parseAttributes(f.attributes)));
      return m;
    };
    const drafts: TranscriptDraft[] = [];
    const orphans: string[] = [];
    for (const [parentId, parts] of this.parts) {
      const f = this.features.get(parentId);
      if (!parts.some((p) => p.kind === "exon" || p.kind === "cds" || p.kind === "utr")) continue;
      if (!f) {
        orphans.push(`${parentId} (line ${parts[0]!.line})`);
        continue;
      }
      const a = attrsOf(f);
      // The gene is the top of the Parent chain (RefSeq miRNA → primary_transcript → gene).
      let gene = f;
      for (let depth = 0; depth < 4; depth++) {
        const up = first(attrsOf(gene), "Parent");
        const next = up === null ? undefined : this.features.get(up);
        if (!next) break;
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
      drafts.push(d);
    }
    if (orphans.length > 0) {
      this.warnings.push(
        `${this.path}: ${orphans.length} Parent IDs have no row of their own, their exons/CDS are ignored: ${orphans.slice(0, 5).join(", ")}`,
      );
    }
    if (this.partsWithoutParent > 0) {
      this.warnings.push(`${this.path}: ${this.partsWithoutParent} exon/CDS/UTR rows without Parent= ignored`);
    }
    return drafts;
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
