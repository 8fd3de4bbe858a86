import type { Container } from "../container.ts";
import type { WebDeps } from "./app.tsx";

/** The web app's dependencies from the composition root (shared by the web role and tests). */
export function webDepsFrom(c: Container): WebDeps {
  return {
    accounts: c.accounts,
    sessions: c.sessions,
    shares: c.shares,
    jobs: c.jobs,
    identity: c.ports.identity,
    uploads: c.uploads,
    // Secure cookies everywhere but on a developer's http://localhost.
    session: { secret: c.config.secrets.session, secure: c.config.env !== "development" || c.publicUrl.startsWith("https:") },
    publicUrl: c.config.http.publicUrl,
    limits: { freeMaxUploadBytes: c.config.limits.freeMaxUploadBytes, archiveAfterSeconds: c.config.limits.archiveAfterSeconds },
    ready: () => c.database.ping(),
    log: c.log.child({ role: "web" }),
  };
}
