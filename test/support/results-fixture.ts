/**
 * An input for the results browser's tests: the demo VCF (132 records over chr21 with ClinVar and
 * population frequencies in the demo's known-variants file) with what the browser filters on
 * added: FILTER values (every fifth record LowQual), a second sample whose genotypes cycle through
 * het, hom-alt, hom-ref and missing, and two records the engine skips (a contig the reference
 * lacks, a symbolic ALT), at known line numbers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const DEMO_VCF = join(import.meta.dir, "..", "..", "data", "demo", "vcf", "test.vcf");

/** The second sample's genotype of data record `i` (0-based). */
export const SECOND_SAMPLE = "NA12878";
export const secondSampleGt = (i: number) => ["0/1", "1/1", "0/0", "./."][i % 4]!;
export const filterOf = (i: number) => (i % 5 === 0 ? "LowQual" : "PASS");

export interface ResultsFixture {
  text: string;
  /** 1-based input lines of the two skipped records. */
  skippedLines: number[];
  records: number;
}

export function resultsFixtureVcf(): ResultsFixture {
  const lines = readFileSync(DEMO_VCF, "utf8").trimEnd().split("\n");
  const out: string[] = [];
  let i = 0;
  for (const line of lines) {
    if (line.startsWith("##")) out.push(line);
    else if (line.startsWith("#CHROM")) {
      out.push('##FILTER=<ID=LowQual,Description="Low quality">');
      out.push(`${line}\t${SECOND_SAMPLE}`);
    } else {
      const cols = line.split("\t");
      cols[6] = filterOf(i);
      cols.push(secondSampleGt(i));
      out.push(cols.join("\t"));
      i++;
    }
  }
  out.push(["chrUn_gas_test", "100", ".", "A", "G", ".", "PASS", ".", "GT", "0/1", "0/1"].join("\t"));
  // A deletion with neither END nor SVLEN: its extent is unknown, so the engine skips it (a sized
  // <DEL> is annotated as VEP annotates structural variants).
  out.push(["21", "25600000", ".", "A", "<DEL>", ".", "PASS", "SVTYPE=DEL", "GT", "0/1", "0/1"].join("\t"));
  return { text: `${out.join("\n")}\n`, skippedLines: [out.length - 1, out.length], records: i + 2 };
}
