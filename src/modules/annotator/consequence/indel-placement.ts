/**
 * Which placement of an indel a transcript sees (issue 15, defect 6).
 *
 * An allele is trimmed to its minimal form common prefix first (vcf/allele.ts), which puts an
 * indel written with more REF than it needs at the right end of the written span: a 17-bp tandem
 * duplication written with an 18-bp REF lands after the REF's last base. VEP does not trim past
 * its one anchor base (Parser::VCF: "removing the prepended base … only if the same first base is
 * shared"): its VariationFeature keeps the rest of the REF span, so every transcript that span
 * overlaps is annotated as overlapped. A minimal placement cannot span, so for a transcript the
 * minimal allele misses but the span reaches, we take the leftmost equivalent placement inside
 * the span (Allele.spanLeft), and decide that transcript's consequences, HGVS and positions on it
 * alike. Every other transcript, and every record written minimally, keeps the minimal allele:
 * ordinary output does not change.
 */
import type { Allele, Transcript } from "../model.ts";

/** `allele`, or its leftmost in-span placement when only that one lies inside `t`. */
export function placementOn(allele: Allele, t: Transcript): Allele {
  const left = allele.spanLeft;
  if (left === undefined || (allele.end >= t.start && allele.start <= t.end)) return allele;
  return left.end >= t.start && left.start <= t.end ? left : allele;
}
