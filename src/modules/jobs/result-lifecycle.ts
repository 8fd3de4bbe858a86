/**
 * Where a COMPLETED job's result is in its lifecycle (AVAILABLE → ARCHIVED → RESTORING →
 * AVAILABLE), as the job page, the list, the API, the live stream and the email say it: a free
 * user's hot result is "available until <completion + ARCHIVE_AFTER>", an archived one offers the
 * upgrade that restores it, a restoring one shows how far the restore is (issue 17 item 2). One
 * function so that every view agrees on the deadline and on what may still change.
 */
import type { Job } from "../../ports/job-store.ts";

/** The result states as the API spells them (lowercase, like the rest of its enums' values). */
export const RESULT_STATES = ["available", "archived", "restoring"] as const;
export type ResultStateName = (typeof RESULT_STATES)[number];

/** Who is looking: the owner on a plan, or a share-link visitor (who cannot upgrade anything). */
export type ResultViewer = "free" | "premium" | "shared";

export interface ResultLifecycle {
  state: ResultStateName;
  /**
   * When the archiver takes a free user's result to cold storage (completion + ARCHIVE_AFTER);
   * null for premium owners (never archived), for results not in hot storage, and when the
   * archive delay is not known to this process.
   */
  availableUntil: Date | null;
  /**
   * Whether the state may still change without the viewer reloading: a free result's deadline
   * is ahead (or just passed, the archiver's turn), an archived one may be restored (the owner
   * upgrades, here or in another tab), a restore finishes. The job page keeps listening while so.
   */
  changing: boolean;
  /**
   * The restore's steps: 1 = archived and the restore queued (premium owner), 2 = the storage is
   * thawing the archive, 3 = back. Null while archived for a free owner (nothing under way).
   */
  restoreStep: 1 | 2 | 3 | null;
}

/** How many steps a restore has (ResultLifecycle.restoreStep). */
export const RESTORE_STEPS = 3;

/**
 * The lifecycle of `job`'s result for `viewer`; null unless the job is COMPLETED with a result.
 * `archiveAfterSeconds` is ARCHIVE_AFTER (null: unknown here, so no deadline is promised).
 */
export function resultLifecycle(job: Job, viewer: ResultViewer, archiveAfterSeconds: number | null): ResultLifecycle | null {
  if (job.status !== "COMPLETED" || !job.resultKey) return null;
  const free = viewer === "free";
  if (job.resultState === "ARCHIVED") {
    // A premium owner's archived result is on its way back: the upgrade asked for every restore.
    return { state: "archived", availableUntil: null, changing: true, restoreStep: viewer === "premium" ? 1 : null };
  }
  if (job.resultState === "RESTORING") return { state: "restoring", availableUntil: null, changing: true, restoreStep: 2 };
  // AVAILABLE, or null on jobs from before the lifecycle (treated as available, as the archiver does).
  const until =
    free && archiveAfterSeconds !== null && job.completeTime ? new Date(job.completeTime.getTime() + archiveAfterSeconds * 1000) : null;
  // A share-link visitor is not told the owner's plan; the owner's page keeps watching a free result.
  return { state: "available", availableUntil: viewer === "shared" ? null : until, changing: until !== null, restoreStep: null };
}

/** The lifecycle as the JSON API carries it (JobListResponse, JobDetailResponse; see jobs.api-schemas.ts). */
export function lifecycleJson(life: ResultLifecycle | null) {
  return {
    result_state: life?.state ?? null,
    available_until: life?.availableUntil?.toISOString() ?? null,
    restore: life?.restoreStep ? { step: life.restoreStep, steps: RESTORE_STEPS } : null,
  };
}
