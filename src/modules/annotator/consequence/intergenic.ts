/** The ANN entry for an allele that no transcript (or its 5 kb flanks) covers. */
import type { Allele, Annotation } from "../model.ts";
import { AlleleEffect, toAnnotation } from "./allele-effect.ts";
import { finishTerms, SO } from "./so-terms.ts";

const INTERGENIC = finishTerms([SO.intergenic]);

/**
 * intergenic_variant, MODIFIER, Feature_Type `intergenic_region`. Gene and feature fields stay
 * empty: this function sees only the allele, so the neighbouring genes (SnpEff's `GENE1-GENE2`)
 * and the distance to them are the caller's to add if wanted.
 */
export function intergenicAnnotation(allele: Allele): Annotation {
  return toAnnotation(intergenicEffect(allele));
}

/** intergenicAnnotation as an AlleleEffect (no transcript); `into` is reset and reused when given. */
export function intergenicEffect(allele: Allele, into: AlleleEffect | null = null): AlleleEffect {
  const fx = into ?? new AlleleEffect(allele, INTERGENIC);
  fx.reset(allele, INTERGENIC, null, null);
  return fx;
}
