export { type JobFinished, type NotifierDeps, type NotifierMessage, type ResultRestored, createNotifier } from "./notifier.ts";
export { renderJobFinishedEmail } from "./job-finished-email.tsx";
export { addressVerificationSender, renderAddressVerificationEmail } from "./address-verification-email.tsx";
