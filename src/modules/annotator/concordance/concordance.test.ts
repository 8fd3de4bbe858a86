/**
 * Concordance on the demo bundle: GAS against SnpEff 5.1d and bcftools csq 1.16 on the refdata's
 * test.vcf (132 real SNVs in MRPL39, JAM2, ATP5J, GABPA, APP …). Prints agreement per consequence
 * class and asserts the floors below. Where the two peers disagree, GAS follows Ensembl VEP's
 * definitions; each such place is a `normalize` rule below with the reason.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { annotateFile, openReference, type Reference } from "../index.ts";
import { compare, formatConcordance } from "./concordance-report.ts";
import { readAnnCalls, readBcsqCalls } from "./peer-outputs.ts";

const DEMO = join(import.meta.dir, "..", "..", "..", "..", "data", "demo");
let reference: Reference;
let dir: string;
let oursText: string;

beforeAll(async () => {
  reference = await openReference({ bundleDir: DEMO });
  dir = await mkdtemp(join(tmpdir(), "gas-concordance-"));
  await annotateFile({ input: join(DEMO, "vcf", "test.vcf"), reference, outputs: { vcf: join(dir, "test.annot.vcf") } });
  oursText = await Bun.file(join(dir, "test.annot.vcf")).text();
});
afterAll(async () => {
  await reference.close();
  await rm(dir, { recursive: true, force: true });
});

describe("concordance on the demo bundle", () => {
  test("with SnpEff (ANN): terms, HGVS.c, HGVS.p", async () => {
    const snpeff = readAnnCalls(await Bun.file(join(DEMO, "expected", "test.snpeff.vcf")).text());
    // SnpEff writes synonymous changes as `p.Lys315Lys`; HGVS (and VEP, and GAS) write `p.Lys315=`.
    for (const call of snpeff.values()) call.hgvsP = call.hgvsP?.replace(/^p\.([A-Z][a-z]{2})(\d+)\1$/, "p.$1$2=");
    const ours = readAnnCalls(oursText);
    const excluded = dropTranscripts(snpeff, SNPEFF_NOT_COMPARABLE);
    console.log(`not compared with SnpEff (its model differs, see SNPEFF_NOT_COMPARABLE): ${excluded} pairs`);
    for (const key of [...ours.keys()]) if (SNPEFF_NOT_COMPARABLE.some((t) => key.endsWith(`:${t}`))) ours.delete(key);
    shiftIncompleteStarts(snpeff);
    const c = compare("SnpEff", ours, snpeff, (terms) => forSnpEff(terms), { hgvs: true });
    console.log(formatConcordance(c));
    // SnpEff's database was built from the 24–27 Mb GTF: every transcript it names is in our GFF3 too.
    expect(c.onlyPeer).toEqual([]);
    // After the documented conventions below, every shared pair agrees: any difference is a regression.
    expect(c.shared).toBeGreaterThanOrEqual(690);
    expect(c.onlyOurs).toEqual([]);
    expect(c.sameTerms).toBe(c.shared);
    expect(c.hgvsC!.differences).toEqual([]);
    expect(c.hgvsP!.differences).toEqual([]);
  });

  test("with bcftools csq -l (BCSQ): coding terms and amino-acid changes", async () => {
    const bcftools = readBcsqCalls(await Bun.file(join(DEMO, "expected", "test.bcftools-csq.local.vcf")).text());
    const ours = readAnnCalls(oursText);
    // VEP numbers the partial first codon of a 5'-incomplete CDS as codon 1 (Ensembl pads the CDS
    // with N); bcftools starts at the first complete codon. GAS follows VEP: shift bcftools by one.
    for (const [key, call] of bcftools) {
      const t = reference.transcripts.all().find((x) => key.endsWith(`:${x.id}`));
      if (call.aaChange && t?.coding?.startIncomplete && t.coding.startPhase > 0) {
        call.aaChange = call.aaChange.replace(/\d+/g, (n) => String(Number(n) + 1));
      }
    }
    const c = compare("bcftools csq", ours, bcftools, (terms) => forBcftools(terms), { aminoAcids: true });
    console.log(formatConcordance(c));
    expect(c.shared).toBe(565);
    expect(c.sameTerms).toBe(c.shared);
    expect(c.aminoAcids!.differences).toEqual([]);
  });
});

/**
 * Transcripts whose model SnpEff builds differently from the GFF3, so a pair-by-pair comparison
 * says nothing about consequence calling:
 * - ENST00000419219: the GTF joins two transcripts in one `transcript_id "ENST00000419219,ENST00000419219_1"`;
 *   SnpEff keeps one odd non-coding model for both, the GFF3 (and GAS, and VEP) two coding ones.
 * - ENST00000460679: a nonsense_mediated_decay transcript with a cds_start_NF CDS; SnpEff treats
 *   it as non-coding, VEP (and GAS, and bcftools) translate it.
 */
const SNPEFF_NOT_COMPARABLE = ["ENST00000419219", "ENST00000419219_1", "ENST00000460679"];

/**
 * A 5'-incomplete CDS (cds_start_NF, GFF phase p > 0): SnpEff starts c.1 and residue 1 at the first
 * complete codon. Ensembl (genomic2cds / genomic2pep), VEP and GAS start c.1 at the first CDS base
 * and count the partial first codon as residue 1: SnpEff's c. numbers + p, residues + 1.
 */
function shiftIncompleteStarts(calls: Map<string, { hgvsC?: string; hgvsP?: string }>): void {
  for (const [key, call] of calls) {
    const t = reference.transcripts.all().find((x) => key.endsWith(`:${x.id}`));
    const phase = t?.coding?.startIncomplete ? t.coding.startPhase : 0;
    if (!phase) continue;
    call.hgvsC = call.hgvsC?.replace(/(c\.|_)(\d+)/g, (_, lead, n) => `${lead}${Number(n) + phase}`);
    call.hgvsP = call.hgvsP?.replace(/([A-Z][a-z]{2})(\d+)/g, (_, aa, n) => `${aa}${Number(n) + 1}`);
  }
}

function dropTranscripts(calls: Map<string, unknown>, ids: readonly string[]): number {
  let n = 0;
  for (const key of [...calls.keys()]) if (ids.some((t) => key.endsWith(`:${t}`))) n += Number(calls.delete(key));
  return n;
}

/**
 * GAS's ANN carries SnpEff's vocabulary (output/snpeff-terms.ts maps VEP's 105+ splice terms,
 * NMD_transcript_variant and the rest), so the terms compare as written, but for one documented
 * difference where GAS follows VEP: VEP adds `non_coding_transcript_variant` to an intron hit of
 * a non-coding transcript; SnpEff does not.
 */
function forSnpEff(terms: Set<string>): Set<string> {
  const out = new Set(terms);
  if (out.has("intron_variant")) out.delete("non_coding_transcript_variant");
  return out;
}

/**
 * bcftools csq -l names only a transcript's coding/splice/UTR effects and calls every non-coding
 * hit `non_coding`; it has no up/downstream terms (and, like ANN's SnpEff vocabulary, no
 * NMD_transcript_variant or VEP's finer splice terms).
 */
function forBcftools(terms: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const t of terms) {
    if (t === "non_coding_transcript_exon_variant" || t === "non_coding_transcript_variant") out.add("non_coding_transcript_variant");
    else out.add(t);
  }
  return out;
}
