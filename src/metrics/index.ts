/**
 * Prometheus metrics of a GAS process: infrastructure beside db/ and web/, not a domain module.
 * One registry per process (gas-metrics.ts); the web role serves it on /metrics, worker roles on
 * METRICS_PORT (metrics-http.ts); annotators also publish their backlog per instance.
 */
export { countingAnnotations } from "./annotation-metrics.ts";
export { startBacklogReporter } from "./backlog-reporter.ts";
export { registerClusterGauges } from "./cluster-gauges.ts";
export { type GasMetrics, createGasMetrics } from "./gas-metrics.ts";
export { metricsAccess, metricsResponse, serveWorkerMetrics } from "./metrics-http.ts";
