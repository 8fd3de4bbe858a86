/**
 * What a user chooses for a job besides the file (issue 17 items 3 and 4): its name, a note, and
 * the engine's options (VEP's transcript choice, which INFO fields). One schema for every way in:
 * the upload form's redirect, a multipart POST /annotations and its JSON body, so each refuses the
 * same values with the same words.
 */
import { z } from "zod";
import { refusingUnsafeCharacters } from "../../shared/unsafe-characters.ts";
import { DEFAULT_JOB_OPTIONS, JOB_PICKS, type JobField, type JobOptions } from "../../ports/job-store.ts";

export const MAX_JOB_NAME_CHARS = 200;
export const MAX_JOB_NOTE_CHARS = 2000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: a note may hold line breaks and tabs, no other control character
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** What the engine writes for each pick mode, in words for the form and the job page. */
export const PICK_LABELS: Record<JobOptions["pick"], string> = {
  none: "Every transcript (all effects)",
  pick: "One effect per variant (VEP --pick)",
  "pick-allele": "One effect per allele (VEP --pick_allele)",
  "per-gene": "One effect per gene (VEP --per_gene)",
  "flag-pick": "All effects, VEP's choice flagged in CSQ's PICK column (--flag_pick)",
  "most-severe": "The most severe effect per allele, with every field",
};

const name = refusingUnsafeCharacters(
  z.string().trim().max(MAX_JOB_NAME_CHARS, `must be at most ${MAX_JOB_NAME_CHARS} characters`),
).describe(`What to call the job (at most ${MAX_JOB_NAME_CHARS} characters); default: the file name`);

const note = z
  .string()
  .max(MAX_JOB_NOTE_CHARS, `must be at most ${MAX_JOB_NOTE_CHARS} characters`)
  .refine((s) => !NOTE_CONTROL.test(s), "must not contain control characters other than line breaks and tabs")
  .refine((s) => s.isWellFormed(), "must be valid Unicode")
  .describe(`A note for yourself (at most ${MAX_JOB_NOTE_CHARS} characters)`);

const pick = z
  .enum(JOB_PICKS)
  .describe(
    "Which effects the ANN and CSQ fields hold: VEP's --pick, --pick_allele, --per_gene, --flag_pick, or the most severe per allele; default none (every transcript)",
  );

const fields = z
  .string()
  .regex(/^\s*(ann|csq)\s*(,\s*(ann|csq)\s*)?$/i, 'must be "ann", "csq" or "ann,csq"')
  .transform((s): JobField[] => {
    const set = new Set(
      s
        .toLowerCase()
        .split(",")
        .map((f) => f.trim()),
    );
    return (["ann", "csq"] as const).filter((f) => set.has(f));
  })
  .describe('The annotation INFO fields: "ann" (SnpEff\'s ANN), "csq" (VEP\'s CSQ) or "ann,csq" (default)');

/** An empty string (an untouched form field, `?name=`) is "not given". */
const optional = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

/** The settings fields, each optional. */
export const JobSettingsFields = {
  name: optional(name),
  note: optional(note),
  pick: optional(pick),
  fields: optional(fields),
};

export const JobSettingsSchema = z.object(JobSettingsFields);
export type JobSettingsInput = z.input<typeof JobSettingsSchema>;

/** What submit takes: a name and note (absent: the file name, none) and the options, defaults filled in. */
export interface JobSettings {
  name?: string;
  note?: string | null;
  options: JobOptions;
}

/** Parsed settings fields → JobSettings; throws a message for a combination the engine refuses. */
export function toJobSettings(parsed: z.output<typeof JobSettingsSchema>): JobSettings {
  const options: JobOptions = { pick: parsed.pick ?? DEFAULT_JOB_OPTIONS.pick, fields: parsed.fields ?? [...DEFAULT_JOB_OPTIONS.fields] };
  return {
    ...(parsed.name ? { name: parsed.name } : {}),
    ...(parsed.note?.trim() ? { note: parsed.note } : {}),
    options,
  };
}

/** Why these options cannot run together (the CLI refuses the same), or null. */
export function optionsProblem(o: JobOptions): string | null {
  if (o.pick === "flag-pick" && !o.fields.includes("csq"))
    return 'flag-pick marks entries in CSQ\'s PICK column: it needs fields "csq" or "ann,csq"';
  return null;
}

/** Settings as query parameters (the upload redirect's), defaults left out. */
export function settingsQuery(s: JobSettings): URLSearchParams {
  const q = new URLSearchParams();
  if (s.name) q.set("name", s.name);
  if (s.note) q.set("note", s.note);
  if (s.options.pick !== DEFAULT_JOB_OPTIONS.pick) q.set("pick", s.options.pick);
  if (s.options.fields.join(",") !== DEFAULT_JOB_OPTIONS.fields.join(",")) q.set("fields", s.options.fields.join(","));
  return q;
}

/** The command line that reproduces a job's options with `gas annotate` (the manifest and job page show it). */
export function cliFlags(o: JobOptions): string[] {
  const flags: string[] = [];
  if (o.fields.length !== 2) flags.push("--fields", o.fields.join(","));
  if (o.pick !== "none") flags.push(`--${o.pick}`);
  return flags;
}
