/**
 * Database and log checks: the RDS PostgreSQL instance (engine, encrypted, private, in both private
 * subnets behind its own security group, backed up, Multi-AZ as configured), its parameters
 * (max_connections, TLS only), the connection budget of the fleet at its groups' maximum sizes,
 * and the log group each role's instances ship to.
 */
import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { type CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeDBInstancesCommand, type RDSClient, paginateDescribeDBParameters } from "@aws-sdk/client-rds";
import type { NetworkIds } from "./network-checks.ts";
import { type CheckLog, expectEqual, GAS_ROLES, type TopologySpec, topologyNames } from "./topology-spec.ts";

/** The RDS instance, its parameters and the connection budget (skipped when gas_rds is off). */
export async function checkDatabase(
  rds: RDSClient,
  autoscaling: AutoScalingClient,
  spec: TopologySpec,
  net: NetworkIds,
  log: CheckLog,
): Promise<void> {
  if (!spec.rds) return;
  const names = topologyNames(spec);
  const want = spec.database;
  let parameterGroup: string | undefined;
  await log.check(
    "database",
    `RDS ${names.database}: PostgreSQL, encrypted, private, both private subnets, group ${names.securityGroup("db")}, ${want.backupDays}-day backups, Multi-AZ ${want.multiAz}`,
    async () => {
      const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: names.database }))).DBInstances![0]!;
      parameterGroup = db.DBParameterGroups?.[0]?.DBParameterGroupName;
      const problems: string[] = [];
      expectEqual(problems, "engine", db.Engine, "postgres");
      expectEqual(problems, "storage encrypted", db.StorageEncrypted, true);
      expectEqual(problems, "publicly accessible", db.PubliclyAccessible, false);
      expectEqual(problems, "Multi-AZ", db.MultiAZ ?? false, want.multiAz);
      if ((db.BackupRetentionPeriod ?? 0) < want.backupDays)
        problems.push(`backups kept ${db.BackupRetentionPeriod} days, expected ≥ ${want.backupDays}`);
      expectEqual(
        problems,
        "subnets",
        (db.DBSubnetGroup?.Subnets ?? []).map((x) => x.SubnetIdentifier).sort(),
        [...net.privateSubnetIds].sort(),
      );
      const groups = (db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId);
      if (groups.length !== 1 || groups.includes(net.securityGroupIds.web ?? "") || groups.includes(net.securityGroupIds.worker ?? ""))
        problems.push(`security groups ${JSON.stringify(groups)}, expected only ${names.securityGroup("db")}`);
      return problems;
    },
  );

  let maxConnections: number | undefined;
  await log.check(
    "database",
    `RDS ${names.database} parameters: max_connections ${want.maxConnections}, rds.force_ssl 1`,
    async () => {
      if (!parameterGroup || parameterGroup.startsWith("default."))
        return [`parameter group ${parameterGroup ?? "none"}, expected GAS's own`];
      const values = new Map<string, string | undefined>();
      for await (const page of paginateDescribeDBParameters({ client: rds }, { DBParameterGroupName: parameterGroup, Source: "user" }))
        for (const p of page.Parameters ?? []) values.set(p.ParameterName!, p.ParameterValue);
      maxConnections = Number(values.get("max_connections"));
      const problems: string[] = [];
      expectEqual(problems, "max_connections", values.get("max_connections"), String(want.maxConnections));
      expectEqual(problems, "rds.force_ssl", values.get("rds.force_ssl"), "1");
      return problems;
    },
    "rds_parameter_group",
  );

  // The budget the playbook asserts, here against what AWS holds: each group's maximum size as
  // set, and max_connections as set (the design's where the gap left the parameter unset).
  await log.check(
    "database",
    "every role's pool at its group's maximum size fits max_connections (DATABASE_POOL_MAX + 1 for LISTEN per process)",
    async () => {
      const groups =
        (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: GAS_ROLES.map(names.role) })))
          .AutoScalingGroups ?? [];
      let total = want.reservedConnections;
      const parts: string[] = [];
      for (const role of GAS_ROLES) {
        const max = groups.find((g) => g.AutoScalingGroupName === names.role(role))?.MaxSize;
        if (max === undefined) return [`no auto scaling group ${names.role(role)}`];
        total += max * (want.poolMax[role] + 1);
        parts.push(`${role} ${max} × ${want.poolMax[role] + 1}`);
      }
      const limit = maxConnections ?? want.maxConnections;
      return total <= limit ? [] : [`${parts.join(" + ")} + ${want.reservedConnections} reserved = ${total} > max_connections ${limit}`];
    },
  );
}

/** One log group per role, kept as long as configured. */
export async function checkLogGroups(logs: CloudWatchLogsClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  const found = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/${spec.prefix}/` }))).logGroups ?? [];
  for (const role of GAS_ROLES) {
    const name = names.logGroup(role);
    await log.check("logs", `log group ${name}: kept ${spec.logRetentionDays} days`, () => {
      const g = found.find((x) => x.logGroupName === name);
      if (!g) return ["missing"];
      const problems: string[] = [];
      expectEqual(problems, "retention days", g.retentionInDays, spec.logRetentionDays);
      return problems;
    });
  }
}
