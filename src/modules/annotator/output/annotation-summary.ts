import type { Annotation, Impact } from "../model.ts";
import { type TermSet, termSetById } from "../consequence/so-terms.ts";
import { bySeverity } from "./severity-order.ts";

/** What a run of the engine did: the figures of the count log and of the CLI's last line. */
export interface AnnotateSummary {
  input: string;
  reference: string;
  /** Data lines read. */
  records: number;
  /** ALT alleles annotated (symbolic ones excluded). */
  alleles: number;
  /** Alleles found in the known-variants file, and the rest. */
  known: number;
  novel: number;
  /** Alleles skipped (symbolic ALTs, records on contigs the reference lacks). */
  skipped: number;
  /** Most severe consequence per allele. */
  byMostSevere: Record<string, number>;
  /** Every consequence term over every allele × transcript (all isoforms counted, as the original). */
  byConsequence: Record<string, number>;
  /** Highest impact per allele. */
  byImpact: Record<Impact, number>;
  /** Warnings with the input line they come from, capped (see `warningsTotal`). */
  warnings: string[];
  warningsTotal: number;
  seconds: number;
  variantsPerSecond: number;
}

const MAX_WARNINGS_KEPT = 1000;
const IMPACT_ORDER: readonly Impact[] = ["HIGH", "MODERATE", "LOW", "MODIFIER"];

/** Accumulates the summary while the pipeline streams. */
export class SummaryCounter {
  records = 0;
  alleles = 0;
  known = 0;
  skipped = 0;
  private readonly mostSevere = new Map<string, number>();
  private readonly consequences = new Map<string, number>();
  // Per TermSet id: alleles × features with that term set, and alleles whose most severe entry
  // has it. Counting a set costs one array increment; the terms are tallied when the maps are
  // read (per-term Map updates were 3 % of the 1M-variant benchmark).
  private termSetCounts: number[] = [];
  private mostSevereSetCounts: number[] = [];
  readonly byImpact: Record<Impact, number> = { HIGH: 0, MODERATE: 0, LOW: 0, MODIFIER: 0 };
  readonly warnings: string[] = [];
  warningsTotal = 0;

  warn(message: string): void {
    this.warningsTotal++;
    if (this.warnings.length < MAX_WARNINGS_KEPT) this.warnings.push(message);
  }

  /** Every consequence term over every allele × feature. */
  get byConsequence(): Map<string, number> {
    this.foldTermSets();
    return this.consequences;
  }

  /** Most severe consequence per allele. */
  get byMostSevere(): Map<string, number> {
    this.foldTermSets();
    return this.mostSevere;
  }

  /**
   * Counts one allele's effects (effects[from..to)), already sorted most severe first (bySeverity
   * order, as the annotator sorts them): the cheap form of countAllele for the annotator's hot path.
   */
  countSortedEffects(effects: readonly { terms: TermSet }[], isKnown: boolean, from = 0, to = effects.length): void {
    this.alleles++;
    if (isKnown) this.known++;
    if (to <= from) return;
    const counts = this.termSetCounts;
    for (let i = from; i < to; i++) {
      const id = effects[i]!.terms.id;
      counts[id] = (counts[id] ?? 0) + 1;
    }
    const best = effects[from]!.terms;
    this.mostSevereSetCounts[best.id] = (this.mostSevereSetCounts[best.id] ?? 0) + 1;
    this.byImpact[best.impact]++;
  }

  private foldTermSets(): void {
    const counts = this.termSetCounts;
    for (let id = 0; id < counts.length; id++) {
      const n = counts[id];
      if (n) for (const term of termSetById(id).consequences) bump(this.consequences, term, n);
    }
    const most = this.mostSevereSetCounts;
    for (let id = 0; id < most.length; id++) {
      const n = most[id];
      if (n) bump(this.mostSevere, termSetById(id).consequences[0] ?? "unknown", n);
    }
    this.termSetCounts = [];
    this.mostSevereSetCounts = [];
  }

  /** Count one allele's annotations (all features of that allele, most severe first per entry). */
  countAllele(annotations: readonly Pick<Annotation, "impact" | "consequences">[], isKnown: boolean): void {
    this.alleles++;
    if (isKnown) this.known++;
    let best: Pick<Annotation, "impact" | "consequences"> | undefined;
    for (const a of annotations) {
      for (const term of a.consequences) bump(this.consequences, term);
      if (!best || bySeverity(a, best) < 0) best = a;
    }
    if (best) {
      bump(this.mostSevere, best.consequences[0] ?? "unknown");
      this.byImpact[best.impact]++;
    }
  }

  /** Adds the counts of another counter (a parallel worker's chunk). */
  merge(other: SummaryCounter | SerializedCounter): void {
    this.records += other.records;
    this.alleles += other.alleles;
    this.known += other.known;
    this.skipped += other.skipped;
    for (const [k, v] of entries(other.byMostSevere)) bump(this.byMostSevere, k, v);
    for (const [k, v] of entries(other.byConsequence)) bump(this.byConsequence, k, v);
    for (const k of IMPACT_ORDER) this.byImpact[k] += other.byImpact[k];
    for (const w of other.warnings) if (this.warnings.length < MAX_WARNINGS_KEPT) this.warnings.push(w);
    this.warningsTotal += other.warningsTotal;
  }

  serialize(): SerializedCounter {
    return {
      records: this.records,
      alleles: this.alleles,
      known: this.known,
      skipped: this.skipped,
      byMostSevere: [...this.byMostSevere],
      byConsequence: [...this.byConsequence],
      byImpact: { ...this.byImpact },
      warnings: this.warnings,
      warningsTotal: this.warningsTotal,
    };
  }

  finish(input: string, reference: string, seconds: number): AnnotateSummary {
    return {
      input,
      reference,
      records: this.records,
      alleles: this.alleles,
      known: this.known,
      novel: this.alleles - this.known,
      skipped: this.skipped,
      byMostSevere: sortedObject(this.byMostSevere),
      byConsequence: sortedObject(this.byConsequence),
      byImpact: { ...this.byImpact },
      warnings: [...this.warnings],
      warningsTotal: this.warningsTotal,
      seconds,
      variantsPerSecond: seconds > 0 ? Math.round(this.alleles / seconds) : 0,
    };
  }
}

/** A counter as plain data, to cross a worker boundary. */
export interface SerializedCounter {
  records: number;
  alleles: number;
  known: number;
  skipped: number;
  byMostSevere: [string, number][];
  byConsequence: [string, number][];
  byImpact: Record<Impact, number>;
  warnings: string[];
  warningsTotal: number;
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function entries(m: Map<string, number> | [string, number][]): Iterable<[string, number]> {
  return m instanceof Map ? m.entries() : m;
}

function sortedObject(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
