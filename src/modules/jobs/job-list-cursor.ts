/**
 * The jobs list's `?after=` parameter: where the previous page ended, as `<submit time in epoch
 * milliseconds>.<job id>` (JobStore's keyset cursor, readable in a URL). A page after it reads
 * only its own jobs, however deep the list goes.
 */
import type { JobCursor } from "../../ports/job-store.ts";

const FORM = /^(\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The message a malformed `after` gets (400). */
export const AFTER_ERROR = "The after parameter must be <milliseconds>.<job id>, as in the list's Older link.";

/** The parameter for a cursor. */
export const encodeJobCursor = (c: JobCursor): string => `${c.submitTime.getTime()}.${c.id}`;

/** The cursor of a parameter, or null when it is not one. */
export function decodeJobCursor(v: string): JobCursor | null {
  const m = FORM.exec(v);
  return m ? { submitTime: new Date(Number(m[1])), id: m[2]! } : null;
}
