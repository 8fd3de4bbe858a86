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
