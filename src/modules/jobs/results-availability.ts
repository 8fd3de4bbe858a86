import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";

/**
 * Results of an archived or restoring job cannot be served (issue 5's lifecycle). `viewer` is the
 * owner's plan (true: premium, false: free) or "shared": a share-link visitor can neither upgrade
 * nor restore, so they are told the owner's results are archived, not offered Premium (issue 17).
 */
export function assertResultsAvailable(job: Job, viewer: boolean | "shared"): void {
  if (job.resultState === "ARCHIVED") {
    if (viewer === "shared") {
      throw new AppError(
        "CONFLICT",
        "The owner's results are archived, so this link cannot show them now. If the owner restores them, the link works again until it expires.",
      );
    }
    throw new AppError(
      "PAYMENT_REQUIRED",
      viewer
        ? "These results are archived and are being restored; please check back later."
        : "These results are archived. Upgrade to Premium to restore and download them.",
    );
  }
  if (job.resultState === "RESTORING") {
    throw new AppError(
      "CONFLICT",
      viewer === "shared"
        ? "The owner's results are being restored from the archive; this link works again once they are back."
        : "These results are being restored; please check back later.",
    );
  }
}
