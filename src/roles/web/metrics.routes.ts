/**
 * The web role's metrics: a middleware timing every request into
 * gas_http_request_duration_seconds, labelled with the matched route pattern (`/jobs/:id`, not
 * `/jobs/5f…`, so the series stay few), and GET /metrics guarded as src/metrics/metrics-http.ts says.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { type GasMetrics, metricsAccess, metricsResponse } from "../../metrics/index.ts";

export interface WebMetrics {
  metrics: GasMetrics;
  /** METRICS_TOKEN, or null. */
  token: string | null;
  /** Serve /metrics without a token (outside production). */
  openWithoutToken: boolean;
}

/**
 * The route label: the pattern of the last matched endpoint (app.get/post/…, not app.use), or
 * "unmatched" for a 404. Method-specific middleware registered on an endpoint's own path (rate
 * limits) share its pattern, so they label it the same.
 */
function routeLabel(c: Parameters<MiddlewareHandler>[0]): string {
  const endpoints = matchedRoutes(c).filter((r) => r.method !== "ALL");
  return endpoints.at(-1)?.path ?? "unmatched";
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Time every request; register first so that it sees all of them, errors included. */
export function recordHttpMetrics(m: GasMetrics): MiddlewareHandler {
  return async (c, next) => {
    const end = m.httpDuration.startTimer();
    try {
      await next();
    } finally {
      end({ method: METHODS.has(c.req.method) ? c.req.method : "OTHER", route: routeLabel(c), status: String(c.res.status) });
    }
  };
}

/** GET /metrics. Mount before the session/token middleware: the bearer here is METRICS_TOKEN, not an API token. */
export function metricsRoutes(opts: WebMetrics) {
  const app = new Hono();
  app.get("/metrics", (c) => metricsResponse(opts.metrics, metricsAccess(opts, c.req.header("authorization"))));
  return app;
}
