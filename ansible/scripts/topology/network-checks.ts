/**
 * Network checks: the VPC, a public and a private subnet in each of two zones, the internet and
 * NAT gateways with their routes, the S3 and DynamoDB gateway endpoints on the private route
 * table, and the three security groups with their ports.
 */
import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type IpPermission,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { type CheckLog, expectEqual, type TopologySpec, topologyNames } from "./topology-spec.ts";

/** Ids the compute checks compare against (empty when the network check could not find them). */
export interface NetworkIds {
  vpcId: string | null;
  publicSubnetIds: string[];
  privateSubnetIds: string[];
  securityGroupIds: { alb: string | null; web: string | null; worker: string | null };
}

const tag = (tags: { Key?: string; Value?: string }[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;

/** Run the network checks; returns the ids found for the later checks. */
export async function checkNetwork(ec2: EC2Client, spec: TopologySpec, log: CheckLog): Promise<NetworkIds> {
  const names = topologyNames(spec);
  const ids: NetworkIds = {
    vpcId: null,
    publicSubnetIds: [],
    privateSubnetIds: [],
    securityGroupIds: { alb: null, web: null, worker: null },
  };

  await log.check("network", `VPC ${names.vpc}`, async () => {
    const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: [names.vpc] }] }))).Vpcs ?? [];
    if (vpcs.length !== 1) return [`${vpcs.length} VPCs named ${names.vpc}, expected 1`];
    const vpc = vpcs[0]!;
    ids.vpcId = vpc.VpcId!;
    const problems: string[] = [];
    expectEqual(problems, "CIDR", vpc.CidrBlock, spec.vpcCidr);
    for (const attr of ["enableDnsHostnames", "enableDnsSupport"] as const) {
      const a = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: ids.vpcId, Attribute: attr }));
      const on = attr === "enableDnsHostnames" ? a.EnableDnsHostnames?.Value : a.EnableDnsSupport?.Value;
      if (!on) problems.push(`${attr} is off`);
    }
    return problems;
  });
  if (!ids.vpcId) return ids;
  const inVpc = [{ Name: "vpc-id", Values: [ids.vpcId] }];

  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? [];
  for (const tier of ["public", "private"] as const) {
    const mine = subnets.filter((s) => tag(s.Tags, "tier") === tier);
    (tier === "public" ? ids.publicSubnetIds : ids.privateSubnetIds).push(...mine.map((s) => s.SubnetId!));
    await log.check("network", `${tier} subnets in two availability zones`, () => twoZones(mine));
  }

  await log.check("network", "internet gateway attached, public route 0.0.0.0/0 through it", async () => {
    const igws =
      (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [ids.vpcId!] }] })))
        .InternetGateways ?? [];
    if (igws.length !== 1) return [`${igws.length} internet gateways attached, expected 1`];
    return routeProblems(ec2, ids.vpcId!, ids.publicSubnetIds, (r) => r.GatewayId === igws[0]!.InternetGatewayId, "the internet gateway");
  });

  const natName = spec.natPerAz
    ? "a NAT gateway in each zone's public subnet, each private subnet's 0.0.0.0/0 through its own zone's (gas_nat_per_az)"
    : "NAT gateway in a public subnet, private route 0.0.0.0/0 through it";
  await log.check("network", natName, async () => {
    const nats = ((await ec2.send(new DescribeNatGatewaysCommand({ Filter: inVpc }))).NatGateways ?? []).filter(
      (n) => n.State === "available",
    );
    if (nats.length < 1) return ["no available NAT gateway in the VPC"];
    const problems = nats.every((n) => ids.publicSubnetIds.includes(n.SubnetId!)) ? [] : ["a NAT gateway is not in a public subnet"];
    if (!spec.natPerAz) {
      const natIds = new Set(nats.map((n) => n.NatGatewayId));
      problems.push(...(await routeProblems(ec2, ids.vpcId!, ids.privateSubnetIds, (r) => natIds.has(r.NatGatewayId), "the NAT gateway")));
      return problems;
    }
    // Per zone: a zone's outage takes only its own NAT gateway, and only its own instances' egress.
    const zoneOf = new Map(subnets.map((x) => [x.SubnetId!, x.AvailabilityZone!]));
    for (const subnetId of ids.privateSubnetIds) {
      const zone = zoneOf.get(subnetId);
      const local = new Set(nats.filter((n) => zoneOf.get(n.SubnetId!) === zone).map((n) => n.NatGatewayId));
      if (local.size === 0) problems.push(`no NAT gateway in ${zone}`);
      else
        problems.push(
          ...(await routeProblems(ec2, ids.vpcId!, [subnetId], (r) => local.has(r.NatGatewayId), `the NAT gateway of ${zone}`)),
        );
    }
    return problems;
  });

  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: inVpc }))).SecurityGroups ?? [];
  const group = (g: "alb" | "web" | "worker") => groups.find((s) => s.GroupName === names.securityGroup(g));
  for (const g of ["alb", "web", "worker"] as const) ids.securityGroupIds[g] = group(g)?.GroupId ?? null;

  await log.check("network", "gateway endpoints for S3 and DynamoDB on every private subnet's route table", async () => {
    if (!ids.vpcId) return ["no VPC"];
    const endpoints =
      (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [ids.vpcId] }] }))).VpcEndpoints ?? [];
    const tables =
      (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [ids.vpcId] }] }))).RouteTables ?? [];
    const privateTables = new Set(
      tables.filter((t) => t.Associations?.some((a) => ids.privateSubnetIds.includes(a.SubnetId ?? ""))).map((t) => t.RouteTableId),
    );
    const problems: string[] = [];
    for (const service of ["s3", "dynamodb"]) {
      const name = `com.amazonaws.${spec.region}.${service}`;
      const mine = endpoints.filter(
        (x) => x.ServiceName === name && x.VpcEndpointType === "Gateway" && x.State?.toLowerCase() !== "deleted",
      );
      if (mine.length === 0) problems.push(`no ${service} gateway endpoint (${name})`);
      for (const t of privateTables)
        if (mine.length > 0 && !mine.some((e) => e.RouteTableIds?.includes(t!)))
          problems.push(`no ${service} endpoint on private route table ${t}`);
    }
    return problems;
  });

  await log.check("network", `security group ${names.securityGroup("alb")}: 443 and 80 from anywhere, nothing else`, () => {
    const sg = group("alb");
    if (!sg) return ["missing"];
    return expectInbound(sg.IpPermissions ?? [], ["tcp 443-443 from 0.0.0.0/0", "tcp 80-80 from 0.0.0.0/0"]);
  });
  await log.check("network", `security group ${names.securityGroup("web")}: 3000 from the ALB's group only`, () => {
    const sg = group("web");
    if (!sg) return ["missing"];
    return expectInbound(sg.IpPermissions ?? [], [`tcp 3000-3000 from ${ids.securityGroupIds.alb}`]);
  });
  await log.check("network", `security group ${names.securityGroup("worker")}: no inbound rule`, () => {
    const sg = group("worker");
    if (!sg) return ["missing"];
    return expectInbound(sg.IpPermissions ?? [], []);
  });
  if (spec.rds)
    await log.check("network", `security group ${names.securityGroup("db")}: PostgreSQL (5432) from the web and worker groups only`, () => {
      const sg = groups.find((x) => x.GroupName === names.securityGroup("db"));
      if (!sg) return ["missing"];
      return expectInbound(sg.IpPermissions ?? [], [
        `tcp 5432-5432 from ${ids.securityGroupIds.web}`,
        `tcp 5432-5432 from ${ids.securityGroupIds.worker}`,
      ]);
    });
  return ids;
}

function twoZones(subnets: Subnet[]): string[] {
  const zones = new Set(subnets.map((s) => s.AvailabilityZone));
  if (subnets.length !== 2 || zones.size !== 2)
    return [`${subnets.length} subnets in zones ${[...zones].join(", ") || "none"}, expected 2 in 2 zones`];
  return [];
}

/** The subnets' route table sends 0.0.0.0/0 to the expected gateway. */
async function routeProblems(
  ec2: EC2Client,
  vpcId: string,
  subnetIds: string[],
  viaGateway: (r: { GatewayId?: string; NatGatewayId?: string }) => boolean,
  gatewayName: string,
): Promise<string[]> {
  const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).RouteTables ?? [];
  const problems: string[] = [];
  for (const subnetId of subnetIds) {
    const table = tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId));
    const route = table?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    if (!table) problems.push(`${subnetId} has no route table of its own`);
    else if (!route || !viaGateway(route)) problems.push(`${subnetId}: 0.0.0.0/0 does not go through ${gatewayName}`);
  }
  return problems;
}

/** Inbound rules as "tcp <from>-<to> from <cidr or group>", compared as sets. */
function expectInbound(permissions: IpPermission[], expected: string[]): string[] {
  const actual = permissions.flatMap((p) => {
    const ports = `${p.IpProtocol} ${p.FromPort}-${p.ToPort}`;
    return [
      ...(p.IpRanges ?? []).map((r) => `${ports} from ${r.CidrIp}`),
      ...(p.UserIdGroupPairs ?? []).map((g) => `${ports} from ${g.GroupId}`),
      ...(p.Ipv6Ranges ?? []).map((r) => `${ports} from ${r.CidrIpv6}`),
    ];
  });
  const problems: string[] = [];
  expectEqual(problems, "inbound rules", [...actual].sort(), [...expected].sort());
  return problems;
}
