/**
 * What `playbooks/provision_aws.yml` is meant to build (docs/operations.md "Topology"), as the
 * read-only topology checker expects it, and the log the checks write their findings to.
 * The messaging topology and the buckets' lifecycle rules come from the application's definition
 * (src/ports/messaging-topology.ts), which the playbook's vars are generated from; the rest is
 * the design's, written out here on purpose rather than read from the role's defaults: the check
 * compares AWS with the design, not the playbook with itself.
 */
import { ARCHIVE_PREFIX } from "../../../src/adapters/aws/s3-archive-vault.ts";
import { BUCKET_LIFECYCLE, GAS_ROLES, type GasRole, QUEUE_SETTINGS, resourceTopology } from "../../../src/ports/messaging-topology.ts";

export { GAS_ROLES, type GasRole };

export interface QueueSpec {
  name: string;
  /** Topics (without the prefix) this queue is subscribed to. */
  topics: string[];
  visibilitySeconds: number;
}

export interface TopologySpec {
  region: string;
  /** gas_aws_prefix: every name starts with it. */
  prefix: string;
  /** gas_aws_account_suffix: the buckets are `<prefix>-inputs-<suffix>` and so on. */
  accountSuffix: string;
  vpcCidr: string;
  asgSizes: Record<GasRole, { min: number; max: number }>;
  instanceTypes: Record<GasRole, string>;
  volumeGb: Record<GasRole, number>;
  topics: string[];
  queues: QueueSpec[];
  maxReceives: number;
  receiveWaitSeconds: number;
  deadLetterRetentionSeconds: number;
  /** The inputs and results buckets' lifecycle rules. */
  lifecycle: typeof BUCKET_LIFECYCLE;
  /** gas_archive_vault: s3 (archives in the results bucket, restores announced by S3) or glacier. */
  archiveVault: "s3" | "glacier";
  /** Where the S3 archive vault keeps archives (the restore notification's key filter). */
  archivePrefix: string;
  /** gas_nat_per_az: one NAT gateway per zone, each zone's private subnet routed through its own. */
  natPerAz: boolean;
  /** gas_rds: the playbook makes the RDS instance (false: a database of the operator's own, not checked). */
  rds: boolean;
  /** RDS PostgreSQL (gas_rds_*) and the pools the roles open on it (gas_database_pool_max). */
  database: {
    multiAz: boolean;
    maxConnections: number;
    reservedConnections: number;
    backupDays: number;
    poolMax: Record<GasRole, number>;
  };
  /** gas_cloudwatch_log_retention_days: how long each role's log group keeps its logs. */
  logRetentionDays: number;
  /** The origin the inputs bucket's CORS rule admits (gas_public_url). */
  publicUrl: string;
  /**
   * Emulator gaps (gas_emulator_gaps of the inventory that provisioned it): the checks of what
   * the playbook skipped there are reported as skipped, not failed.
   */
  gaps: string[];
}

/** The playbook's defaults (roles/aws_topology/defaults and vars, inventories/aws/group_vars). */
export function defaultSpec(overrides: Partial<TopologySpec> = {}): TopologySpec {
  return {
    region: "us-east-1",
    prefix: "gas",
    accountSuffix: "example",
    vpcCidr: "10.20.0.0/16",
    asgSizes: { web: { min: 2, max: 10 }, annotator: { min: 2, max: 10 }, archiver: { min: 1, max: 2 }, notifier: { min: 1, max: 2 } },
    instanceTypes: { web: "t3.small", annotator: "c6i.large", archiver: "t3.micro", notifier: "t3.micro" },
    volumeGb: { web: 20, annotator: 100, archiver: 20, notifier: 20 },
    ...resourceTopology(),
    maxReceives: QUEUE_SETTINGS.maxReceives,
    receiveWaitSeconds: QUEUE_SETTINGS.receiveWaitSeconds,
    deadLetterRetentionSeconds: QUEUE_SETTINGS.deadLetterRetentionSeconds,
    lifecycle: BUCKET_LIFECYCLE,
    archiveVault: "s3",
    archivePrefix: ARCHIVE_PREFIX,
    natPerAz: false,
    rds: true,
    database: {
      multiAz: false,
      maxConnections: 250,
      reservedConnections: 10,
      backupDays: 7,
      poolMax: { web: 10, annotator: 4, archiver: 4, notifier: 4 },
    },
    logRetentionDays: 30,
    publicUrl: "https://gas.example.org",
    gaps: [],
    ...overrides,
  };
}

/** Resource names as the playbook makes them. */
export function topologyNames(spec: TopologySpec) {
  const p = spec.prefix;
  return {
    vpc: `${p}-vpc`,
    inputsBucket: `${p}-inputs-${spec.accountSuffix}`,
    resultsBucket: `${p}-results-${spec.accountSuffix}`,
    releaseBucket: `${p}-releases-${spec.accountSuffix}`,
    table: `${p}-annotations`,
    archiveVault: `${p}-archive`,
    topic: (t: string) => `${p}-${t}`,
    alarmTopic: `${p}-alarms`,
    queue: (q: string) => `${p}-${q}`,
    dlq: (q: string) => `${p}-${q}-dlq`,
    role: (r: GasRole) => `${p}-${r}`,
    securityGroup: (g: "alb" | "web" | "worker" | "db") => `${p}-${g}`,
    database: `${p}-db`,
    logGroup: (r: GasRole) => `/${p}/${r}`,
    alb: `${p}-alb`,
    targetGroup: `${p}-web`,
  };
}

export type CheckStatus = "ok" | "fail" | "skipped";

export interface CheckResult {
  /** network, storage, messaging, iam, compute, alarms */
  area: string;
  name: string;
  status: CheckStatus;
  /** The problems found (fail), the gap (skipped), or nothing. */
  detail: string;
}

/** Collects the checks' findings; a check is a function returning its problems (none = ok). */
export class CheckLog {
  readonly results: CheckResult[] = [];
  constructor(private readonly gaps: ReadonlySet<string>) {}

  /**
   * Run one check. A thrown error (the resource does not exist, access denied) fails it with the
   * error's name and message. With `gap` in the spec's gaps the check is recorded as skipped.
   */
  async check(area: string, name: string, fn: () => Promise<string[]> | string[], gap?: string): Promise<void> {
    if (gap && this.gaps.has(gap)) {
      this.results.push({ area, name, status: "skipped", detail: `emulator gap ${gap}` });
      return;
    }
    try {
      const problems = await fn();
      this.results.push({ area, name, status: problems.length === 0 ? "ok" : "fail", detail: problems.join("; ") });
    } catch (err) {
      const e = err as Error;
      this.results.push({ area, name, status: "fail", detail: `${e.name}: ${e.message}` });
    }
  }

  /** Whether an emulator gap is set (for a part of a check the playbook left out there). */
  hasGap(gap: string): boolean {
    return this.gaps.has(gap);
  }
}

/** `problems` helper: "<what>: <actual>, expected <expected>" when they differ (compared as JSON). */
export function expectEqual(problems: string[], what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}
