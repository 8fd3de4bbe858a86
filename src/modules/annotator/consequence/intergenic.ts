/** The ANN entry for an allele that no transcript (or its 5 kb flanks) covers. */
import type { Allele, Annotation } from "../model.ts";

/**
 * intergenic_variant, MODIFIER, Feature_Type `intergenic_region`. Gene and feature fields stay
 * empty: this function sees only the allele, so the neighbouring genes (SnpEff's `GENE1-GENE2`)
 * and the distance to them are the caller's to add if wanted.
 */
export function intergenicAnnotation(allele: Allele): Annotation {
  return {
    allele: allele.vcfAlt,
    consequences: ["intergenic_variant"],
    impact: "MODIFIER",
    geneName: "",
    geneId: "",
    featureType: "intergenic_region",
    featureId: "",
    biotype: "",
    rank: "",
    hgvsC: "",
    hgvsP: "",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    messages: [],
  };
}
