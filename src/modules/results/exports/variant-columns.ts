/**
 * The per-variant view's columns, as the exports (TSV, Excel) write them: the variant, its most
 * severe effect, its known-variant facts (a frequency column per population the store has), and
 * the counts. Names follow the ANN fields as `--format tsv` does.
 */
import type { VariantRow } from "../results-store.ts";

export type Cell = string | number | boolean | null;

export interface Column {
  header: string;
  value(r: VariantRow): Cell;
  /** Excel column width in characters. */
  width: number;
}

const col = (header: string, width: number, value: (r: VariantRow) => Cell): Column => ({ header, width, value });

/** The columns for a store whose known variants carry `populations` (summary().populations). */
export function variantColumns(populations: readonly string[]): Column[] {
  return [
    col("chrom", 8, (r) => r.chrom),
    col("pos", 11, (r) => r.pos),
    col("id", 14, (r) => r.id),
    col("ref", 8, (r) => r.ref),
    col("alt", 8, (r) => r.alt),
    col("filter", 8, (r) => r.filter),
    col("gene", 12, (r) => r.gene),
    col("geneId", 18, (r) => r.geneId),
    col("consequence", 26, (r) => r.consequence),
    col("consequences", 30, (r) => r.consequences),
    col("impact", 10, (r) => r.impact),
    col("featureType", 12, (r) => r.featureType),
    col("feature", 18, (r) => r.feature),
    col("biotype", 16, (r) => r.biotype),
    col("canonical", 9, (r) => r.canonical),
    col("hgvsC", 24, (r) => r.hgvsC),
    col("hgvsP", 20, (r) => r.hgvsP),
    col("known", 7, (r) => r.known),
    col("af", 10, (r) => r.af),
    ...populations.map((p) => col(p, 10, (r) => r.afs[p] ?? null)),
    col("clinSig", 22, (r) => r.clinSig),
    col("transcripts", 11, (r) => r.transcripts),
    col("line", 9, (r) => r.line),
  ];
}
