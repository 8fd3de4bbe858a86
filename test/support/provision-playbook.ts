/**
 * `ansible-playbook playbooks/provision_aws.yml` against a moto server, as the provisioning tests
 * run it: inventories/moto layered over inventories/aws, moto's endpoint and the given credentials
 * only in the playbook's environment, mitogen's strategy when ansible's Python has it. Shared by
 * test/provision-aws.test.ts (the topology and its checker) and test/aws-iam.e2e.test.ts (the
 * roles as processes under the IAM roles the playbook made).
 */
import { join } from "node:path";
import { TEST_CREDENTIALS, TEST_REGION } from "./aws-emulators.ts";

export const ANSIBLE_DIR = join(import.meta.dir, "..", "..", "ansible");
const playbook = Bun.which("ansible-playbook");
/** One playbook run; generous for a loaded CI machine (an idle 2-core one needs ~1 minute). */
export const PLAYBOOK_TIMEOUT_MS = 420_000;

/** The Python ansible itself runs on: the amazon.aws modules run there (implicit localhost). */
function ansiblePython(): string | null {
  const version = Bun.spawnSync([playbook!, "--version"]).stdout.toString();
  return /python version = .*\((\/[^)]+)\)\s*$/m.exec(version)?.[1] ?? null;
}
function ansibleHasBoto3(): boolean {
  const python = ansiblePython();
  return !!python && Bun.spawnSync([python, "-c", "import boto3, botocore"]).exitCode === 0;
}

/** Why the playbook cannot run on this machine (the caller skips with it), or null. */
export function playbookMissing(): string | null {
  if (!playbook) return "ansible-playbook is not on PATH";
  if (!Bun.which("moto_server")) return "moto_server is not on PATH";
  if (!ansibleHasBoto3()) return "boto3 is not importable by ansible's Python";
  return null;
}

/**
 * Mitogen's strategy when ansible's Python has it (CI installs it): one long-lived interpreter
 * runs every module, so boto3 is imported once instead of once per task. Measured on this 2-core
 * machine: the two playbook runs took 67 + 44 s with the default strategy, 38 + 18 s with
 * mitogen_linear. The playbook is the same; without mitogen the tests run as before, slower.
 */
export function mitogenStrategy(): Record<string, string> {
  const python = playbook ? ansiblePython() : null;
  const found = python
    ? Bun.spawnSync([python, "-c", "import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))"])
    : null;
  const dir = found?.exitCode === 0 ? found.stdout.toString().trim() : "";
  return dir ? { ANSIBLE_STRATEGY_PLUGINS: join(dir, "plugins", "strategy"), ANSIBLE_STRATEGY: "mitogen_linear" } : {};
}
let mitogen: Record<string, string> | null = null;
const mitogenOnce = () => (mitogen ??= mitogenStrategy());

/** The playbook's environment: moto's endpoint and `credentials`, no profile from the host. */
export function ansibleEnv(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string } = TEST_CREDENTIALS) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_REGION: TEST_REGION,
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_FORCE_COLOR: "0",
    NO_COLOR: "1",
    ...mitogenOnce(),
  };
}

/** A certificate in moto's ACM for the HTTPS listener (moto checks the ARN exists). Unsigned: send it before IAM is enforced. */
export async function requestCertificate(endpoint: string): Promise<string> {
  // ACM's JSON protocol by hand: one call, no SDK client for a service the app does not use.
  const r = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "CertificateManager.RequestCertificate",
      // moto routes on the credential scope's service name.
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${TEST_REGION}/acm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ DomainName: "gas.example.org" }),
  });
  if (!r.ok) throw new Error(`moto ACM RequestCertificate answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { CertificateArn: string }).CertificateArn;
}

export interface Recap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
}

export interface PlaybookRun {
  code: number;
  out: string;
  recap: Recap | null;
  /** Tasks every item of which was skipped. */
  skippedTasks: string[];
  seconds: number;
  cpuSeconds: number;
}

export interface PlaybookOptions {
  endpoint: string;
  certificateArn: string;
  /** Stands in for dist/gas: the playbook uploads whatever file this names. */
  binary: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** More `-e name=value` variables (e.g. gas_rds=false). */
  extraVars?: Record<string, string>;
}

/** One run of provision_aws.yml with inventories/aws and inventories/moto. */
export async function runProvisionPlaybook(o: PlaybookOptions): Promise<PlaybookRun> {
  const started = performance.now();
  const p = Bun.spawn(
    [
      playbook!,
      "-i",
      "inventories/aws",
      "-i",
      "inventories/moto",
      "playbooks/provision_aws.yml",
      "-e",
      `gas_acm_certificate_arn=${o.certificateArn}`,
      "-e",
      `gas_binary_src=${o.binary}`,
      ...Object.entries(o.extraVars ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    ],
    { cwd: ANSIBLE_DIR, stdout: "pipe", stderr: "pipe", env: ansibleEnv(o.endpoint, o.credentials) },
  );
  const [code, stdout, stderr] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const usage = p.resourceUsage();
  const cpuSeconds = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : Number.NaN;
  return {
    code,
    out: `${stdout}\n${stderr}`,
    recap: parseRecap(stdout),
    skippedTasks: skippedTasks(stdout),
    seconds: (performance.now() - started) / 1000,
    cpuSeconds,
  };
}

/** The moto inventory's variables the tests read. */
export async function motoInventoryVars(): Promise<{ gas_emulator_gaps: string[]; gas_aws_account_suffix: string }> {
  return Bun.YAML.parse(await Bun.file(join(ANSIBLE_DIR, "inventories/moto/group_vars/all.yml")).text()) as {
    gas_emulator_gaps: string[];
    gas_aws_account_suffix: string;
  };
}

function parseRecap(stdout: string): Recap | null {
  const m = /localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)\s+skipped=(\d+)/.exec(stdout);
  return m ? { ok: Number(m[1]), changed: Number(m[2]), failed: Number(m[3]), skipped: Number(m[4]) } : null;
}

/** Names of tasks (without the role prefix) whose output is only "skipping:" lines. */
function skippedTasks(stdout: string): string[] {
  return stdout
    .split("\nTASK [")
    .slice(1)
    .filter((s) => /\nskipping: /.test(s) && !/\n(ok|changed|failed|fatal): /.test(s))
    .map((s) => s.slice(0, s.indexOf("]")).replace(/^aws_topology : /, ""));
}
