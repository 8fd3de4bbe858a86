/**
 * Read-only check of the AWS topology `playbooks/provision_aws.yml` builds: lists every resource
 * through the AWS API and compares its settings with the design (scripts/topology/*). Only
 * Describe/Get/List calls: safe to run against production after provisioning.
 *
 *   bun ansible/scripts/check-topology.ts --suffix <gas_aws_account_suffix> [--prefix gas]
 *     [--region us-east-1] [--public-url https://gas.example.org] [--endpoint URL]
 *     [--gaps a,b | --gaps-from ansible/inventories/moto/group_vars/all.yml]
 *     [--archive-vault s3|glacier] [--nat-per-az] [--rds-multi-az] [--no-rds]
 *
 * Credentials come from the SDK's default chain (AWS_PROFILE, …). Prints one line per check and
 * exits 1 when any fails. --gaps (or the gas_emulator_gaps of --gaps-from): what an emulator
 * rehearsal left out, reported as skipped; never needed on AWS.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GlacierClient } from "@aws-sdk/client-glacier";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { checkAlarms, checkCompute } from "./topology/compute-checks.ts";
import { checkDatabase, checkLogGroups } from "./topology/database-checks.ts";
import { checkGlacierVault, checkMessaging, checkRestoreNotification, checkStorage } from "./topology/data-checks.ts";
import { checkIam } from "./topology/iam-checks.ts";
import { checkNetwork } from "./topology/network-checks.ts";
import { CheckLog, type CheckResult, defaultSpec, type TopologySpec } from "./topology/topology-spec.ts";

export interface TopologyClients {
  ec2: EC2Client;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  sqs: SQSClient;
  iam: IAMClient;
  elb: ElasticLoadBalancingV2Client;
  autoscaling: AutoScalingClient;
  cloudwatch: CloudWatchClient;
  rds: RDSClient;
  logs: CloudWatchLogsClient;
  glacier: GlacierClient;
  destroy(): void;
}

/**
 * One client per service. `endpoint` sends every call to an emulator (S3 then uses path-style
 * URLs); `credentials` is for emulator tests only, otherwise the SDK's default chain applies.
 */
export function createTopologyClients(opts: {
  region: string;
  endpoint?: string | null;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): TopologyClients {
  const config = {
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
  const clients = {
    ec2: new EC2Client(config),
    s3: new S3Client({ ...config, forcePathStyle: !!opts.endpoint }),
    dynamodb: new DynamoDBClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    iam: new IAMClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    autoscaling: new AutoScalingClient(config),
    cloudwatch: new CloudWatchClient(config),
    rds: new RDSClient(config),
    logs: new CloudWatchLogsClient(config),
    glacier: new GlacierClient(config),
  };
  return {
    ...clients,
    destroy: () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

/** Run every check; the results in order (network, storage, messaging, iam, compute, database, logs, alarms). */
export async function checkTopology(clients: TopologyClients, spec: TopologySpec): Promise<CheckResult[]> {
  const log = new CheckLog(new Set(spec.gaps));
  const net = await checkNetwork(clients.ec2, spec, log);
  await checkStorage(clients.s3, clients.dynamodb, spec, log);
  await checkMessaging(clients.sns, clients.sqs, spec, log);
  await checkRestoreNotification(clients.s3, clients.sns, spec, log);
  if (spec.archiveVault === "glacier") await checkGlacierVault(clients.glacier, spec, log);
  await checkIam(clients.iam, spec, log);
  await checkCompute(clients, spec, net, log);
  await checkDatabase(clients.rds, clients.autoscaling, spec, net, log);
  await checkLogGroups(clients.logs, spec, log);
  await checkAlarms(clients.cloudwatch, spec, log);
  return log.results;
}

/** One line per check ("ok", "FAIL", "skip") and a count line. */
export function formatReport(results: CheckResult[]): string {
  const mark = { ok: "ok  ", fail: "FAIL", skipped: "skip" } as const;
  const lines = results.map((r) => `${mark[r.status]} [${r.area}] ${r.name}${r.detail ? ` — ${r.detail}` : ""}`);
  const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  lines.push(`${count("ok")} ok, ${count("fail")} failed, ${count("skipped")} skipped`);
  return lines.join("\n");
}

if (import.meta.main) {
  try {
    process.exitCode = await main();
  } catch (err) {
    console.error(`check-topology: ${(err as Error).message}`);
    process.exitCode = 2;
  }
}

/** The command line: 0 when every check passes, 1 when one fails. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      region: { type: "string", default: Bun.env.AWS_REGION ?? Bun.env.AWS_DEFAULT_REGION ?? "us-east-1" },
      prefix: { type: "string", default: "gas" },
      suffix: { type: "string" },
      "public-url": { type: "string", default: "https://gas.example.org" },
      endpoint: { type: "string", default: Bun.env.AWS_ENDPOINT_URL },
      gaps: { type: "string", default: "" },
      "archive-vault": { type: "string", default: "s3" },
      "nat-per-az": { type: "boolean", default: false },
      "rds-multi-az": { type: "boolean", default: false },
      "no-rds": { type: "boolean", default: false },
      "gaps-from": { type: "string" },
    },
  });
  if (!values.suffix) throw new Error("--suffix <gas_aws_account_suffix> is required (the buckets are <prefix>-inputs-<suffix>, …)");
  const spec = defaultSpec({
    region: values.region,
    prefix: values.prefix,
    accountSuffix: values.suffix,
    publicUrl: values["public-url"],
    archiveVault: archiveVault(values["archive-vault"]),
    natPerAz: values["nat-per-az"],
    rds: !values["no-rds"],
    ...(values["rds-multi-az"] ? { database: { ...defaultSpec().database, multiAz: true } } : {}),
    gaps: [...values.gaps.split(",").filter(Boolean), ...(values["gaps-from"] ? await gapsFrom(values["gaps-from"]) : [])],
  });
  const clients = createTopologyClients({ region: spec.region, endpoint: values.endpoint });
  try {
    const results = await checkTopology(clients, spec);
    console.log(formatReport(results));
    return results.some((r) => r.status === "fail") ? 1 : 0;
  } finally {
    clients.destroy();
  }
}

/** --archive-vault: gas_archive_vault's value. */
function archiveVault(v: string): "s3" | "glacier" {
  if (v !== "s3" && v !== "glacier") throw new Error(`--archive-vault ${v}: expected s3 or glacier (gas_archive_vault)`);
  return v;
}

/** gas_emulator_gaps from an inventory's group_vars file. */
async function gapsFrom(path: string): Promise<string[]> {
  let vars: { gas_emulator_gaps?: unknown } | null;
  try {
    vars = Bun.YAML.parse(await readFile(path, "utf8")) as typeof vars;
  } catch (err) {
    throw new Error(`${path}: not a YAML group_vars file (${(err as Error).message})`);
  }
  const gaps = vars?.gas_emulator_gaps;
  if (!Array.isArray(gaps) || !gaps.every((g) => typeof g === "string")) {
    throw new Error(`${path}: gas_emulator_gaps is not a list of names`);
  }
  return gaps;
}
