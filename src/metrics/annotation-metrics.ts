/**
 * Annotation throughput from the job store's point of view: a JobStore whose successful
 * `complete` also counts the job's alleles (gas_annotated_variants_total) and its engine time
 * (gas_annotation_seconds). `complete` succeeds once per job (a conditional write), so a
 * redelivered or taken-over job is never counted twice.
 */
import type { JobStore } from "../ports/job-store.ts";
import type { GasMetrics } from "./gas-metrics.ts";

/** Wrap `store` for the annotator role. */
export function countingAnnotations(store: JobStore, m: Pick<GasMetrics, "annotatedVariants" | "annotationSeconds">): JobStore {
  return {
    ...store,
    async complete(id, token, fields) {
      const done = await store.complete(id, token, fields);
      if (done) {
        m.annotatedVariants.inc(fields.summary.alleles);
        m.annotationSeconds.observe(fields.summary.seconds);
      }
      return done;
    },
  };
}
