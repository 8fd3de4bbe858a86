/**
 * A worker's METRICS_PORT already taken (a second annotator on the same host, or another
 * program): start-up fails with a message naming METRICS_PORT, the role and the port, not Bun's
 * bare EADDRINUSE.
 */
import { afterEach, expect, test } from "bun:test";
import { createLogger } from "../shared/logger.ts";
import { createGasMetrics } from "./gas-metrics.ts";
import { type WorkerMetricsContext, serveWorkerMetrics } from "./metrics-http.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const context = (port: number): WorkerMetricsContext =>
  ({
    metrics: createGasMetrics({ defaultMetrics: false }),
    config: { metrics: { port, host: "127.0.0.1", token: null } },
  }) as unknown as WorkerMetricsContext;

test("a second process of one role on the same METRICS_PORT: a message naming the variable and the port", async () => {
  const log = createLogger("error", {});
  const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("other") });
  cleanups.push(() => taken.stop(true));
  const port = taken.port!;
  expect(() => serveWorkerMetrics(context(port), "annotator", log)).toThrow(
    new RegExp(`METRICS_PORT: the annotator role's metrics port 127\\.0\\.0\\.1:${port} \\(METRICS_PORT=${port}\\) is in use`),
  );
  // The archiver's port is METRICS_PORT + 1: the message says so.
  expect(() => serveWorkerMetrics(context(port - 1), "archiver", log)).toThrow(`(METRICS_PORT=${port - 1} + 1) is in use`);
  // Once the other process is gone, the same port starts.
  await taken.stop(true);
  cleanups.push(serveWorkerMetrics(context(port), "annotator", log));
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
});
