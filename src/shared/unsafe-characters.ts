/**
 * Characters refused in any one-line text a user gives us (file names, job names, profile fields).
 * They are invisible or misleading where the text is shown (lists, emails, download headers), and
 * PostgreSQL cannot store NUL in a text column at all: a profile name holding U+0000 used to end
 * in a 500 (schemathesis, CI of f40bad7).
 */
import type { z } from "zod";

/** C0 (with NUL), DEL and C1 control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this finds
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Text-direction overrides: U+202E shows `evil\u202Efdv.exe` as `evilexe.vdf`. */
export const TEXT_DIRECTION_CHARACTER = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * `text` refusing both kinds and lone surrogates, each with its own message (after `label: ` when a
 * label is given): one rule for every one-line field of a form or a JSON body.
 */
export function refusingUnsafeCharacters(text: z.ZodString, label?: string): z.ZodString {
  const p = label === undefined ? "" : `${label}: `;
  return text
    .refine((s) => !CONTROL_CHARACTER.test(s), `${p}must not contain control characters`)
    .refine((s) => !TEXT_DIRECTION_CHARACTER.test(s), `${p}must not contain text-direction characters`)
    .refine((s) => s.isWellFormed(), `${p}must be valid Unicode`);
}
