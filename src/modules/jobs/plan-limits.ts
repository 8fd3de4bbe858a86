/**
 * What each plan allows (issue 13 item 4), and the words a user reads when a limit stops them.
 * The numbers come from the environment (FREE_* and PREMIUM_* in src/config.ts); 0 is no limit.
 *
 * - Input: decompressed bytes and variants per job, checked by the engine while the file streams:
 *   the job ends FAILED naming the limit, and nothing of it is stored.
 * - Stored results: the bytes of a user's results in the results store (archived results have
 *   left it). At or over the quota, new submissions are refused (403 naming it), and a job that
 *   was already queued ends FAILED with the same words when it would start: a user expects a
 *   full quota to stop new work before it runs, not after. A job that starts under the quota
 *   completes even if its results take the user over.
 * - Running jobs: a user's jobs running at once, across every annotator (the annotator defers the
 *   others; they wait in the queue, PENDING).
 */
import type { InputLimits } from "../annotator/index.ts";
import type { Tier } from "../accounts/index.ts";

export interface PlanLimits {
  /** Decompressed bytes of one job's input (0: none). */
  maxInputBytes: number;
  /** Variants (VCF data lines) in one job's input (0: none). */
  maxVariants: number;
  /** Bytes of results a user may keep in the results store (0: none). */
  maxResultBytes: number;
  /** A user's jobs running at once (at least 1). */
  maxRunningJobs: number;
}

export type Plans = Record<Tier, PlanLimits>;

const planName = (tier: Tier) => (tier === "premium" ? "Premium plan" : "free plan");
const upgrade = (tier: Tier, what: string) => (tier === "free" ? ` Upgrade to Premium to ${what}.` : "");

/** The engine's limits for a job of a user on `tier` (undefined: none). */
export function inputLimits(plans: Plans, tier: Tier): InputLimits | undefined {
  const p = plans[tier];
  if (!p.maxInputBytes && !p.maxVariants) return undefined;
  return {
    maxInputBytes: p.maxInputBytes,
    maxRecords: p.maxVariants,
    setBy: planName(tier),
    advice: upgrade(tier, "annotate larger files").trim() || undefined,
  };
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0)} MB`;

/** Why a user with `resultBytes` stored may not start another job, or null when they may. */
export function resultQuotaProblem(plans: Plans, tier: Tier, resultBytes: number, archiveAfterSeconds: number): string | null {
  const max = plans[tier].maxResultBytes;
  if (!max || resultBytes < max) return null;
  const room =
    tier === "free"
      ? ` Room is made as results are archived (${Math.round(archiveAfterSeconds / 60) || 1} min after each job completes).`
      : "";
  return `${planName(tier)}: at most ${mb(max)} of stored results per user; yours take ${mb(resultBytes)}, so no new job can start.${room}${upgrade(tier, "store more")}`;
}
