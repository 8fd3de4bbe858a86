/**
 * A worker-only process (`--role=annotator`) with METRICS_PORT: its own /healthz, /readyz and
 * token-guarded /metrics with the annotator's metrics and the backlog gauge; and the metrics
 * variables' validation.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import { type GasProcess, startGas } from "../../test/support/gas-process.ts";
import { freePort } from "../../test/support/free-port.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { metricsAccess } from "./metrics-http.ts";

const TOKEN = "worker-scrape-token-0123456789";

describe("worker metrics port (--role=annotator, METRICS_PORT)", () => {
  let gas: GasProcess;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`; // the annotator's offset is 0
    gas = await startGas({ role: "annotator", env: { METRICS_PORT: String(port), METRICS_TOKEN: TOKEN, BACKLOG_METRIC_SECONDS: "1" } });
    await gas.waitForLog((l) => l.msg === "metrics listening");
  }, 120_000);
  afterAll(async () => {
    expect(await gas.stop()).toBe(0);
    await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("/healthz and /readyz answer; the web port is not open", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: "ready" });
    expect(await fetch(`${gas.url}/healthz`).catch(() => null)).toBeNull();
  });

  test("/metrics needs the token, then shows the annotator's metrics and its backlog per instance", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("# TYPE gas_annotated_variants_total counter");
    expect(text).toContain("# TYPE gas_annotation_seconds histogram");
    expect(text).toMatch(/^gas_backlog_per_instance 0$/m);
    expect(text).toMatch(/^gas_backlog_instances 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    // Deployment-wide gauges belong to the web role's /metrics.
    expect(text).not.toContain("gas_jobs");
  });
});

describe("metrics configuration", () => {
  test("defaults, and every variable read", () => {
    expect(loadConfig({}).metrics).toEqual({
      token: null,
      port: null,
      host: "0.0.0.0",
      jobCountsMaxAgeSeconds: 60,
      backlogIntervalSeconds: 60,
    });
    expect(
      loadConfig({
        METRICS_TOKEN: TOKEN,
        METRICS_PORT: "9464",
        METRICS_HOST: "10.0.0.5",
        METRICS_JOB_COUNTS_SECONDS: "300",
        BACKLOG_METRIC_SECONDS: "0",
      }).metrics,
    ).toEqual({ token: TOKEN, port: 9464, host: "10.0.0.5", jobCountsMaxAgeSeconds: 300, backlogIntervalSeconds: 0 });
  });

  test("a bad value is named; a short token is refused without being echoed", () => {
    let message = "";
    try {
      loadConfig({ METRICS_TOKEN: "short-secret", METRICS_PORT: "99999" });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain("  METRICS_TOKEN: must be at least 16 characters");
    expect(message).toContain("  METRICS_PORT:");
    expect(message).not.toContain("short-secret");
  });

  test("access rules: token required when set; without one, open or hidden as the caller says", () => {
    expect(metricsAccess({ token: TOKEN, openWithoutToken: true }, undefined)).toBe("unauthorized");
    expect(metricsAccess({ token: TOKEN, openWithoutToken: true }, `Basic ${TOKEN}`)).toBe("unauthorized");
    expect(metricsAccess({ token: TOKEN, openWithoutToken: false }, `bearer ${TOKEN}`)).toBe("allowed");
    expect(metricsAccess({ token: null, openWithoutToken: true }, undefined)).toBe("allowed");
    expect(metricsAccess({ token: null, openWithoutToken: false }, `Bearer ${TOKEN}`)).toBe("hidden");
  });
});
