/**
 * Which names an uploaded input may have (issue 13 item 7). A name travels into object keys
 * (`<user>/<job>~<name>`, then `<name>.annot.vcf.gz.tbi` and the like), the annotator's work
 * folder, log lines, emails and download headers, so it must fit every one of them:
 * - at most 200 bytes of UTF-8: a file name on Linux is at most 255 bytes, and the longest result
 *   name adds `.results.sqlite`; names of 214–255 characters used to fail every attempt, "a problem
 *   on our side", after five tries;
 * - no slash or backslash (a name is not a path), no `.`/`..`;
 * - no control characters (C0 with NUL, DEL, C1), and no bidirectional formatting characters
 *   (U+202E would show `evil\u202Efdv.exe` as `evilexe.vdf`), nor a lone surrogate;
 * - not empty, and no leading or trailing white space (invisible in a list of jobs).
 * Every other Unicode character is allowed: labs name files in their own languages.
 */
import { CONTROL_CHARACTER, TEXT_DIRECTION_CHARACTER } from "../../shared/unsafe-characters.ts";

export const MAX_FILE_NAME_BYTES = 200;

/** Why `name` is not allowed, in words for the user; null when it is. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return "the file has no name";
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > MAX_FILE_NAME_BYTES) return `the name is ${bytes} bytes long; at most ${MAX_FILE_NAME_BYTES} bytes (UTF-8) are allowed`;
  if (!name.isWellFormed()) return "the name is not valid Unicode";
  if (/[/\\]/.test(name)) return "a name may not contain / or \\";
  if (name === "." || name === "..") return "a name may not be . or ..";
  const control = CONTROL_CHARACTER.exec(name);
  if (control) return `the name contains the control character U+${codePoint(control[0])}`;
  const bidi = TEXT_DIRECTION_CHARACTER.exec(name);
  if (bidi) return `the name contains the text-direction character U+${codePoint(bidi[0])}, which can disguise a name`;
  if (name.trim() !== name) return "the name starts or ends with white space";
  return null;
}

const codePoint = (ch: string) => ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
