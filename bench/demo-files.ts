/**
 * Where the bench scripts find the repository, their output folder and the demo bundle's files
 * (data/demo: see its README), named once for every script.
 */
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..");
/** Generated inputs and outputs of the benches (git-ignored). */
export const BENCH_OUT = join(ROOT, "bench", "out");
export const DEMO = join(ROOT, "data", "demo");
export const DEMO_FASTA = join(DEMO, "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
export const DEMO_GFF3 = join(DEMO, "genes", "ensembl84.chr21.gff3.gz");
export const DEMO_GTF = join(DEMO, "genes", "ensembl84.chr21_24-27Mb.gtf.gz");
export const DEMO_KNOWN = join(DEMO, "known", "known_variants.chr21_25-26Mb.vcf.gz");
