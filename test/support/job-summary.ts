/**
 * A finished job's summary for tests that need a COMPLETED job but not what the engine found:
 * one record, one novel allele, no consequences; any field can be overridden.
 */
import type { JobSummary } from "../../src/ports/job-store.ts";

export function jobSummary(overrides: Partial<JobSummary> = {}): JobSummary {
  return {
    records: 1,
    alleles: 1,
    known: 0,
    novel: 1,
    skipped: 0,
    byMostSevere: {},
    byConsequence: {},
    byImpact: {},
    warnings: [],
    warningsTotal: 0,
    seconds: 0.1,
    variantsPerSecond: 10,
    ...overrides,
  };
}
