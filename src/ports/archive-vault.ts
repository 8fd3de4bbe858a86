/**
 * Cold storage for free users' results: S3 archive storage classes (RestoreObject) or the S3
 * Glacier vault API on AWS, a folder locally. Archived bytes cannot be read straight away: a
 * restore is started, and when the storage has thawed the archive (minutes to hours on AWS,
 * RESTORE_DELAY_SECONDS locally) the completion is announced on the `archive.restored` topic.
 * No AWS type crosses this interface; the archiver decodes announcements through
 * `readRestoreNotice`, because on AWS they arrive in the storage service's own format.
 */

/** What a restore announcement reports: which archive is readable, and the ref it was archived under. */
export interface RestoreCompleted {
  archiveId: string;
  /** The `ref` given to `archive` (the job id), carried through the storage's notification. */
  ref: string;
}

/**
 * - started: a restore began; its completion will be announced;
 * - in-progress: one is already running (nothing new started, its announcement is still to come);
 * - ready: the bytes can be read now (`readRestored`);
 * - missing: there is no such archive.
 */
export type RestoreStatus = "started" | "in-progress" | "ready" | "missing";

export interface ArchiveVault {
  /**
   * Store `body` as the archive of `ref` and return the archive id. Where the storage allows
   * it (local folder, S3 archive classes), archiving the same ref again (a retry after a crash)
   * replaces the archive and returns the same id, so a retry never leaves a second archive.
   */
  archive(ref: string, body: Uint8Array): Promise<string>;
  /** Ask for the archive's bytes back; see RestoreStatus. Starting a restore twice starts one. */
  startRestore(archiveId: string, ref: string): Promise<RestoreStatus>;
  /** The restored bytes, or null while the archive is not (yet) restored or does not exist. */
  readRestored(archiveId: string): Promise<Uint8Array | null>;
  /** Delete the archive. Idempotent. */
  delete(archiveId: string): Promise<void>;
  /** The completions one message from the `archive.restored` topic reports ([] for anything else). */
  readRestoreNotice(message: unknown): RestoreCompleted[];
}
