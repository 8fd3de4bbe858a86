/**
 * The harness's web app built a second time over the same container, with a logger that keeps
 * every line (the harness logs only errors, to stderr), so hostile tests can check what is
 * logged and at which level. Requests can carry a harness client's cookies (`as`), and are sent
 * exactly as given otherwise: no Origin is added, unlike the harness client. Also a helper for
 * tests that count requests against the per-minute rate limits.
 */
import { createLogger } from "../../src/shared/logger.ts";
import { createWebApp } from "../../src/roles/web/app.tsx";
import { webDepsFrom } from "../../src/roles/web/web-deps.ts";
import { ORIGIN, type WebClient, type WebHarness } from "../support/web-harness.ts";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export async function capturedApp(h: WebHarness) {
  const lines: LogLine[] = [];
  const log = createLogger("debug", { role: "web" }, (line) => lines.push(JSON.parse(line) as LogLine));
  const app = createWebApp({ ...(await webDepsFrom(h.container)), log });
  return {
    lines,
    /** One request to the app, with `as`'s session cookies when given. */
    async request(path: string, init: RequestInit = {}, as?: WebClient): Promise<Response> {
      const headers = new Headers(init.headers);
      if (as?.jar.size) headers.set("cookie", [...as.jar].map(([k, v]) => `${k}=${v}`).join("; "));
      return app.request(new URL(path, ORIGIN).toString(), { ...init, headers, redirect: "manual" });
    },
  };
}

/** Windows of the rate limits are whole wall-clock minutes: start a counted burst well inside one. */
export async function awayFromMinuteBoundary() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await Bun.sleep(left + 100);
}
