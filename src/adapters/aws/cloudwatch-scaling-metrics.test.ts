/**
 * The ScalingMetrics contract on CloudWatch + Auto Scaling, against moto (the in-process
 * emulators have neither service). Uses GAS_TEST_AWS_ENDPOINT when set (with-moto.ts), else
 * starts `moto_server` on a free port for this file; skipped, saying so, when it is not installed.
 * Each test makes its own group (a launch configuration and two InService instances in moto) and
 * reads the published figure back with GetMetricStatistics, as the target-tracking policy would.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import { GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { scalingMetricsContract } from "../../ports/scaling-metrics.contract.ts";
import { freePort } from "../../../test/support/free-port.ts";
import { TEST_CREDENTIALS, TEST_REGION, externalEndpoint, uniqueName } from "../../../test/support/aws-emulators.ts";
import { BACKLOG_METRIC, createCloudWatchScalingMetrics, createScalingClients } from "./cloudwatch-scaling-metrics.ts";
import { fetchEc2InstanceId } from "./ec2-instance-id.ts";

setDefaultTimeout(30_000);

const motoBin = externalEndpoint ? null : Bun.which("moto_server");
const available = !!externalEndpoint || !!motoBin;
if (!available)
  console.warn('cloudwatch-scaling-metrics.test: moto_server is not on PATH (pip install "moto[server]"): CloudWatch suite skipped');

let endpoint = externalEndpoint ?? "";
let moto: ReturnType<typeof Bun.spawn> | null = null;
let clients: ReturnType<typeof createScalingClients>;

beforeAll(async () => {
  if (!available) return;
  if (!externalEndpoint) {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = Bun.spawn([motoBin!, "-H", "127.0.0.1", "-p", String(port)], { stdout: "ignore", stderr: "ignore" });
    for (const deadline = Date.now() + 30_000; ; await Bun.sleep(200)) {
      if (moto.exitCode !== null) throw new Error(`moto_server exited ${moto.exitCode}`);
      if ((await fetch(`${endpoint}/moto-api/`).catch(() => null))?.ok) break;
      if (Date.now() > deadline) throw new Error("moto_server did not answer within 30 s");
    }
  }
  clients = createScalingClients({ region: TEST_REGION, endpoint, endpoints: {}, credentials: TEST_CREDENTIALS });
});
afterAll(async () => {
  clients?.destroy();
  moto?.kill();
  await moto?.exited;
});

/** An annotator group with `instances` InService instances (moto starts them at once). */
async function makeGroup(instances: number) {
  const groupName = uniqueName("gas-annotator");
  await clients.autoscaling.send(
    new CreateLaunchConfigurationCommand({ LaunchConfigurationName: groupName, ImageId: "ami-12c6146b", InstanceType: "t3.micro" }),
  );
  await clients.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: groupName,
      LaunchConfigurationName: groupName,
      MinSize: 0,
      MaxSize: 10,
      DesiredCapacity: instances,
      AvailabilityZones: [`${TEST_REGION}a`],
    }),
  );
  return groupName;
}

/** The group's instances with their scale-in protection, as the group reports them. */
async function instancesOf(groupName: string) {
  const r = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  return (r.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => ({ id: i.InstanceId!, protected: i.ProtectedFromScaleIn === true }));
}

/** The group's data points, oldest first, as the scaling policy reads them (Average per minute). */
async function datapoints(groupName: string) {
  const r = await clients.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: BACKLOG_METRIC.namespace,
      MetricName: BACKLOG_METRIC.name,
      Dimensions: [{ Name: BACKLOG_METRIC.dimension, Value: groupName }],
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 60,
      Statistics: ["Average"],
    }),
  );
  return (r.Datapoints ?? []).sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
}

describe.if(available)("CloudWatch backlog metric", () => {
  scalingMetricsContract("CloudWatch + Auto Scaling on moto", async () => {
    const groupName = await makeGroup(2);
    const [first] = await instancesOf(groupName);
    return {
      // This process plays the group's first instance (moto has no instance metadata service).
      metrics: createCloudWatchScalingMetrics({ ...clients, groupName, instanceId: async () => first!.id }),
      expectedInstances: 2,
      async protectedNow() {
        return (await instancesOf(groupName)).find((i) => i.id === first!.id)!.protected;
      },
      async latest() {
        const points = await datapoints(groupName);
        return points.length ? points.at(-1)!.Average! : null;
      },
      close: () =>
        clients.autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: groupName, ForceDelete: true })).then(() => {}),
    };
  });

  test("the metric is GAS/BacklogPerInstance with the AutoScalingGroupName dimension, unit Count (what the ASG policy tracks)", async () => {
    const groupName = await makeGroup(1);
    const metrics = createCloudWatchScalingMetrics({ ...clients, groupName });
    await metrics.publishBacklog({ waiting: 3, instances: 1, perInstance: 3, at: new Date() });
    const listed = await clients.cloudwatch.send(
      new ListMetricsCommand({
        Namespace: "GAS",
        MetricName: "BacklogPerInstance",
        Dimensions: [{ Name: "AutoScalingGroupName", Value: groupName }],
      }),
    );
    expect(listed.Metrics?.map((m) => ({ ns: m.Namespace, name: m.MetricName, dims: m.Dimensions }))).toEqual([
      { ns: "GAS", name: "BacklogPerInstance", dims: [{ Name: "AutoScalingGroupName", Value: groupName }] },
    ]);
    expect((await datapoints(groupName)).map((p) => ({ avg: p.Average, unit: p.Unit }))).toEqual([{ avg: 3, unit: "Count" }]);
  });

  test("scale-in protection: only this instance's changes; off EC2 (no metadata service answers) nothing is called", async () => {
    const groupName = await makeGroup(2);
    const [mine, other] = await instancesOf(groupName);
    const metrics = createCloudWatchScalingMetrics({ ...clients, groupName, instanceId: async () => mine!.id });
    expect(await metrics.setScaleInProtection(true)).toBe(true);
    expect(await instancesOf(groupName)).toEqual([
      { id: mine!.id, protected: true },
      { id: other!.id, protected: false },
    ]);
    // No instance metadata (a closed port stands for the link-local address off EC2): false, at once.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const offEc2 = createCloudWatchScalingMetrics({
      ...clients,
      groupName: "gas-no-such-group",
      instanceId: () => fetchEc2InstanceId({ endpoint: closed, timeoutMs: 500 }),
    });
    const started = Date.now();
    expect(await offEc2.setScaleInProtection(true)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("an unknown group is an error naming it and the variable, not a guess", async () => {
    const metrics = createCloudWatchScalingMetrics({ ...clients, groupName: "gas-no-such-group" });
    await expect(metrics.annotatorInstances()).rejects.toThrow(/gas-no-such-group.*ANNOTATOR_ASG_NAME/);
  });
});

test("BACKLOG_METRIC is what ansible's annotator scaling policy tracks", async () => {
  const compute = await Bun.file(new URL("../../../ansible/roles/aws_topology/tasks/compute.yml", import.meta.url)).text();
  const policy = compute.slice(compute.indexOf("customized_metric_spec:"));
  expect(policy).toContain(`metric_name: ${BACKLOG_METRIC.name}`);
  expect(policy).toContain(`namespace: ${BACKLOG_METRIC.namespace}`);
  expect(policy).toContain(`Name: ${BACKLOG_METRIC.dimension}, Value: "{{ gas_aws_prefix }}-annotator"`);
});
