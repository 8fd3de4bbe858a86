/**
 * ScalingMetrics on AWS, as in AWS's "Scaling policy based on Amazon SQS": the InService
 * instances of the annotator Auto Scaling group (DescribeAutoScalingGroups) divide the queue's
 * backlog, and the result goes to CloudWatch (PutMetricData) as `GAS/BacklogPerInstance` with the
 * dimension `AutoScalingGroupName`: exactly what ansible's target-tracking policy
 * (`<prefix>-annotator-backlog`, statistic Average) reads. Every annotator publishes the same
 * figure each minute, so the average over instances is that figure.
 *
 * IAM: the annotator's instance profile needs cloudwatch:PutMetricData (namespace GAS) and
 * autoscaling:DescribeAutoScalingGroups (a read-only action with no resource-level scoping).
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { ScalingMetrics } from "../../ports/scaling-metrics.ts";

/** What ansible/roles/aws_topology/tasks/compute.yml's annotator policy tracks. */
export const BACKLOG_METRIC = { namespace: "GAS", name: "BacklogPerInstance", dimension: "AutoScalingGroupName" } as const;

export interface CloudWatchScalingMetricsOptions {
  cloudwatch: CloudWatchClient;
  autoscaling: AutoScalingClient;
  /** The annotator Auto Scaling group (`<prefix>-annotator`). */
  groupName: string;
}

/** Create the adapter. */
export function createCloudWatchScalingMetrics(opts: CloudWatchScalingMetricsOptions): ScalingMetrics {
  return {
    async annotatorInstances() {
      const r = await opts.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [opts.groupName] }));
      const group = r.AutoScalingGroups?.[0];
      if (!group) throw new Error(`Auto Scaling group ${opts.groupName} not found (set ANNOTATOR_ASG_NAME to the annotator group's name)`);
      // Pending instances are still booting and take no work yet; Terminating ones hand theirs back.
      return (group.Instances ?? []).filter((i) => i.LifecycleState === "InService").length;
    },
    async publishBacklog(s) {
      await opts.cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: BACKLOG_METRIC.namespace,
          MetricData: [
            {
              MetricName: BACKLOG_METRIC.name,
              Dimensions: [{ Name: BACKLOG_METRIC.dimension, Value: opts.groupName }],
              Timestamp: s.at,
              Value: s.perInstance,
              Unit: "Count",
            },
          ],
        }),
      );
    },
  };
}

/** The two clients, with the same region, endpoints and credentials rules as the other adapters. */
export function createScalingClients(o: {
  region: string;
  endpoint: string | null;
  endpoints: { cloudwatch?: string; autoscaling?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}) {
  const config = (endpoint: string | null | undefined) => ({
    region: o.region,
    ...(endpoint ? { endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  const cloudwatch = new CloudWatchClient(config(o.endpoints.cloudwatch ?? o.endpoint));
  const autoscaling = new AutoScalingClient(config(o.endpoints.autoscaling ?? o.endpoint));
  return {
    cloudwatch,
    autoscaling,
    destroy() {
      cloudwatch.destroy();
      autoscaling.destroy();
    },
  };
}
