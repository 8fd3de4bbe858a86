/**
 * What the emails say about a job, in one place: its name (one accessor, so naming jobs is one
 * change), times a reader can take in at a glance with their time zone (never raw ISO), and the
 * counts by impact from the job's stored summary. Plain functions: the HTML and the plain-text
 * parts of every email use the same words.
 */
import type { Job, JobSummary } from "../../ports/job-store.ts";

/** The job as its owner knows it: the name they gave, else the input's file name. */
export const jobName = (job: Pick<Job, "inputFileName"> & Partial<Pick<Job, "name">>): string => job.name?.trim() || job.inputFileName;

/**
 * "Friday 2 January 2026, 03:04 UTC". GAS keeps no time zone per user, so emails say UTC and
 * say so; the weekday and the month's name make the date unambiguous in every locale.
 */
export function emailTime(d: Date, timeZone = "UTC"): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(d);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")} ${get("timeZoneName")}`;
}

/** "1 minute 5 seconds" for a restore estimate or a run time in words. */
export function emailDuration(seconds: number): string {
  // Small jobs take under a second: a tenth is worth saying there, not beyond ten seconds.
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} seconds`;
  const s = Math.round(seconds);
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  if (s < 60) return unit(s, "second");
  if (s < 3600) return [unit(Math.floor(s / 60), "minute"), s % 60 ? unit(s % 60, "second") : ""].filter(Boolean).join(" ");
  const m = Math.round((s % 3600) / 60);
  return [unit(Math.floor(s / 3600), "hour"), m ? unit(m, "minute") : ""].filter(Boolean).join(" ");
}

/** VEP's impacts, most severe first: the order the email lists them in. */
export const IMPACTS = ["HIGH", "MODERATE", "LOW", "MODIFIER"] as const;
export type Impact = (typeof IMPACTS)[number];

/** Variants by their highest impact (every impact listed, 0 when none), from the summary the job stored. */
export function impactCounts(summary: Pick<JobSummary, "byImpact"> | null): { impact: Impact; variants: number }[] | null {
  if (!summary) return null;
  return IMPACTS.map((impact) => ({ impact, variants: summary.byImpact?.[impact] ?? 0 }));
}

export const count = (n: number) => n.toLocaleString("en-US");
