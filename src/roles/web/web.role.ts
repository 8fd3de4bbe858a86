import type { Container } from "../../container.ts";
import { type ProcessRole, checkReady, readinessChecks } from "../../metrics/readiness.ts";
import { createWebApp } from "./app.tsx";
import { webMetricsFrom } from "./metrics-deps.ts";
import { webDepsFrom } from "./web-deps.ts";

/** Serve the web app; stop() stops accepting and lets in-flight requests finish. */
export async function startWeb(c: Container, roles: readonly ProcessRole[] = ["web"]) {
  const log = c.log.child({ role: "web" });
  // /readyz here answers for every role of the process (with --role=all, the workers' backends too).
  const ready = () => checkReady(readinessChecks(c, roles));
  const app = createWebApp({ ...(await webDepsFrom(c)), metrics: webMetricsFrom(c), ready, log });
  const server = Bun.serve({
    hostname: c.config.http.host,
    port: c.config.http.port,
    fetch: app.fetch,
    // Uploads go through here locally; premium files can be large.
    maxRequestBodySize: 1024 ** 4,
  });
  log.info("listening", { url: `http://${server.hostname}:${server.port}`, publicUrl: c.publicUrl });
  return async () => {
    await server.stop(false);
  };
}
