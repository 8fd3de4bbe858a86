/**
 * The rows API's JSON (GET /annotations/{id}/rows, /shared/{token}/rows) as zod schemas, for
 * /openapi.json. Rows are loose objects: the store adds columns (frequencies per population, ClinVar)
 * without breaking clients that read the ones they know.
 */
import { z } from "zod";

const cursor = z.string().nullable().describe("Pass as `after` (next) or `before` (prev) for the neighbouring page; null at either end");

export const VariantRowSchema = z
  .looseObject({
    vid: z.number().int().describe("The variant's id in this job (input order)"),
    line: z.number().int(),
    chrom: z.string(),
    pos: z.number().int(),
    id: z.string(),
    ref: z.string(),
    alt: z.string(),
    gene: z.string(),
    geneId: z.string(),
    consequence: z.string().describe("Most severe consequence (SO term)"),
    consequences: z.string().describe("Every term of the most severe effect, `&`-joined"),
    impact: z.enum(["HIGH", "MODERATE", "LOW", "MODIFIER"]),
    featureType: z.string(),
    feature: z.string(),
    biotype: z.string(),
    hgvsC: z.string(),
    hgvsP: z.string(),
    known: z.boolean(),
    af: z.number().nullable(),
    transcripts: z.number().int().describe("Effects (variant × feature rows) of this variant"),
  })
  .meta({ id: "VariantRow" });

export const EffectRowSchema = z
  .looseObject({
    line: z.number().int(),
    chrom: z.string(),
    pos: z.number().int(),
    id: z.string(),
    ref: z.string(),
    alt: z.string(),
    consequence: z.string(),
    impact: z.string(),
    gene: z.string(),
    feature: z.string(),
    hgvsC: z.string(),
    hgvsP: z.string(),
    picked: z
      .boolean()
      .optional()
      .describe("Chosen by the job's transcript choice (pick, per-gene, flag-pick…); absent when the job made none"),
  })
  .meta({ id: "EffectRow" });

export const RowsPageResponse = z
  .object({
    view: z.enum(["variants", "transcripts"]),
    total: z.number().int().describe("Variants matching the filter (all pages)"),
    rows: z
      .array(z.union([VariantRowSchema, EffectRowSchema]))
      .describe("variants: one per variant; transcripts: every effect of the page's variants"),
    next: cursor,
    prev: cursor,
  })
  .meta({ id: "RowsPage" });
