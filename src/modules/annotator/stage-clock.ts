/**
 * Where a run's wall time goes, stage by stage (`gas annotate --timings`, printed by
 * bench/annotate.ts beside each figure): the profile to start from before changing the engine.
 *
 * The engine's loop marks the end of each stretch with `lap(stage)`; work nested inside a stretch
 * (the ANN/CSQ formatting inside annotating a record) is timed on its own with `charge` and taken
 * out of the enclosing lap, so the stages add up to the run's wall time. Laps cost two clock reads
 * per batch; the per-record `charge` of formatting costs ~2 % of a 1M-variant run, which is why it
 * is only taken when timings are asked for.
 */
export const STAGES = {
  setup: "opening the input, the reference (parsing gene models when not prepared) and the outputs",
  read: "reading, decompressing and parsing VCF records",
  reference: "loading genome windows, transcript sequences and known variants for a batch",
  annotate: "consequences and HGVS",
  known: "matching alleles against the known variants",
  format: "writing the ANN and CSQ fields",
  write: "handing output to the writer and waiting for it",
  gc: "the forced collections that keep memory flat (heap-trimmer.ts)",
  workers: "with several threads: the worker pool, all stages together",
  finish: "the summary, the log, renaming the outputs into place",
} as const;

export type Stage = keyof typeof STAGES;

export class StageClock {
  readonly seconds = Object.fromEntries(Object.keys(STAGES).map((s) => [s, 0])) as Record<Stage, number>;
  private mark = performance.now();
  /** Milliseconds charged to nested stages since the last lap. */
  private charged = 0;

  /** Charges the time since the previous lap (less what nested stages took) to `stage`. */
  lap(stage: Stage): void {
    const now = performance.now();
    this.seconds[stage] += (now - this.mark - this.charged) / 1000;
    this.mark = now;
    this.charged = 0;
  }

  /** Charges `ms` spent inside the current stretch to `stage` instead of the stretch's own stage. */
  charge(stage: Stage, ms: number): void {
    this.seconds[stage] += ms / 1000;
    this.charged += ms;
  }

  /** One line: every stage that took time, in pipeline order, and the total. */
  describe(): string {
    const parts = (Object.keys(STAGES) as Stage[]).filter((s) => this.seconds[s] >= 0.0005);
    const total = parts.reduce((n, s) => n + this.seconds[s], 0);
    return `stages (s): ${parts.map((s) => `${s} ${this.seconds[s].toFixed(2)}`).join(", ")}; total ${total.toFixed(2)}`;
  }
}
