/**
 * Who may read /metrics, and the small HTTP server of worker-only processes (annotator,
 * archiver, notifier have no web port): GET /healthz, /readyz and /metrics on METRICS_PORT.
 * Plain Bun.serve, not Hono: a worker process never loads the web stack.
 *
 * Access: with METRICS_TOKEN set, every /metrics needs `Authorization: Bearer <token>`. Without
 * it, the worker port answers anyone (it is not behind the load balancer; bind METRICS_HOST to a
 * private address), and the web port answers only outside production: in production the web
 * port faces the internet through the ALB, so there /metrics stays hidden (404) until a token
 * is configured.
 */
import { NotReadyError, type ReadinessContext, checkReady, readinessChecks } from "./readiness.ts";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "../shared/logger.ts";
import type { GasMetrics } from "./gas-metrics.ts";

export type MetricsAccess = "allowed" | "unauthorized" | "hidden";

/** Decide from the request's Authorization header. */
export function metricsAccess(
  opts: { token: string | null; openWithoutToken: boolean },
  authorization: string | null | undefined,
): MetricsAccess {
  if (!opts.token) return opts.openWithoutToken ? "allowed" : "hidden";
  const m = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) return "unauthorized";
  // Compare digests: equal lengths for timingSafeEqual, and no early exit on the first wrong byte.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(opts.token)) ? "allowed" : "unauthorized";
}

/** The /metrics response for a decision. */
export async function metricsResponse(m: GasMetrics, access: MetricsAccess): Promise<Response> {
  if (access === "hidden") return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  if (access === "unauthorized") {
    return new Response("Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n", {
      status: 401,
      headers: { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"' },
    });
  }
  const { body, contentType } = await m.render();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}

export interface MetricsServerOptions {
  metrics: GasMetrics;
  host: string;
  port: number;
  token: string | null;
  /** Dependency check for /readyz (throws when not ready). */
  ready: () => Promise<void>;
  log: Logger;
}

/** Serve /healthz, /readyz and /metrics. Returns the bound URL and a stop function. */
export function startMetricsServer(opts: MetricsServerOptions): { url: string; stop(): Promise<void> } {
  const json = (body: unknown, status = 200) => Response.json(body, { status });
  const server = Bun.serve({
    hostname: opts.host,
    port: opts.port,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (req.method !== "GET" && req.method !== "HEAD") return json({ error: "method not allowed" }, 405);
      if (path === "/healthz") return json({ status: "ok" });
      if (path === "/readyz") {
        try {
          await opts.ready();
          return json({ status: "ready" });
        } catch (err) {
          opts.log.warn("not ready", { err });
          return json({ status: "unavailable", ...(err instanceof NotReadyError ? { failed: err.failed } : {}) }, 503);
        }
      }
      if (path === "/metrics")
        return metricsResponse(
          opts.metrics,
          metricsAccess({ token: opts.token, openWithoutToken: true }, req.headers.get("authorization")),
        );
      return json({ error: "not found" }, 404);
    },
  });
  return {
    url: `http://${server.hostname}:${server.port}`,
    async stop() {
      await server.stop(false);
    },
  };
}

/** A worker-only process listens on METRICS_PORT plus its role's offset, so one env file serves every unit on a box. */
export const WORKER_METRICS_PORT_OFFSETS = { annotator: 0, archiver: 1, notifier: 2 } as const;

/** What `serveWorkerMetrics` needs from the container. */
export interface WorkerMetricsContext extends ReadinessContext {
  metrics: GasMetrics;
  config: { metrics: { port: number | null; host: string; token: string | null } };
}

/**
 * A worker role's metrics endpoint: started when METRICS_PORT is set and no other role of this
 * process serves /metrics already (with --role=all the web port does). Returns its stop function.
 */
export function serveWorkerMetrics(
  c: WorkerMetricsContext,
  role: keyof typeof WORKER_METRICS_PORT_OFFSETS,
  log: Logger,
): () => Promise<void> {
  const { port, host, token } = c.config.metrics;
  if (port === null || !c.metrics.claimEndpoint()) return async () => {};
  const offset = WORKER_METRICS_PORT_OFFSETS[role];
  let server: ReturnType<typeof startMetricsServer>;
  try {
    server = startMetricsServer({
      metrics: c.metrics,
      host,
      port: port + offset,
      token,
      ready: () => checkReady(readinessChecks(c, [role])),
      log,
    });
  } catch (err) {
    // Two processes of one role on a host (or another program) on the port: say which variable
    // to change instead of Bun's bare EADDRINUSE.
    if ((err as { code?: string }).code !== "EADDRINUSE") throw err;
    throw new Error(
      `METRICS_PORT: the ${role} role's metrics port ${host}:${port + offset} (METRICS_PORT=${port}${offset ? ` + ${offset}` : ""}) is in use by another process. ` +
        "Each process on a host needs its own: give a second process of the same role another METRICS_PORT (e.g. in a systemd drop-in), or leave METRICS_PORT unset for it.",
    );
  }
  log.info("metrics listening", { url: server.url, paths: ["/healthz", "/readyz", "/metrics"] });
  return () => server.stop();
}
