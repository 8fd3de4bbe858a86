/**
 * The process's Prometheus metrics: one prom-client Registry per container (never the library's
 * global default, so tests can build many apps in one process), with the process/runtime default
 * metrics and the metrics every role records into. Gauges that read the job store and queues at
 * scrape time are added by `registerClusterGauges` (web role); the annotator adds its backlog.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { buildInfo } from "../build-info.ts";

/** Request latency buckets (seconds): sub-millisecond static files up to slow uploads. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Annotation time buckets (seconds): a 150 KB free-tier VCF (~0.2 s) up to a genome (~10 min+). */
const ANNOTATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface GasMetrics {
  registry: Registry;
  /** gas_http_request_duration_seconds{method, route, status}: `route` is the matched pattern. */
  httpDuration: Histogram<"method" | "route" | "status">;
  /** gas_annotated_variants_total: alleles annotated in COMPLETED jobs (rate() = variants/s). */
  annotatedVariants: Counter;
  /** gas_annotation_seconds: engine time per COMPLETED job. */
  annotationSeconds: Histogram;
  /**
   * gas_malformed_messages_total{queue}: messages deleted unprocessed because they cannot be what
   * the queue carries (not JSON, no job id), each also logged with its body.
   */
  malformedMessages: Counter<"queue">;
  /**
   * True for the first caller only: the one HTTP endpoint of this process that serves /metrics
   * (the web role when it runs here, else the first worker role's metrics port).
   */
  claimEndpoint(): boolean;
  /** The exposition text and its content type. */
  render(): Promise<{ body: string; contentType: string }>;
}

/** Create the registry and the shared metrics. `defaultMetrics: false` leaves out process metrics. */
export function createGasMetrics(opts: { defaultMetrics?: boolean } = {}): GasMetrics {
  const registry = new Registry();
  // Unprefixed (process_cpu_seconds_total, nodejs_heap_size_used_bytes…): the names the usual
  // dashboards expect. Under Bun some figures are approximations of Node's (event-loop lag).
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "gas_build_info",
    help: "Always 1: the running version and commit as labels.",
    labelNames: ["version", "commit"],
    registers: [registry],
  }).set({ version: buildInfo.version, commit: buildInfo.commit }, 1);
  let claimed = false;
  return {
    registry,
    httpDuration: new Histogram({
      name: "gas_http_request_duration_seconds",
      help: "HTTP request latency by method, matched route pattern and status code.",
      labelNames: ["method", "route", "status"],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    annotatedVariants: new Counter({
      name: "gas_annotated_variants_total",
      help: "Variant alleles annotated in completed jobs (rate() gives variants per second).",
      registers: [registry],
    }),
    annotationSeconds: new Histogram({
      name: "gas_annotation_seconds",
      help: "Annotation engine time per completed job.",
      buckets: ANNOTATION_BUCKETS,
      registers: [registry],
    }),
    malformedMessages: new Counter({
      name: "gas_malformed_messages_total",
      help: "Messages deleted unprocessed because they are not what their queue carries (logged with their body).",
      labelNames: ["queue"],
      registers: [registry],
    }),
    claimEndpoint() {
      if (claimed) return false;
      claimed = true;
      return true;
    },
    async render() {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
