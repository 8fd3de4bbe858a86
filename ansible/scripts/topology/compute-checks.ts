/**
 * Compute checks: the web target group (health check /healthz, liveness), the ALB (HTTPS listener, HTTP
 * redirect), one launch template and one auto scaling group per role, the two target-tracking
 * policies, and the CloudWatch alarms.
 */
import { type AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand } from "@aws-sdk/client-auto-scaling";
import { type CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { NetworkIds } from "./network-checks.ts";
import { type CheckLog, expectEqual, GAS_ROLES, type TopologySpec, topologyNames } from "./topology-spec.ts";

export interface ComputeClients {
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
  autoscaling: AutoScalingClient;
  cloudwatch: CloudWatchClient;
}

/** Load balancer, launch templates, auto scaling groups and their scaling policies. */
export async function checkCompute(c: ComputeClients, spec: TopologySpec, net: NetworkIds, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  let targetGroupArn: string | undefined;
  let albArn: string | undefined;

  await log.check("compute", `target group ${names.targetGroup}: HTTP 3000, health check /healthz (200), 20 s deregistration`, async () => {
    const tg = (await c.elb.send(new DescribeTargetGroupsCommand({ Names: [names.targetGroup] }))).TargetGroups![0]!;
    targetGroupArn = tg.TargetGroupArn;
    const problems: string[] = [];
    expectEqual(problems, "protocol:port", `${tg.Protocol}:${tg.Port}`, "HTTP:3000");
    expectEqual(problems, "VPC", tg.VpcId, net.vpcId);
    expectEqual(problems, "health check", `${tg.HealthCheckProtocol} ${tg.HealthCheckPath} ${tg.Matcher?.HttpCode}`, "HTTP /healthz 200");
    const attrs = (await c.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }))).Attributes ?? [];
    expectEqual(problems, "deregistration delay", attrs.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value, "20");
    return problems;
  });

  await log.check(
    "compute",
    `load balancer ${names.alb}: internet-facing in both public subnets, HTTPS 443 → ${names.targetGroup}, HTTP 80 → 301`,
    async () => {
      const lb = (await c.elb.send(new DescribeLoadBalancersCommand({ Names: [names.alb] }))).LoadBalancers![0]!;
      albArn = lb.LoadBalancerArn;
      const problems: string[] = [];
      expectEqual(problems, "scheme", lb.Scheme, "internet-facing");
      expectEqual(problems, "subnets", (lb.AvailabilityZones ?? []).map((z) => z.SubnetId).sort(), [...net.publicSubnetIds].sort());
      expectEqual(problems, "security groups", lb.SecurityGroups, [net.securityGroupIds.alb]);
      const listeners = (await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
      const https = listeners.find((l) => l.Port === 443);
      if (https?.Protocol !== "HTTPS") problems.push("no HTTPS listener on 443");
      else {
        if (!https.Certificates?.[0]?.CertificateArn) problems.push("HTTPS listener has no certificate");
        if (!https.SslPolicy?.startsWith("ELBSecurityPolicy-TLS13")) problems.push(`TLS policy ${https.SslPolicy}`);
        const forward = https.DefaultActions?.find((a) => a.Type === "forward");
        const forwardTo = forward?.TargetGroupArn ?? forward?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
        expectEqual(problems, "HTTPS forwards to", forwardTo, targetGroupArn);
      }
      const redirect = listeners.find((l) => l.Port === 80)?.DefaultActions?.find((a) => a.Type === "redirect")?.RedirectConfig;
      expectEqual(
        problems,
        "HTTP 80 redirect",
        redirect && `${redirect.Protocol}:${redirect.Port} ${redirect.StatusCode}`,
        "HTTPS:443 HTTP_301",
      );
      return problems;
    },
  );

  for (const role of GAS_ROLES) {
    const name = names.role(role);
    await log.check(
      "compute",
      `launch template ${name}: ${spec.instanceTypes[role]}, profile ${name}, IMDSv2, encrypted ${spec.volumeGb[role]} GB, no public IP, logs rotated and shipped`,
      async () => {
        const problems: string[] = [];
        const template = (await c.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] }))).LaunchTemplates![0]!;
        if (!log.hasGap("ec2_launch_template_tags") && !template.Tags?.some((t) => t.Key === "gas_deployment" && t.Value === spec.prefix))
          problems.push("no gas_deployment tag");
        const version = (await c.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name, Versions: ["$Latest"] })))
          .LaunchTemplateVersions![0]!;
        const d = version.LaunchTemplateData!;
        expectEqual(problems, "instance type", d.InstanceType, spec.instanceTypes[role]);
        if (!d.IamInstanceProfile?.Arn?.endsWith(`:instance-profile/${name}`))
          problems.push(`instance profile ${d.IamInstanceProfile?.Arn ?? "none"}`);
        expectEqual(
          problems,
          "IMDS tokens, hop limit",
          `${d.MetadataOptions?.HttpTokens} ${d.MetadataOptions?.HttpPutResponseHopLimit}`,
          "required 1",
        );
        const ebs = d.BlockDeviceMappings?.[0]?.Ebs;
        expectEqual(
          problems,
          "root volume",
          `${ebs?.VolumeSize} ${ebs?.VolumeType} encrypted=${ebs?.Encrypted}`,
          `${spec.volumeGb[role]} gp3 encrypted=true`,
        );
        const nic = d.NetworkInterfaces?.[0];
        expectEqual(problems, "public IP", nic?.AssociatePublicIpAddress, false);
        expectEqual(problems, "security groups", nic?.Groups, [role === "web" ? net.securityGroupIds.web : net.securityGroupIds.worker]);
        const userData = Buffer.from(d.UserData ?? "", "base64").toString("utf8");
        if (!userData.includes(`--role=${role}`) || !userData.includes(`systemctl enable --now gas-${role}.service`))
          problems.push(`user data does not start gas-${role}.service`);
        // Logs on the instance: rotated, the journal capped, shipped to the role's log group (issue 14).
        if (!userData.includes("/etc/logrotate.d/gas") || !userData.includes("/etc/systemd/journald.conf.d/gas.conf"))
          problems.push("user data neither rotates /var/log/gas nor caps the journal");
        if (
          !userData.includes(`"log_group_name": "/${spec.prefix}/${role}"`) ||
          !userData.includes("amazon-cloudwatch-agent-ctl -a fetch-config")
        )
          problems.push(`user data does not ship /var/log/gas/${role}.log to /${spec.prefix}/${role} (CloudWatch agent)`);
        return problems;
      },
    );

    await log.check(
      "compute",
      `auto scaling group ${name}: ${spec.asgSizes[role].min}–${spec.asgSizes[role].max} in both private subnets`,
      async () => {
        const g = (await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
          .AutoScalingGroups![0]!;
        const problems: string[] = [];
        expectEqual(problems, "min–max", `${g.MinSize}–${g.MaxSize}`, `${spec.asgSizes[role].min}–${spec.asgSizes[role].max}`);
        expectEqual(problems, "launch template", `${g.LaunchTemplate?.LaunchTemplateName} ${g.LaunchTemplate?.Version}`, `${name} $Latest`);
        expectEqual(problems, "subnets", (g.VPCZoneIdentifier ?? "").split(",").sort(), [...net.privateSubnetIds].sort());
        expectEqual(problems, "target groups", g.TargetGroupARNs ?? [], role === "web" ? [targetGroupArn] : []);
        expectEqual(problems, "health check", g.HealthCheckType, role === "web" ? "ELB" : "EC2");
        if (!g.Tags?.some((t) => t.Key === "gas_role" && t.Value === role && t.PropagateAtLaunch))
          problems.push("no gas_role tag propagated at launch");
        return problems;
      },
    );
  }

  await log.check("compute", `${names.role("web")} tracks ALB requests per target`, async () => {
    const p = (await c.autoscaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: names.role("web") }))).ScalingPolicies ?? [];
    const tt = p.find((x) => x.PolicyType === "TargetTrackingScaling")?.TargetTrackingConfiguration;
    const problems: string[] = [];
    expectEqual(problems, "metric", tt?.PredefinedMetricSpecification?.PredefinedMetricType, "ALBRequestCountPerTarget");
    // The label is "<ALB ARN suffix>/<target group ARN suffix>": the metric is this ALB's.
    const label = tt?.PredefinedMetricSpecification?.ResourceLabel ?? "";
    if (!albArn || !targetGroupArn || label !== `${albArn.split(":loadbalancer/")[1]}/${targetGroupArn.split(":").pop()}`)
      problems.push(`resource label ${label}`);
    if (!tt?.TargetValue) problems.push("no target value");
    return problems;
  });
  await log.check("compute", `${names.role("annotator")} tracks its backlog per instance (GAS/BacklogPerInstance)`, async () => {
    const p =
      (await c.autoscaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: names.role("annotator") }))).ScalingPolicies ?? [];
    const m = p.find((x) => x.PolicyType === "TargetTrackingScaling")?.TargetTrackingConfiguration?.CustomizedMetricSpecification;
    const problems: string[] = [];
    expectEqual(problems, "metric", `${m?.Namespace}/${m?.MetricName} ${m?.Statistic}`, "GAS/BacklogPerInstance Average");
    expectEqual(problems, "dimensions", m?.Dimensions, [{ Name: "AutoScalingGroupName", Value: names.role("annotator") }]);
    return problems;
  });
}

/** The operators' alarms, each notifying the alarm topic. */
export async function checkAlarms(cloudwatch: CloudWatchClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  const alarms = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${spec.prefix}-` }))).MetricAlarms ?? [];
  const expected: [string, string, string][] = [
    ...spec.queues.map((q): [string, string, string] => [
      `${spec.prefix}-${q.name}-dlq-not-empty`,
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
    ]),
    [`${spec.prefix}-annotator-queue-age`, "AWS/SQS", "ApproximateAgeOfOldestMessage"],
    [`${spec.prefix}-web-5xx`, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"],
    [`${spec.prefix}-web-healthy-hosts`, "AWS/ApplicationELB", "HealthyHostCount"],
  ];
  for (const [name, namespace, metric] of expected) {
    await log.check("alarms", `alarm ${name} (${namespace} ${metric}) → ${names.alarmTopic}`, () => {
      const a = alarms.find((x) => x.AlarmName === name);
      if (!a) return ["missing"];
      const problems: string[] = [];
      expectEqual(problems, "metric", `${a.Namespace} ${a.MetricName}`, `${namespace} ${metric}`);
      if (!a.AlarmActions?.some((arn) => arn.endsWith(`:${names.alarmTopic}`))) problems.push(`actions ${JSON.stringify(a.AlarmActions)}`);
      return problems;
    });
  }
}
