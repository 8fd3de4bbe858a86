import type { Container } from "../container.ts";

/**
 * The archiver arrives with issue 5 (free users' results to the vault after ARCHIVE_AFTER, restore
 * on upgrade). Until then the role starts and does nothing; `job.completed` messages wait in the
 * `archiver` queue for it.
 */
export async function startArchiver(c: Container) {
  c.log.child({ role: "archiver" }).info("archiver not built yet (issue 5); job.completed messages wait in its queue");
  return async () => {};
}
