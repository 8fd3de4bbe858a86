/**
 * Per-run limits on what an input really holds, checked while it streams: its decompressed size
 * and its number of records. The compressed upload limit alone let a 20.8 KB gzip of repeated
 * records produce 2.15 GB of results in 34 s (issue 13 item 4). A run over a limit stops at once
 * with an AnnotationInputError naming the limit and who set it; its outputs are never committed.
 */
import { AnnotationInputError } from "./annotation-errors.ts";

export interface InputLimits {
  /** Decompressed bytes of the input file, header included (unset or 0: no limit). */
  maxInputBytes?: number;
  /** Data records (variants, counted as VCF lines) per run (unset or 0: no limit). */
  maxRecords?: number;
  /** Who sets the limits, the message's first words: "free plan". */
  setBy: string;
  /** Said after the limit, e.g. "Upgrade to Premium to annotate larger files." */
  advice?: string;
}

const n = (x: number) => x.toLocaleString("en-US");

/** Throws when `records` or `inflatedBytes` is over `limits`. */
export function checkInputLimits(limits: InputLimits | undefined, records: number, inflatedBytes: number): void {
  if (!limits) return;
  const advice = limits.advice ? ` ${limits.advice}` : "";
  if (limits.maxRecords && records > limits.maxRecords) {
    throw new AnnotationInputError(
      `${limits.setBy}: at most ${n(limits.maxRecords)} variants per job; this file has more, so it was not annotated.${advice}`,
    );
  }
  if (limits.maxInputBytes && inflatedBytes > limits.maxInputBytes) {
    throw new AnnotationInputError(
      `${limits.setBy}: at most ${n(limits.maxInputBytes)} bytes of VCF per job once decompressed; this file is larger, so it was not annotated.${advice}`,
    );
  }
}
