/**
 * Where the annotators publish the figure their fleet scales on: the queue backlog per annotator
 * instance (AWS, "Scaling policy based on Amazon SQS": ApproximateNumberOfMessages divided by the
 * Auto Scaling group's InService instances, published every minute). CloudWatch on AWS (the
 * annotator ASG's target-tracking policy reads GAS/BacklogPerInstance); a Prometheus gauge
 * locally, for whatever scales a local fleet.
 */

/** One measurement. */
export interface BacklogSample {
  /** Requests waiting in the annotator queue (visible messages; not those being worked on). */
  waiting: number;
  /** Annotator instances sharing them (at least 1). */
  instances: number;
  /** waiting / instances. */
  perInstance: number;
  at: Date;
}

export interface ScalingMetrics {
  /**
   * Annotator instances serving the queue now: the Auto Scaling group's InService instances on
   * AWS; locally there is no group and each process counts as one. Throws when the count
   * cannot be read (publishing a guess would make the group over- or under-scale).
   */
  annotatorInstances(): Promise<number>;
  /** Publish one sample (CloudWatch PutMetricData on AWS; a gauge locally). */
  publishBacklog(sample: BacklogSample): Promise<void>;
  /**
   * Protect this annotator instance from scale-in while it runs a job (true), or let the group
   * remove it again (false): a scale-in would otherwise terminate an instance mid-job. On AWS
   * autoscaling:SetInstanceProtection on this EC2 instance (its id from instance metadata); the
   * gauge gas_scale_in_protected locally. Idempotent. False when there is nothing to protect
   * (not on EC2, or the instance is not in the group), true when applied.
   */
  setScaleInProtection(protect: boolean): Promise<boolean>;
}
