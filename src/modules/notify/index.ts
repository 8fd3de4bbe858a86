export { type JobFinished, type NotifierDeps, createNotifier } from "./notifier.ts";
export { renderJobFinishedEmail } from "./job-finished-email.tsx";
