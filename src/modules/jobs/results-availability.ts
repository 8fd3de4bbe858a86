import type { Job } from "../../ports/job-store.ts";
import { AppError } from "../../shared/errors.ts";

/** Results of an archived or restoring job cannot be served (issue 5's lifecycle). */
export function assertResultsAvailable(job: Job, premium: boolean): void {
  if (job.resultState === "ARCHIVED") {
    throw new AppError(
      "PAYMENT_REQUIRED",
      premium
        ? "These results are archived and are being restored; please check back later."
        : "These results are archived. Upgrade to Premium to restore and download them.",
    );
  }
  if (job.resultState === "RESTORING") throw new AppError("CONFLICT", "These results are being restored; please check back later.");
}
