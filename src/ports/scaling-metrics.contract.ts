/** ScalingMetrics contract: every adapter (Prometheus gauge, CloudWatch) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { BacklogSample, ScalingMetrics } from "./scaling-metrics.ts";

export interface ScalingMetricsHarness {
  metrics: ScalingMetrics;
  /** How many annotator instances the adapter should see (the harness set them up). */
  expectedInstances: number;
  /** The latest backlog per instance published, read back from where it went (null: none yet). */
  latest(): Promise<number | null>;
  /** Whether this instance is protected from scale-in now, read back from where the group keeps it. */
  protectedNow(): Promise<boolean>;
  close(): Promise<void>;
}

const sample = (waiting: number, instances: number, at = new Date()): BacklogSample => ({
  waiting,
  instances,
  perInstance: waiting / instances,
  at,
});

/** Register the contract tests for one adapter. */
export function scalingMetricsContract(name: string, open: () => Promise<ScalingMetricsHarness>) {
  describe(`ScalingMetrics contract: ${name}`, () => {
    let h: ScalingMetricsHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(() => h.close());

    test("annotatorInstances counts the instances serving the queue", async () => {
      expect(await h.metrics.annotatorInstances()).toBe(h.expectedInstances);
    });

    test("a published backlog per instance can be read back where the autoscaler reads it; the latest wins", async () => {
      const now = Date.now();
      expect(await h.latest()).toBeNull();
      await h.metrics.publishBacklog(sample(9, 2, new Date(now - 60_000)));
      expect(await h.latest()).toBe(4.5);
      await h.metrics.publishBacklog(sample(0, 3, new Date(now)));
      expect(await h.latest()).toBe(0);
    });

    test("scale-in protection is set, kept when set again, and cleared", async () => {
      expect(await h.protectedNow()).toBe(false);
      expect(await h.metrics.setScaleInProtection(true)).toBe(true);
      expect(await h.protectedNow()).toBe(true);
      expect(await h.metrics.setScaleInProtection(true)).toBe(true);
      expect(await h.protectedNow()).toBe(true);
      expect(await h.metrics.setScaleInProtection(false)).toBe(true);
      expect(await h.protectedNow()).toBe(false);
    });
  });
}
