/**
 * The result lifecycle as the job page and the list show it (issue 17 item 2): a free user's
 * result "available until <time> (free plan)", then ARCHIVED with the upgrade that restores it,
 * then RESTORING with its steps. Text, not colour alone, carries each state; `data-result-state`
 * is what job-live.js and the tests read.
 */
import { formatTime } from "../../../web/layout.tsx";
import { RESTORE_STEPS, type ResultLifecycle } from "../result-lifecycle.ts";

const UPGRADE = "/subscribe";

/** "Available until …" — or, once the deadline has passed and the archiver has not yet run, that it is under way. */
function Deadline(p: { until: Date; now: number }) {
  if (p.until.getTime() <= p.now) return <>being archived now (free plan)</>;
  return (
    <>
      available until <time datetime={p.until.toISOString()}>{formatTime(p.until)}</time> (free plan)
    </>
  );
}

/** The list's "Results" cell: one short line per state. */
export function ResultStateCell(p: { life: ResultLifecycle | null; now?: number }) {
  const life = p.life;
  if (!life) return <span class="text-body-secondary">—</span>;
  const now = p.now ?? Date.now();
  if (life.state === "available") {
    return (
      <span data-result-state="available">{life.availableUntil ? <Deadline until={life.availableUntil} now={now} /> : "available"}</span>
    );
  }
  if (life.state === "archived") {
    return (
      <span data-result-state="archived">
        <span class="badge text-bg-warning">ARCHIVED</span>{" "}
        {life.restoreStep ? <span class="small">restore queued</span> : <a href={UPGRADE}>upgrade to restore</a>}
      </span>
    );
  }
  return (
    <span data-result-state="restoring">
      <span class="badge text-bg-info">RESTORING</span>{" "}
      <span class="small">
        step {life.restoreStep} of {RESTORE_STEPS}
      </span>
    </span>
  );
}

const STEP_TEXT: Record<1 | 2 | 3, string> = {
  1: "Restore requested: your Premium plan asked for every archived result back.",
  2: "Thawing: the archive storage is making the files readable (from minutes to several hours, depending on the storage).",
  3: "Back: the results can be downloaded and browsed again.",
};

/** A restore under way: which step it is at, as a progress bar and a list of the steps. */
export function RestoreProgress(p: { step: 1 | 2 | 3 }) {
  return (
    <div id="restore-progress-box">
      <p class="mb-1">
        Your results are being restored from the archive. This page updates by itself when they are back, and we email you.
      </p>
      <progress id="restore-progress" max={RESTORE_STEPS} value={p.step} aria-label="Restore progress"></progress>
      <ol class="small mb-0" id="restore-steps">
        {([1, 2, 3] as const).map((s) => (
          <li
            aria-current={s === p.step ? "step" : undefined}
            class={s < p.step ? "text-body-secondary" : s === p.step ? "fw-semibold" : ""}
          >
            {STEP_TEXT[s]}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** What the job page says about the result's place in its lifecycle, beside (or instead of) the downloads. */
export function ResultLifecycleNotice(p: { life: ResultLifecycle; now?: number }) {
  const life = p.life;
  const now = p.now ?? Date.now();
  if (life.state === "available") {
    if (!life.availableUntil) return null;
    return (
      <p class="small mt-2 mb-0" id="result-deadline">
        Results <Deadline until={life.availableUntil} now={now} />. After that they are archived: the log stays readable, and{" "}
        <a href={UPGRADE}>Premium</a> keeps results available and restores archived ones.
      </p>
    );
  }
  if (life.restoreStep) return <RestoreProgress step={life.restoreStep} />;
  return (
    <p class="mb-0" id="result-archived">
      These results were moved to cold storage at the end of the free plan's retention; the log is still readable.{" "}
      <a href={UPGRADE}>Upgrade to restore</a> them: Premium restores every archived result and archives nothing.
    </p>
  );
}
