/**
 * ANN's Annotation terms must be terms SnpEff's readers parse. The list below is copied from
 * SnpEff's EffectType.java at tag v5.1 (EffectType.toSequenceOntology's values and the "old
 * terms" of so2efftype), independently of the mapping in snpeff-terms.ts; when Debian's snpsift
 * is installed, the same is checked live with SnpSift itself.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SO_TERMS } from "../consequence/so-terms.ts";
import type { Annotation } from "../model.ts";
import { ANN_HEADER_LINE, formatAnnEntry } from "./ann-field.ts";
import { SNPSIFT, snpSift, warnMissing } from "../../../../test/support/engine/downstream-tools.ts";
import { toSnpEffTerms, VEP_TO_SNPEFF } from "./snpeff-terms.ts";

const SNPEFF_51_TERMS = new Set([
  "3_prime_UTR_truncation",
  "3_prime_UTR_variant",
  "5_prime_UTR_premature_start_codon_gain_variant",
  "5_prime_UTR_truncation",
  "5_prime_UTR_variant",
  "TFBS_ablation",
  "TF_binding_site_variant",
  "bidirectional_gene_fusion",
  "chromosome",
  "chromosome_number_variation",
  "coding_sequence_variant",
  "conservative_inframe_deletion",
  "conservative_inframe_insertion",
  "conserved_intergenic_variant",
  "conserved_intron_variant",
  "custom",
  "disruptive_inframe_deletion",
  "disruptive_inframe_insertion",
  "downstream_gene_variant",
  "duplication",
  "exon_loss_variant",
  "exon_region",
  "feature_ablation",
  "feature_elongation",
  "feature_fusion",
  "frameshift_variant",
  "gene_fusion",
  "gene_variant",
  "initiator_codon_variant",
  "intergenic_region",
  "intragenic_variant",
  "intron_variant",
  "inversion",
  "miRNA",
  "missense_variant",
  "non_coding_transcript_exon_variant",
  "non_coding_transcript_variant",
  "protein_protein_contact",
  "rare_amino_acid_variant",
  "rearranged_at_DNA_level",
  "regulatory_region_variant",
  "sequence_feature",
  "splice_acceptor_variant",
  "splice_branch_variant",
  "splice_donor_variant",
  "splice_region_variant",
  "start_lost",
  "start_retained_variant",
  "stop_gained",
  "stop_lost",
  "stop_retained_variant",
  "structural_interaction_variant",
  "synonymous_variant",
  "transcript_ablation",
  "upstream_gene_variant",
  // so2efftype's "old terms"
  "non_coding_exon_variant",
  "inframe_insertion",
  "inframe_deletion",
  "transcript",
  "non_canonical_start_codon",
]);

warnMissing("snpeff-terms.spawn.test.ts", ["snpsift"]);

describe("ANN terms in SnpEff's vocabulary", () => {
  test("every VEP term the engine knows becomes terms SnpEff 5.1 parses, and only mapped terms change", () => {
    for (const { term } of SO_TERMS) {
      const mapped = toSnpEffTerms([term]);
      expect(mapped.length).toBe(1);
      expect(SNPEFF_51_TERMS.has(mapped[0]!), `${term} → ${mapped[0]}`).toBe(true);
      if (!(term in VEP_TO_SNPEFF)) expect(mapped).toEqual([term]);
    }
    for (const term of Object.keys(VEP_TO_SNPEFF)) expect(SNPEFF_51_TERMS.has(term), term).toBe(false);
  });

  test("order is kept, duplicates after mapping are merged, dropped terms disappear", () => {
    expect(toSnpEffTerms(["missense_variant", "splice_region_variant"])).toEqual(["missense_variant", "splice_region_variant"]);
    expect(toSnpEffTerms(["splice_donor_5th_base_variant", "intron_variant"])).toEqual(["splice_region_variant", "intron_variant"]);
    expect(
      toSnpEffTerms(["splice_region_variant", "splice_polypyrimidine_tract_variant", "intron_variant", "NMD_transcript_variant"]),
    ).toEqual(["splice_region_variant", "intron_variant"]);
    expect(toSnpEffTerms(["protein_altering_variant", "incomplete_terminal_codon_variant"])).toEqual(["coding_sequence_variant"]);
    // An NMD transcript hit with nothing more specific: SnpEff's TRANSCRIPT effect.
    expect(toSnpEffTerms(["NMD_transcript_variant"])).toEqual(["non_coding_transcript_variant"]);
  });

  test("the ANN entry carries the mapped terms; every other byte is as before", () => {
    const entry = (consequences: string[]): Annotation => ({
      allele: "A",
      consequences,
      impact: "LOW",
      geneName: "G",
      geneId: "ENSG1",
      featureType: "transcript",
      featureId: "ENST1",
      biotype: "nonsense_mediated_decay",
      rank: "3/9",
      hgvsC: "c.100-12C>A",
      hgvsP: "",
      cdnaPos: "",
      cdsPos: "",
      aaPos: "",
      distance: "",
      messages: [],
    });
    expect(formatAnnEntry(entry(["splice_polypyrimidine_tract_variant", "intron_variant", "NMD_transcript_variant"]))).toBe(
      "A|intron_variant|LOW|G|ENSG1|transcript|ENST1|nonsense_mediated_decay|3/9|c.100-12C>A||||||",
    );
    expect(formatAnnEntry(entry(["splice_region_variant", "intron_variant"]))).toBe(
      "A|splice_region_variant&intron_variant|LOW|G|ENSG1|transcript|ENST1|nonsense_mediated_decay|3/9|c.100-12C>A||||||",
    );
  });

  test.skipIf(!SNPSIFT)(
    "SnpSift 5.1 reads an ANN entry for every VEP term, and rejects the unmapped term (the check can fail)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "gas-snpeff-terms-"));
      const line = (pos: number, terms: string[]) =>
        `21\t${pos}\t.\tC\tA\t.\t.\tANN=${formatAnnEntry({
          allele: "A",
          consequences: terms,
          impact: "MODIFIER",
          geneName: "G",
          geneId: "ENSG1",
          featureType: "transcript",
          featureId: "ENST1",
          biotype: "protein_coding",
          rank: "",
          hgvsC: "",
          hgvsP: "",
          cdnaPos: "",
          cdsPos: "",
          aaPos: "",
          distance: "",
          messages: [],
        })}`;
      const header = `##fileformat=VCFv4.2\n${ANN_HEADER_LINE}\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n`;
      const all = join(dir, "all.vcf");
      writeFileSync(all, header + SO_TERMS.map((t, i) => `${line(i + 1, [t.term])}\n`).join(""));
      const ok = snpSift(["extractFields", all, "POS", "ANN[*].EFFECT"]);
      expect(ok.exitCode, ok.stderr).toBe(0);
      const effects = ok.stdout
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split("\t")[1]);
      expect(effects).toEqual(SO_TERMS.map((t) => toSnpEffTerms([t.term])[0]));

      const bad = join(dir, "bad.vcf");
      writeFileSync(bad, `${header}${line(1, ["missense_variant"]).replace("missense_variant", "splice_polypyrimidine_tract_variant")}\n`);
      const fail = snpSift(["extractFields", bad, "ANN[*].EFFECT"]);
      expect(fail.stderr).toContain("Cannot parse EffectType 'splice_polypyrimidine_tract_variant'");
    },
  );
});
