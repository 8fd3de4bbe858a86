/**
 * Runs the real CLI (`bun src/main.ts …`) as a child process, the way other tools call it.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository root (this file is <repo>/src/modules/annotator/test-data/). */
export const REPO_DIR = join(import.meta.dir, "..", "..", "..");
export const MAIN_TS = join(REPO_DIR, "src", "main.ts");
export const DEMO_DIR = join(REPO_DIR, "data", "demo");
export const DEMO_FASTA = join(DEMO_DIR, "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
export const DEMO_GFF3 = join(DEMO_DIR, "genes", "ensembl84.chr21.gff3.gz");
export const DEMO_GTF = join(DEMO_DIR, "genes", "ensembl84.chr21_24-27Mb.gtf.gz");
export const DEMO_REFSEQ_GFF3 = join(DEMO_DIR, "genes", "refseq.chr21.gff3.gz");
export const DEMO_KNOWN = join(DEMO_DIR, "known", "known_variants.chr21_25-26Mb.vcf.gz");
export const DEMO_VCF_DIR = join(DEMO_DIR, "vcf");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Spawns `bun src/main.ts ARGS…` (or `bun PREFIX… ARGS…`) and collects its exit code and output. */
export async function runGas(
  args: readonly string[],
  opts: { cwd?: string; prefix?: readonly string[]; timeoutMs?: number } = {},
): Promise<CliResult> {
  const cmd = [process.execPath, ...(opts.prefix ?? [MAIN_TS]), ...args];
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? REPO_DIR,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** A fresh temporary folder for one test. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `gas-e2e-${label}-`));
}

/** File names in `dir`, hidden ones (the writers' temporary files) included, sorted. */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}
