/**
 * The GAS_BACKEND=aws part of the configuration (src/config.ts merges it): region, optional
 * emulator endpoints, resource names and the SES sender. Credentials are never configuration:
 * the AWS SDK's default provider chain finds them (the instance profile on EC2).
 */
import { z } from "zod";

/** S3 bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be 3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit")
  .refine((v) => !v.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(v) && !v.startsWith("xn--"), "is not a valid S3 bucket name")
  .optional();

const endpoint = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL such as http://127.0.0.1:4566" }).optional();

/** Variables read when GAS_BACKEND=aws (all optional here; `awsCrossChecks` says which are required). */
export const awsEnvShape = {
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as us-east-1")
    .optional(),
  /** One endpoint for every service (an emulator); the SDK's own variable name. */
  AWS_ENDPOINT_URL: endpoint,
  AWS_ENDPOINT_URL_S3: endpoint,
  AWS_ENDPOINT_URL_SQS: endpoint,
  AWS_ENDPOINT_URL_SNS: endpoint,
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_ENDPOINT_URL_SESV2: endpoint,
  AWS_ENDPOINT_URL_CLOUDWATCH: endpoint,
  AWS_ENDPOINT_URL_AUTO_SCALING: endpoint,
  /** The annotator Auto Scaling group whose backlog per instance the annotators publish (default `<prefix>-annotator`). */
  ANNOTATOR_ASG_NAME: z
    .string()
    .regex(/^[^:]{1,255}$/, "must be an Auto Scaling group name (1-255 characters, no ':')")
    .optional(),
  AWS_ENDPOINT_URL_GLACIER: endpoint,
  /** Topics, queues and the default table are named `<prefix>-…`. */
  GAS_AWS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1-40 letters, digits, '-' or '_' (it starts SNS topic and SQS queue names)")
    .default("gas"),
  S3_INPUTS_BUCKET: bucketName,
  S3_RESULTS_BUCKET: bucketName,
  DYNAMODB_JOBS_TABLE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be 3-255 letters, digits, '_', '-' or '.'")
    .optional(),
  DYNAMODB_USER_INDEX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be 3-255 letters, digits, '_', '-' or '.'")
    .default("user_id_index"),
  /** A verified SES identity: `noreply@example.org` or `GAS <noreply@example.org>`. */
  SES_FROM: z
    .string()
    .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, "must be an email address, optionally with a name: GAS <noreply@example.org>")
    .optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Where free users' results are archived: S3 archive storage classes, or a Glacier vault (existing accounts only). */
  ARCHIVE_VAULT: z.enum(["s3", "glacier"], { error: "must be s3 (S3 DEEP_ARCHIVE objects) or glacier (an S3 Glacier vault)" }).default("s3"),
  /**
   * `gas aws bootstrap` subscribes this URL (the annotators' SNS webhook, usually behind an internal
   * load balancer) to the job-requests topic, for ANNOTATOR_MODE=push. https in production.
   */
  ANNOTATOR_PUSH_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL such as https://annotators.internal:5000/process-job-request" }).optional(),
  /** The Glacier vault when ARCHIVE_VAULT=glacier; default `<prefix>-archive`. */
  GLACIER_VAULT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,255}$/, "must be 1-255 letters, digits, '_', '-' or '.' (a Glacier vault name)")
    .optional(),
};

type AwsEnv = z.infer<z.ZodObject<typeof awsEnvShape>>;

/** Variables GAS_BACKEND=aws needs, checked on the raw environment so all problems are listed together. */
export function awsCrossChecks(env: Record<string, string | undefined>): string[] {
  if (env.GAS_BACKEND !== "aws") return [];
  const out: string[] = [];
  for (const key of ["AWS_REGION", "S3_INPUTS_BUCKET", "S3_RESULTS_BUCKET"]) {
    if (!env[key]) out.push(`  ${key}: is required when GAS_BACKEND=aws`);
  }
  if (!env.SES_FROM && !env.SMTP_URL) out.push("  SES_FROM: is required when GAS_BACKEND=aws (the verified SES sender), unless SMTP_URL is set");
  if (env.S3_INPUTS_BUCKET && env.S3_INPUTS_BUCKET === env.S3_RESULTS_BUCKET) out.push("  S3_RESULTS_BUCKET: must differ from S3_INPUTS_BUCKET");
  if (env.ANNOTATOR_PUSH_URL?.startsWith("http:") && env.NODE_ENV === "production") out.push("  ANNOTATOR_PUSH_URL: must be https:// when NODE_ENV=production (SNS signs, but only TLS keeps the job ids private)");
  if (env.GLACIER_VAULT_NAME && env.ARCHIVE_VAULT !== "glacier") out.push("  GLACIER_VAULT_NAME: is set but ARCHIVE_VAULT is not glacier (set ARCHIVE_VAULT=glacier to archive into the vault)");
  return out;
}

/** The AWS settings, or null on the local backend. Call only after the cross-checks passed. */
export function awsSettings(e: AwsEnv & { GAS_BACKEND: "local" | "aws" }) {
  if (e.GAS_BACKEND !== "aws") return null;
  return {
    region: e.AWS_REGION!,
    endpoint: e.AWS_ENDPOINT_URL ?? null,
    /** Per-service endpoints (AWS_ENDPOINT_URL_<SERVICE>), only those set. */
    endpoints: Object.fromEntries(
      (
        [
          ["s3", e.AWS_ENDPOINT_URL_S3],
          ["sqs", e.AWS_ENDPOINT_URL_SQS],
          ["sns", e.AWS_ENDPOINT_URL_SNS],
          ["dynamodb", e.AWS_ENDPOINT_URL_DYNAMODB],
          ["sesv2", e.AWS_ENDPOINT_URL_SESV2],
          ["glacier", e.AWS_ENDPOINT_URL_GLACIER],
        ] as const
      ).filter(([, v]) => !!v),
    ) as Partial<Record<"s3" | "sqs" | "sns" | "dynamodb" | "sesv2" | "glacier", string>>,
    resources: {
      prefix: e.GAS_AWS_PREFIX,
      inputsBucket: e.S3_INPUTS_BUCKET!,
      resultsBucket: e.S3_RESULTS_BUCKET!,
      table: e.DYNAMODB_JOBS_TABLE ?? `${e.GAS_AWS_PREFIX}-annotations`,
      userIndex: e.DYNAMODB_USER_INDEX,
      // Present only with ARCHIVE_VAULT=glacier; otherwise archives are S3 objects in the results bucket.
      ...(e.ARCHIVE_VAULT === "glacier" ? { glacierVault: e.GLACIER_VAULT_NAME ?? `${e.GAS_AWS_PREFIX}-archive` } : {}),
      ...(e.ANNOTATOR_PUSH_URL ? { annotatorPushUrl: e.ANNOTATOR_PUSH_URL } : {}),
    },
    ses: { from: e.SES_FROM ?? null, configurationSet: e.SES_CONFIGURATION_SET ?? null },
    /** Where annotators publish GAS/BacklogPerInstance, and the group whose instances divide it. */
    scaling: {
      groupName: e.ANNOTATOR_ASG_NAME ?? `${e.GAS_AWS_PREFIX}-annotator`,
      endpoints: {
        ...(e.AWS_ENDPOINT_URL_CLOUDWATCH ? { cloudwatch: e.AWS_ENDPOINT_URL_CLOUDWATCH } : {}),
        ...(e.AWS_ENDPOINT_URL_AUTO_SCALING ? { autoscaling: e.AWS_ENDPOINT_URL_AUTO_SCALING } : {}),
      },
    },
  };
}
