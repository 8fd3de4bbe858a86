import type { Container } from "../../container.ts";
import { checkReady, readinessChecks } from "../../metrics/readiness.ts";
import type { WebDeps } from "./app.tsx";

/**
 * Origin the browser's upload form posts to when it is not this site (S3 on AWS), for the CSP's
 * form-action list. Learned from the store itself: presigning a throwaway form is local work.
 */
async function uploadOrigins(c: Container): Promise<string[]> {
  if (c.uploads) return [];
  const form = await c.ports.inputs.createUploadForm({
    key: "csp-probe/${filename}",
    keyPrefix: "csp-probe/",
    maxBytes: 1,
    successRedirect: `${c.publicUrl}/`,
    expiresInSeconds: 1,
  });
  return URL.canParse(form.url) ? [new URL(form.url).origin] : [];
}

/** The web app's dependencies from the composition root (shared by the web role and tests). */
export async function webDepsFrom(c: Container): Promise<WebDeps> {
  return {
    accounts: c.accounts,
    emailVerification: c.emailVerification,
    sessions: c.sessions,
    shares: c.shares,
    jobs: c.jobs,
    results: c.results,
    billing: c.billing,
    simulatedCheckout: c.simulatedCheckout,
    identity: c.ports.identity,
    uploads: c.uploads,
    uploadOrigins: await uploadOrigins(c),
    // Secure cookies everywhere but on a developer's http://localhost.
    session: { secret: c.config.secrets.session, secure: c.config.env !== "development" || c.publicUrl.startsWith("https:") },
    publicUrl: c.config.http.publicUrl,
    limits: { freeMaxUploadBytes: c.config.limits.freeMaxUploadBytes, archiveAfterSeconds: c.config.limits.archiveAfterSeconds },
    rateLimits: c.config.limits.rate,
    trustedProxies: c.config.http.trustedProxies,
    // The web role's backends; `startWeb` widens this to every role the process runs.
    ready: () => checkReady(readinessChecks(c, ["web"])),
    log: c.log.child({ role: "web" }),
  };
}
