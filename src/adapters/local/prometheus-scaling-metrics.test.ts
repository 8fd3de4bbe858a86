import { Registry } from "prom-client";
import { scalingMetricsContract } from "../../ports/scaling-metrics.contract.ts";
import { createPrometheusScalingMetrics } from "./prometheus-scaling-metrics.ts";

scalingMetricsContract("Prometheus gauge", async () => {
  const registry = new Registry();
  return {
    metrics: createPrometheusScalingMetrics(registry),
    expectedInstances: 1,
    async latest() {
      // Read from the exposition text, as a scraper would.
      const m = /^gas_backlog_per_instance (\S+)$/m.exec(await registry.metrics());
      return m ? Number(m[1]) : null;
    },
    async protectedNow() {
      return /^gas_scale_in_protected 1$/m.test(await registry.metrics());
    },
    close: async () => {},
  };
});
