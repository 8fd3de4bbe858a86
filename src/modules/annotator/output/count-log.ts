import type { AnnotateSummary } from "./annotation-summary.ts";

/**
 * The `<name>.vcf.count.log` the job page shows. Its first lines keep the original AnnTools log's
 * wording (users of the original GAS knew it); the sections after it are what a modern annotator
 * reports: consequences per term, most severe per variant, impacts, warnings with line numbers,
 * timings.
 */
export function renderCountLog(s: AnnotateSummary): string {
  const pct = (n: number) => (s.alleles ? ((100 * n) / s.alleles).toFixed(1) : "0.0");
  const lines: string[] = [
    `## GAS annotation log: ${s.input}`,
    `## Reference: ${s.reference}`,
    "## Please notice that all Isoforms were counted",
    "## Numbers may exceed number of variants in the annotated file",
    `Total: ${s.alleles}`,
    `Records: ${s.records}`,
    `Known variants: ${s.known} (${pct(s.known)}%)`,
    `Novel variants: ${s.novel} (${pct(s.novel)}%)`,
    `Skipped alleles: ${s.skipped}`,
    "",
    "Consequences (every term, all isoforms counted):",
    ...table(s.byConsequence),
    "",
    "Most severe consequence per variant:",
    ...table(s.byMostSevere),
    "",
    "Impact (highest per variant):",
    ...table(s.byImpact),
    "",
    `Warnings: ${s.warningsTotal}`,
    ...s.warnings.map((w) => `  ${w}`),
    ...(s.warningsTotal > s.warnings.length ? [`  … ${s.warningsTotal - s.warnings.length} more not shown`] : []),
    "",
    `Time: ${s.seconds.toFixed(3)} s`,
    `Speed: ${s.variantsPerSecond} variants/s`,
    "",
  ];
  return lines.join("\n");
}

function table(counts: Record<string, number>): string[] {
  const keys = Object.keys(counts);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `  In ${k.padEnd(width)} ${counts[k]}`);
}
