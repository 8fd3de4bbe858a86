import { SO_TERMS } from "../consequence/so-terms.ts";
import type { Annotation, Impact } from "../model.ts";

const IMPACT_RANK: Record<Impact, number> = { HIGH: 0, MODERATE: 1, LOW: 2, MODIFIER: 3 };
const TERM_RANK = new Map(SO_TERMS.map((t, i) => [t.term, i]));

/** What the order looks at: an Annotation, or anything with its impact and terms. */
type Ranked = Pick<Annotation, "impact" | "consequences">;

/**
 * Sort comparator for one allele's annotations, most severe first: impact, then VEP's severity
 * order of each annotation's most severe term. Impact alone is not enough: most ties are
 * MODIFIER, where an intron_variant must come before a downstream_gene_variant of another
 * transcript (the count log's "most severe consequence" and ANN's order depend on it).
 */
export function bySeverity(a: Ranked, b: Ranked): number {
  return IMPACT_RANK[a.impact] - IMPACT_RANK[b.impact] || termRank(a) - termRank(b);
}

function termRank(a: Ranked): number {
  return TERM_RANK.get(a.consequences[0] ?? "") ?? SO_TERMS.length;
}
