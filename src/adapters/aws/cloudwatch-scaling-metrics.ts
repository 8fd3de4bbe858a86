/**
 * ScalingMetrics on AWS, as in AWS's "Scaling policy based on Amazon SQS": the InService
 * instances of the annotator Auto Scaling group (DescribeAutoScalingGroups) divide the queue's
 * backlog, and the result goes to CloudWatch (PutMetricData) as `GAS/BacklogPerInstance` with the
 * dimension `AutoScalingGroupName`: exactly what ansible's target-tracking policy
 * (`<prefix>-annotator-backlog`, statistic Average) reads. Every annotator publishes the same
 * figure each minute, so the average over instances is that figure.
 *
 * While it runs a job an annotator protects its own instance from scale-in (SetInstanceProtection),
 * so the group removes idle instances when the backlog falls instead of one mid-job.
 *
 * IAM: the annotator's instance profile needs cloudwatch:PutMetricData (namespace GAS),
 * autoscaling:DescribeAutoScalingGroups (a read-only action with no resource-level scoping) and
 * autoscaling:SetInstanceProtection on the annotator group.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetInstanceProtectionCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { ScalingMetrics } from "../../ports/scaling-metrics.ts";
import { fetchEc2InstanceId } from "./ec2-instance-id.ts";

/** What ansible/roles/aws_topology/tasks/compute.yml's annotator policy tracks. */
export const BACKLOG_METRIC = { namespace: "GAS", name: "BacklogPerInstance", dimension: "AutoScalingGroupName" } as const;

export interface CloudWatchScalingMetricsOptions {
  cloudwatch: CloudWatchClient;
  autoscaling: AutoScalingClient;
  /** The annotator Auto Scaling group (`<prefix>-annotator`). */
  groupName: string;
  /** This instance's id (null: not on EC2); by default the instance metadata service's answer. */
  instanceId?: () => Promise<string | null>;
}

/** Create the adapter. */
export function createCloudWatchScalingMetrics(opts: CloudWatchScalingMetricsOptions): ScalingMetrics {
  let instance: Promise<string | null> | null = null;
  return {
    async setScaleInProtection(protect) {
      instance ??= (opts.instanceId ?? fetchEc2InstanceId)();
      const id = await instance;
      if (!id) return false; // not on EC2: no group can scale this process in
      await opts.autoscaling.send(
        new SetInstanceProtectionCommand({ AutoScalingGroupName: opts.groupName, InstanceIds: [id], ProtectedFromScaleIn: protect }),
      );
      return true;
    },
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
