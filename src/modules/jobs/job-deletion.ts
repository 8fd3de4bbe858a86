/**
 * Deleting a job (issue 17 item 3) in two steps, because on AWS the web role may not delete
 * objects or records (issue 14, least privilege): the web role fails an unfinished job, publishes
 * `job.delete` and marks the job deleted (JobStore.markDeleted: it leaves the owner's list, pages,
 * share links and quota at once); the archiver, which holds the delete permissions, then removes
 * what the job stored (the object keys below), its archive and, last, its record.
 */
import type { Job } from "../../ports/job-store.ts";
import { indexKeyOf, resultKeys } from "./job-keys.ts";

/** Why a job was FAILED on its way to deletion (a worker holding it then finds nothing to finish). */
export const DELETED_REASON = "Deleted by its owner.";

/**
 * Every results-store key the job may have written: those recorded on it and the annotator's
 * fixed names (a result stored by a worker that lost its claim is recorded nowhere).
 */
export function resultObjectKeys(job: Job): string[] {
  const named = resultKeys(job.userId, job.id, job.inputFileName);
  return [
    ...new Set(
      [
        job.resultKey,
        job.resultKey ? indexKeyOf(job.resultKey) : null,
        job.logKey,
        job.rowsKey,
        job.manifestKey,
        ...Object.values(named),
      ].filter((k): k is string => !!k),
    ),
  ];
}
