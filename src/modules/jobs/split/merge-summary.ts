/**
 * The engine's summaries of a split job's chunks added up into the one an unsplit run writes:
 * counts summed, maps ordered as the engine orders them (largest first, then by name; impacts in
 * their fixed order), warnings concatenated in input order with their line numbers moved to the
 * whole input's (each chunk repeats the header, so its line N is the input's line N + offset).
 */
import type { AnnotateSummary } from "../../annotator/index.ts";

/** The engine keeps this many warnings (annotation-summary.ts MAX_WARNINGS_KEPT). */
const MAX_WARNINGS_KEPT = 1000;
const IMPACTS = ["HIGH", "MODERATE", "LOW", "MODIFIER"] as const;

/** Largest first, then by name: the engine's order for count maps (sortedObject, finishCounts). */
export function sortedCounts(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** `<file>: line 12: …` in a chunk is `<file>: line 12+offset: …` in the input. */
export function shiftLineNumbers(text: string, offset: number): string {
  if (offset === 0) return text;
  return text.replace(/(^|: )line (\d+)(?=:)/, (_m, lead: string, n: string) => `${lead}line ${Number(n) + offset}`);
}

/** A chunk's summary and the data lines before it in the input. */
export interface ChunkSummary {
  summary: AnnotateSummary;
  lineOffset: number;
}

/** The whole input's summary; `seconds` is the split job's wall time. */
export function mergeSummaries(parts: readonly ChunkSummary[], seconds: number): AnnotateSummary {
  const first = parts[0]!.summary;
  const byMostSevere: Record<string, number> = {};
  const byConsequence: Record<string, number> = {};
  const impact: Record<string, number> = {};
  const warnings: string[] = [];
  let records = 0;
  let alleles = 0;
  let known = 0;
  let novel = 0;
  let skipped = 0;
  let warningsTotal = 0;
  for (const { summary: s, lineOffset } of parts) {
    records += s.records;
    alleles += s.alleles;
    known += s.known;
    novel += s.novel;
    skipped += s.skipped;
    addCounts(byMostSevere, s.byMostSevere);
    addCounts(byConsequence, s.byConsequence);
    addCounts(impact, s.byImpact);
    for (const w of s.warnings) if (warnings.length < MAX_WARNINGS_KEPT) warnings.push(shiftLineNumbers(w, lineOffset));
    warningsTotal += s.warningsTotal;
  }
  return {
    input: first.input,
    reference: first.reference,
    records,
    alleles,
    known,
    novel,
    skipped,
    byMostSevere: sortedCounts(byMostSevere),
    byConsequence: sortedCounts(byConsequence),
    byImpact: Object.fromEntries(IMPACTS.map((i) => [i, impact[i] ?? 0])) as AnnotateSummary["byImpact"],
    warnings,
    warningsTotal,
    seconds,
    variantsPerSecond: seconds > 0 ? Math.round(alleles / seconds) : 0,
  };
}
