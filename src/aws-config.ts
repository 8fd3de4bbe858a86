/**
 * The GAS_BACKEND=aws part of the configuration (src/config.ts merges it): region, optional
 * emulator endpoints, resource names and the SES sender. Credentials are never configuration:
 * the AWS SDK's default provider chain finds them (the instance profile on EC2).
 */
import { z } from "zod";

/** S3 bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "must be 3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit",
  )
  .refine((v) => !v.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(v) && !v.startsWith("xn--"), "is not a valid S3 bucket name")
  .optional();

const ARCHIVE_VAULT_ERROR = "must be s3 (S3 DEEP_ARCHIVE objects) or glacier (an S3 Glacier vault)";

const endpoint = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL such as http://127.0.0.1:4566" }).optional();

/** Variables read when GAS_BACKEND=aws: their formats, checked on every backend (all optional here; `AwsBackend` says which are required). */
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
    .regex(
      /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/,
      "must be an email address, optionally with a name: GAS <noreply@example.org>",
    )
    .optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Where free users' results are archived: S3 archive storage classes, or a Glacier vault (existing accounts only). */
  ARCHIVE_VAULT: z.enum(["s3", "glacier"], { error: ARCHIVE_VAULT_ERROR }),
  /**
   * `gas aws bootstrap` subscribes this URL (the annotators' SNS webhook, usually behind an internal
   * load balancer) to the job-requests topic, for ANNOTATOR_MODE=push. https in production.
   */
  ANNOTATOR_PUSH_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL such as https://annotators.internal:5000/process-job-request" })
    .optional(),
  /** The Glacier vault when ARCHIVE_VAULT=glacier; default `<prefix>-archive`. */
  GLACIER_VAULT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,255}$/, "must be 1-255 letters, digits, '_', '-' or '.' (a Glacier vault name)")
    .optional(),
};

/** A variable the chosen variant needs: "is required when …" when unset (its format is checked in the shape above). */
export const requiredWhen = (condition: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `is required when ${condition}` : undefined) });

/** A variable the chosen variant refuses: set is an error. */
export const refusedBecause = (reason: string) => z.never({ error: reason }).optional();

/**
 * GAS_BACKEND=aws, one variant per ARCHIVE_VAULT: what it needs is required here, so the settings
 * below read plain strings. The rules between variables run even when a required one is missing
 * (`when`), so every problem is listed at once.
 */
const awsShape = {
  GAS_BACKEND: z.literal("aws"),
  AWS_REGION: requiredWhen("GAS_BACKEND=aws"),
  S3_INPUTS_BUCKET: requiredWhen("GAS_BACKEND=aws"),
  S3_RESULTS_BUCKET: requiredWhen("GAS_BACKEND=aws"),
  // Read by the rules below; their formats are checked with the common variables.
  NODE_ENV: z.string(),
  SES_FROM: z.string().optional(),
  SMTP_URL: z.string().optional(),
  ANNOTATOR_PUSH_URL: z.string().optional(),
};
const always = { when: () => true };
interface RuleInput {
  NODE_ENV: string;
  S3_INPUTS_BUCKET: string;
  S3_RESULTS_BUCKET: string;
  SES_FROM?: string;
  SMTP_URL?: string;
  ANNOTATOR_PUSH_URL?: string;
}
const awsRules = <T extends z.ZodType<RuleInput>>(variant: T) =>
  variant
    .refine((e) => e.SES_FROM || e.SMTP_URL, {
      ...always,
      path: ["SES_FROM"],
      message: "is required when GAS_BACKEND=aws (the verified SES sender), unless SMTP_URL is set",
    })
    .refine((e) => !e.S3_INPUTS_BUCKET || e.S3_INPUTS_BUCKET !== e.S3_RESULTS_BUCKET, {
      ...always,
      path: ["S3_RESULTS_BUCKET"],
      message: "must differ from S3_INPUTS_BUCKET",
    })
    .refine((e) => !(e.NODE_ENV === "production" && e.ANNOTATOR_PUSH_URL?.startsWith("http:")), {
      ...always,
      path: ["ANNOTATOR_PUSH_URL"],
      message: "must be https:// when NODE_ENV=production (SNS signs, but only TLS keeps the job ids private)",
    });

export const AwsBackend = z.discriminatedUnion(
  "ARCHIVE_VAULT",
  [
    awsRules(
      z.object({
        ...awsShape,
        ARCHIVE_VAULT: z.literal("s3"),
        GLACIER_VAULT_NAME: refusedBecause("is set but ARCHIVE_VAULT is not glacier (set ARCHIVE_VAULT=glacier to archive into the vault)"),
      }),
    ),
    awsRules(z.object({ ...awsShape, ARCHIVE_VAULT: z.literal("glacier") })),
  ],
  { error: ARCHIVE_VAULT_ERROR },
);

type AwsEnv = z.infer<z.ZodObject<typeof awsEnvShape>> & z.infer<typeof AwsBackend>;

/** The AWS settings of a parsed GAS_BACKEND=aws environment. */
export function awsSettings(e: AwsEnv) {
  return {
    region: e.AWS_REGION,
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
      inputsBucket: e.S3_INPUTS_BUCKET,
      resultsBucket: e.S3_RESULTS_BUCKET,
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
