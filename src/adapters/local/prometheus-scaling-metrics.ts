/**
 * ScalingMetrics without an autoscaler service: the backlog per instance becomes the gauge
 * gas_backlog_per_instance (and gas_backlog_waiting, gas_backlog_instances) on the process's
 * /metrics, for Prometheus, KEDA or an operator's script to act on.
 */
import { Gauge, type Registry } from "prom-client";
import type { BacklogSample, ScalingMetrics } from "../../ports/scaling-metrics.ts";

/** Create the adapter. Its gauges join `registry` with the first sample (never a made-up 0 before). */
export function createPrometheusScalingMetrics(registry: Registry): ScalingMetrics {
  let gauges: Record<"perInstance" | "waiting" | "instances", Gauge> | null = null;
  let protectedGauge: Gauge | null = null;
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const register = () => ({
    perInstance: gauge("gas_backlog_per_instance", "Annotation requests waiting per annotator instance (the figure annotators scale on)."),
    waiting: gauge("gas_backlog_waiting", "Annotation requests waiting in the annotator queue at the last backlog sample."),
    instances: gauge("gas_backlog_instances", "Annotator instances the backlog was divided by at the last sample."),
  });
  return {
    // One box, or local fleets sharing a PostgreSQL queue, have no group to ask: each annotator
    // process reports the whole backlog as its own; divide by the number of annotator targets.
    async annotatorInstances() {
      return 1;
    },
    async publishBacklog(s: BacklogSample) {
      gauges ??= register();
      gauges.perInstance.set(s.perInstance);
      gauges.waiting.set(s.waiting);
      gauges.instances.set(s.instances);
    },
    // No group here: the gauge tells whatever scales a local fleet that this process is busy.
    async setScaleInProtection(protect) {
      protectedGauge ??= gauge("gas_scale_in_protected", "1 while this annotator runs a job and must not be scaled in, else 0.");
      protectedGauge.set(protect ? 1 : 0);
      return true;
    },
  };
}
