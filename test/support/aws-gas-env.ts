/**
 * A GAS process on GAS_BACKEND=aws against the test's emulators: the environment it reads, the
 * resources `gas aws bootstrap` makes for it (run as an operator runs it: the real executable),
 * and their removal afterwards. Shared by the AWS end-to-end and push-mode tests.
 */
import { join } from "node:path";
import type { BootstrapReport } from "../../src/adapters/aws/aws-bootstrap.ts";
import type { AwsClients } from "../../src/adapters/aws/aws-clients.ts";
import { type AwsTestEndpoints, TEST_CREDENTIALS, TEST_REGION, deleteBucket, deleteMessaging, deleteTable } from "./aws-emulators.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

/** The variables every GAS_BACKEND=aws test process needs; resource names start with `prefix`. */
export function awsGasEnv(aws: Pick<AwsTestEndpoints, "s3" | "dynamodb" | "ses">, prefix: string, dataDir: string): Record<string, string> {
  return {
    GAS_BACKEND: "aws",
    AWS_REGION: TEST_REGION,
    AWS_ENDPOINT_URL: aws.s3,
    AWS_ENDPOINT_URL_DYNAMODB: aws.dynamodb,
    AWS_ENDPOINT_URL_SESV2: aws.ses,
    // The emulators take any key; the service reads them through the SDK's default chain.
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    GAS_AWS_PREFIX: prefix,
    S3_INPUTS_BUCKET: `${prefix}-inputs`,
    S3_RESULTS_BUCKET: `${prefix}-results`,
    SES_FROM: "GAS <noreply@gas.example.org>",
    DATA_DIR: dataDir,
  };
}

/** `gas aws bootstrap` with `env`; its JSON report. Throws with stderr when it fails. */
export async function bootstrapForTest(env: Record<string, string>, home: string): Promise<BootstrapReport> {
  const boot = Bun.spawn(["bun", MAIN, "aws", "bootstrap"], {
    env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(boot.stdout).text(), new Response(boot.stderr).text(), boot.exited]);
  if (code !== 0) throw new Error(`gas aws bootstrap exited ${code}: ${err}`);
  return JSON.parse(out) as BootstrapReport;
}

/** Deletes what bootstrap made (best effort: the emulators go away with the test anyway). */
export async function removeBootstrapped(clients: AwsClients, report: BootstrapReport | undefined): Promise<void> {
  if (!report) return;
  await deleteTable(clients, report.table).catch(() => {});
  await deleteMessaging(clients, report).catch(() => {});
  for (const b of report.buckets) await deleteBucket(clients, b).catch(() => {});
}
