/**
 * Defect 6 of issue 15: trimming must not move an indel written with spare REF out of a
 * transcript its REF span overlaps. The record is a 17-bp tandem duplication written with an
 * 18-bp REF whose last bases lie past the transcript's genomic end (as ENST00000573314's
 * 15:32388 record): on the minus strand that end is the 5′ end (today: upstream_gene_variant),
 * on the plus strand the 3′ end (today: downstream_gene_variant). Its leftmost placement inside
 * the REF is in the CDS (minus) or the 3′ UTR (plus), where VEP, keeping the REF span, calls it.
 */
import { describe, expect, test } from "bun:test";
import type { Strand } from "../model.ts";
import { buildFixture, CODING_SPEC } from "../../../../test/support/engine/transcript-fixtures.ts";
import { splitAlleles } from "../vcf/allele.ts";
import { VcfRecord } from "../vcf/vcf-reader.ts";
import { annotateTranscript } from "./annotate-transcript.ts";

describe.each([1, -1] as Strand[])("an 18-bp REF past the transcript's end, strand %d", (strand) => {
  const fx = buildFixture(CODING_SPEC, strand);
  const t = fx.transcript;
  // REF = t.end-14 .. t.end+3: the anchor, 14 transcript bases, 3 flanking bases; ALT duplicates all but the anchor.
  const pos = t.end - 14;
  const ref = fx.genome.slice(pos, pos + 17);
  const alt = ref + ref.slice(1);
  const rec = new VcfRecord(1, "T", pos, ".", ref, alt, ".", ".", ".", "");
  const [allele] = splitAlleles(rec, "T").alleles;

  test("the minimal allele keeps today's placement; the in-span one is recorded beside it", () => {
    expect(allele).toMatchObject({ start: pos + 18, end: pos + 17, ref: "", alt: ref.slice(1) });
    expect(allele!.spanLeft).toMatchObject({ start: pos + 1, end: pos, ref: "", alt: ref.slice(1) });
  });

  test("the transcript is annotated at the placement inside it, consequences and HGVS alike", () => {
    const a = annotateTranscript(allele!, t, fx.seq, fx.genome);
    // Minus: inserted between c.4 and c.5 (a frameshift; the 3′ shift writes it c.5_6ins, an
    // insertion rather than a dup since the copy reaches past the cDNA's 5′ end). Plus: between
    // c.*10 and c.*11 (cDNA 71/72), shifted 3′ to the transcript's last base.
    if (strand === -1) {
      expect(a).toMatchObject({ consequences: ["frameshift_variant"], cdsPos: "4/51", hgvsC: "c.5_6insGCGCCACCTGCAATGGC" });
    } else {
      expect(a).toMatchObject({ consequences: ["3_prime_UTR_variant"], cdnaPos: "71/85", hgvsC: "c.*24_*25insCATATGCAACTGGATCC" });
    }
    expect(a?.distance).toBe("");
  });

  test("a transcript the minimal allele already overlaps keeps it", () => {
    const inside = new VcfRecord(1, "T", pos - 20, ".", fx.genome.slice(pos - 20, pos - 3), "", ".", ".", ".", "");
    const r = inside.ref;
    const [a] = splitAlleles(new VcfRecord(1, "T", pos - 20, ".", r, r + r.slice(1), ".", ".", ".", ""), "T").alleles;
    const placed = annotateTranscript(a!, t, fx.seq, fx.genome);
    expect(placed?.cdnaPos).toBe(annotateTranscript({ ...a!, spanLeft: undefined }, t, fx.seq, fx.genome)?.cdnaPos);
  });
});
