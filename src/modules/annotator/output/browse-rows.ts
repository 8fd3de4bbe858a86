import type { Annotation } from "../model.ts";

/**
 * One row per variant × feature: the shape of `--format tsv|json` and of the results browser.
 * Column names follow the ANN fields so a user can move between the two views.
 */
export interface BrowseRow {
  line: number;
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  alt: string;
  consequence: string;
  impact: string;
  gene: string;
  geneId: string;
  featureType: string;
  feature: string;
  biotype: string;
  rank: string;
  hgvsC: string;
  hgvsP: string;
  cdnaPos: string;
  cdsPos: string;
  aaPos: string;
  distance: string;
  known: boolean;
  af: string;
  messages: string;
}

export const BROWSE_COLUMNS = [
  "line",
  "chrom",
  "pos",
  "id",
  "ref",
  "alt",
  "consequence",
  "impact",
  "gene",
  "geneId",
  "featureType",
  "feature",
  "biotype",
  "rank",
  "hgvsC",
  "hgvsP",
  "cdnaPos",
  "cdsPos",
  "aaPos",
  "distance",
  "known",
  "af",
  "messages",
] as const satisfies readonly (keyof BrowseRow)[];

export interface RowContext {
  line: number;
  chrom: string;
  pos: number;
  id: string;
  ref: string;
  known: boolean;
  af: string;
}

/**
 * What the results store keeps per annotated ALT beyond its BrowseRows (the columns a reviewer
 * filters on that `--format tsv|json` never had). One per ALT, in the order of its rows.
 */
export interface VariantFacts {
  /** How many consecutive rows of the batch are this ALT's (its effects, most severe first). */
  rows: number;
  /** 0-based ordinal of the record in the annotated VCF, counted from the batch's `recordBase`. */
  rec: number;
  /** The FILTER column as written (`PASS`, `.`, `q10;s50`). */
  filter: string;
  /** The known-variant fields of the match (`KNOWN_AF`, `KNOWN_EUR_AF`, `KNOWN_CLIN_SIG`…), null when novel. */
  known: Readonly<Record<string, string>> | null;
  /**
   * This ALT's genotype class per sample, one character each in sample order: `0` no copy of it,
   * `1` heterozygous (one copy, others REF or another ALT), `2` every copy is this ALT (haploid
   * calls included), `.` missing. "" for a sites-only file.
   */
  gt: string;
  /** The most severe effect's transcript is tagged Ensembl_canonical or MANE_Select. */
  canonical: boolean;
  /**
   * Under a transcript choice (--pick, --per-gene, --flag-pick…), one character per effect of this
   * ALT, in row order: `1` chosen, `0` not; "" when the run chose nothing.
   */
  picked?: string;
}

/** A record the engine skipped, or annotated with a warning, for the results page's list. */
export interface RecordIssue {
  line: number;
  chrom: string;
  pos: number;
  kind: "skipped" | "warning";
  message: string;
}

/**
 * The rows of whole records handed from the annotator to the outputs. `variants` and `issues` are
 * filled only when the results store is written; `recordBase` is added to each `rec` (a worker
 * counts records from 0 in each of its batches).
 */
export interface RowBatch {
  rows: BrowseRow[];
  variants: VariantFacts[];
  issues: RecordIssue[];
  recordBase: number;
}

/** Tags that make a transcript the gene's representative one (model.ts `tags`). */
export const CANONICAL_TAGS: readonly string[] = ["Ensembl_canonical", "MANE_Select"];

export function toBrowseRow(ctx: RowContext, a: Annotation): BrowseRow {
  return {
    line: ctx.line,
    chrom: ctx.chrom,
    pos: ctx.pos,
    id: ctx.id,
    ref: ctx.ref,
    alt: a.allele,
    consequence: a.consequences.join("&"),
    impact: a.impact,
    gene: a.geneName,
    geneId: a.geneId,
    featureType: a.featureType,
    feature: a.featureId,
    biotype: a.biotype,
    rank: a.rank,
    hgvsC: a.hgvsC,
    hgvsP: a.hgvsP,
    cdnaPos: a.cdnaPos,
    cdsPos: a.cdsPos,
    aaPos: a.aaPos,
    distance: a.distance,
    known: ctx.known,
    af: ctx.af,
    messages: a.messages.join("&"),
  };
}

// TSV cells cannot hold tabs or newlines; nothing the engine writes has them, input IDs might.
const tsvCell = (v: string | number | boolean) => String(v).replace(/[\t\r\n]/g, " ");

export function tsvHeader(): string {
  return `#${BROWSE_COLUMNS.join("\t")}\n`;
}

export function tsvLine(row: BrowseRow): string {
  return `${BROWSE_COLUMNS.map((c) => tsvCell(row[c])).join("\t")}\n`;
}
