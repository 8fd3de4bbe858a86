/**
 * Configuration comes only from environment variables (DESIGN.md §8). `loadConfig` takes the
 * environment as an argument (tests pass a literal object), validates it once with zod and names
 * every bad or missing variable in one message.
 *
 * The environment is the common variables (their formats) and one variant of each choice, a zod
 * discriminated union: NODE_ENV (production requires strong secrets and a public URL), GAS_BACKEND
 * (aws requires its region, buckets and a mail sender; one variant per ARCHIVE_VAULT, see
 * ./aws-config.ts) and ANNOTATOR_MODE (push requires the topic). An invalid combination is a parse
 * error naming the variable, and the parsed value is typed by its variant: what a variant
 * requires is a string, never an assertion. Rules between variables run even when another
 * variable is wrong (`when`), so every problem is listed at once.
 */
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { AwsBackend, awsEnvShape, awsSettings, refusedBecause, requiredWhen } from "./aws-config.ts";

const seconds = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** Every variable's format, whatever the variants (all optional or defaulted here). */
const Common = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    /** Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; unset: none, the socket peer is the client. */
    TRUSTED_PROXIES: z.string().transform(proxyRanges).optional(),
    DATA_DIR: z.string().min(1).default("./data/local"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    /**
     * Connections this process keeps to PostgreSQL (plus one for LISTEN). The AWS playbook sizes
     * it per role so that every role's instances at their group's maximum fit RDS's max_connections.
     */
    DATABASE_POOL_MAX: z.coerce.number().int().positive().max(1000).default(10),
    PUBLIC_URL: z.url().optional(),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    UPLOAD_SIGNING_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** OpenID Connect issuer, e.g. https://auth.globus.org (unset: dev sign-in outside production). */
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_SCOPES: z.string().default("openid profile email"),
    SESSION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
    FREE_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(153_600),
    /**
     * Per-plan quotas (issue 13 item 4), checked by the annotator while the input streams and at
     * submit; 0: no limit. The free upload limit counts compressed bytes, so a 20.8 KB gzip made
     * 2.15 GB of results: these count what the file really holds. 50,000 variants make ~60 MB of
     * stored results on the demo bundle; a 150 KB gzip of real sites holds ~30-40k.
     */
    FREE_MAX_INPUT_BYTES: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(10 * 1024 ** 2),
    FREE_MAX_VARIANTS: z.coerce.number().int().nonnegative().default(50_000),
    /** Bytes of results a free user may have in the results store (archived results do not count). */
    FREE_MAX_RESULT_BYTES: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(256 * 1024 ** 2),
    PREMIUM_MAX_INPUT_BYTES: z.coerce.number().int().nonnegative().default(0),
    PREMIUM_MAX_VARIANTS: z.coerce.number().int().nonnegative().default(0),
    PREMIUM_MAX_RESULT_BYTES: z.coerce.number().int().nonnegative().default(0),
    /** A user's jobs running at once, across every annotator. */
    FREE_MAX_RUNNING_JOBS: z.coerce.number().int().positive().default(1),
    PREMIUM_MAX_RUNNING_JOBS: z.coerce.number().int().positive().default(4),
    ARCHIVE_AFTER_SECONDS: seconds(300),
    /** How long the local archive vault takes to "thaw" a restore (S3/Glacier take minutes to hours). */
    RESTORE_DELAY_SECONDS: seconds(10),
    /**
     * While a result is RESTORING, the archiver looks at its restore this often: finishes it if the
     * vault's announcement was lost, starts it again if the storage's retrieval job failed.
     */
    RESTORE_CHECK_SECONDS: z.coerce.number().int().positive().default(3600),
    /** Stripe (all three, or none: local development then simulates checkout; production has no payment). */
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_/, "must be a Stripe secret key (sk_… or rk_…)")
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_/, "must be the webhook endpoint's signing secret (whsec_…)")
      .optional(),
    STRIPE_PRICE_ID: z
      .string()
      .regex(/^price_/, "must be a Stripe price id (price_…)")
      .optional(),
    /** Another Stripe API endpoint, e.g. stripe-mock (http://127.0.0.1:12111). */
    STRIPE_API_URL: z.url().optional(),
    UPLOAD_POLICY_SECONDS: z.coerce.number().int().positive().default(300),
    /** Sign-in attempts (POST /login/dev, /auth/callback) per client address per minute; 0: no limit. */
    RATE_LIMIT_SIGNINS_PER_MINUTE: z.coerce.number().int().nonnegative().default(30),
    /** Upload forms (GET /annotate) and local uploads per client address per minute, each; 0: no limit. */
    RATE_LIMIT_UPLOADS_PER_MINUTE: z.coerce.number().int().nonnegative().default(300),
    /**
     * Requests per signed-in user (session or API token) per minute; 0: no limit. 900 is the pace
     * Ensembl's REST API allows (55,000 an hour, ~15 a second): scripts poll, browsers page.
     */
    RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().nonnegative().default(900),
    REFERENCE_DIR: z.string().optional(),
    /** How long a received message stays invisible to other workers unless renewed. */
    QUEUE_VISIBILITY_SECONDS: z.coerce.number().int().positive().default(60),
    /** Deliveries before a message goes to the dead-letter queue. */
    QUEUE_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
    /** First retry delay; doubles per attempt (capped at 15 minutes). */
    QUEUE_RETRY_BASE_SECONDS: seconds(5),
    /** Fallback poll interval when no NOTIFY arrives (delayed messages, lost notifications). */
    QUEUE_POLL_MS: z.coerce.number().int().positive().default(1000),
    ANNOTATOR_CONCURRENCY: z.coerce.number().int().positive().default(1),
    /**
     * Whole-genome jobs split across the annotators (issue 16 item 5): a job with at least
     * SPLIT_MIN_VARIANTS data lines or SPLIT_MIN_BYTES decompressed bytes (0: that test off; both
     * 0: never split) is cut into chunks of SPLIT_CHUNK_VARIANTS lines.
     */
    SPLIT_MIN_VARIANTS: z.coerce.number().int().nonnegative().default(500_000),
    SPLIT_MIN_BYTES: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(20 * 1024 * 1024),
    SPLIT_CHUNK_VARIANTS: z.coerce
      .number()
      .int()
      .min(1000, "must be at least 1000 (smaller chunks cost more than they save)")
      .default(250_000),
    ANNOTATOR_PUSH_PORT: z.coerce.number().int().min(0).max(65535).default(5000),
    /** The job-requests topic subscribed to the webhook; messages of any other topic are refused. */
    ANNOTATOR_PUSH_TOPIC_ARN: z
      .string()
      .regex(
        /^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
        "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:gas-job-requested",
      )
      .optional(),
    /** PEM certificate and key files for HTTPS on the push port (both, or neither: plain HTTP behind a TLS load balancer). */
    ANNOTATOR_PUSH_TLS_CERT: z.string().optional(),
    ANNOTATOR_PUSH_TLS_KEY: z.string().optional(),
    /** In push mode, look at the queue this often without a push (a missed push delays a job at most this long). */
    ANNOTATOR_PUSH_SWEEP_SECONDS: z.coerce.number().int().positive().default(60),
    /** Tests only, refused in production: a loopback origin trusted like an SNS host for signing certificates and SubscribeURL. */
    SNS_PUSH_TEST_TRUSTED_ORIGIN: z
      .string()
      .refine(isLoopbackOrigin, "must be an http(s) origin on a loopback address, such as http://127.0.0.1:41234")
      .transform((v) => new URL(v).origin)
      .optional(),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(30),
    /** smtp://[user:pass@]host[:port] (STARTTLS when offered, default port 587) or smtps://… (TLS, 465). */
    SMTP_URL: z
      .string()
      .superRefine((v, ctx) => {
        const problem = smtpUrlProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
    MAIL_FROM: z.string().default("GAS <noreply@gas.localhost>"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    /** Bearer token for GET /metrics (unset: open outside production, hidden on the web port in production). */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** Port of a worker-only process's /healthz, /readyz, /metrics (annotator; archiver +1, notifier +2). Unset: none. */
    METRICS_PORT: z.coerce.number().int().min(1).max(65533).optional(),
    /** Address the worker metrics port binds (default: HOST; in production 127.0.0.1). */
    METRICS_HOST: z.string().min(1).optional(),
    /** gas_jobs is recounted at most this often (a full Scan on DynamoDB). */
    METRICS_JOB_COUNTS_SECONDS: seconds(60),
    /** How often an annotator publishes the backlog per instance; 0: never. */
    BACKLOG_METRIC_SECONDS: seconds(60),
    /** The web role's local copies of results stores (default DATA_DIR/results-cache); deleted least recently used first. */
    RESULTS_CACHE_DIR: z.string().min(1).optional(),
    /** Cap of that folder's size in bytes (default 2 GiB; at least 1 MiB). A store in use is kept even over the cap. */
    RESULTS_CACHE_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024 * 1024, "must be at least 1048576 (1 MiB)")
      .default(2 * 1024 ** 3),
    /** Worker threads answering results queries in the web role (1–8, default 2, 1 on one core): a page and its count run side by side. */
    RESULTS_QUERY_THREADS: z.coerce.number().int().min(1, "must be from 1 to 8").max(8, "must be from 1 to 8").optional(),
    ...awsEnvShape,
  })
  .superRefine(pairsProblems, { when: () => true });

/** Settings that come in sets: Stripe (all three or none), OpenID Connect, the push port's TLS files. */
function pairsProblems(e: Record<string, unknown>, ctx: z.RefinementCtx) {
  // These name several variables, so they carry no path: the message starts with the names.
  const problem = (message: string) => ctx.addIssue({ code: "custom", message, path: [] });
  const stripe = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_ID"];
  const stripeSet = stripe.filter((k) => e[k] !== undefined);
  if (stripeSet.length > 0 && stripeSet.length < stripe.length) {
    problem(
      `${stripe.filter((k) => e[k] === undefined).join(", ")}: required with ${stripeSet.join(", ")} (set all three Stripe variables, or none)`,
    );
  }
  if ((e.OIDC_ISSUER === undefined) !== (e.OIDC_CLIENT_ID === undefined))
    problem("OIDC_ISSUER, OIDC_CLIENT_ID: set both to enable OpenID Connect sign-in, or neither");
  if ((e.ANNOTATOR_PUSH_TLS_CERT === undefined) !== (e.ANNOTATOR_PUSH_TLS_KEY === undefined)) {
    problem("ANNOTATOR_PUSH_TLS_CERT, ANNOTATOR_PUSH_TLS_KEY: set both for HTTPS on the push port, or neither");
  }
}

/** A secret that signs sessions or upload forms in production: present and not guessable. */
const strongSecret = requiredWhen("NODE_ENV=production").superRefine((value, ctx) => {
  const problem = weakSecretProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem}; generate one with \`openssl rand -hex 32\`` });
});

/**
 * NODE_ENV: production needs what a laptop can do without (formats are checked in Common). The
 * session and upload-form secrets are the web role's: a process without it (annotator, archiver,
 * notifier) is not handed them on AWS (each role's SSM parameter holds only what it uses), so
 * there they are checked when given and required only for the web role.
 */
const runtimeFor = (servesWeb: boolean) =>
  z.discriminatedUnion(
    "NODE_ENV",
    [
      z.object({ NODE_ENV: z.enum(["development", "test"]) }),
      z
        .object({
          NODE_ENV: z.literal("production"),
          SESSION_SECRET: servesWeb ? strongSecret : strongSecret.optional(),
          UPLOAD_SIGNING_SECRET: servesWeb ? strongSecret : strongSecret.optional(),
          PUBLIC_URL: requiredWhen("NODE_ENV=production"),
          OIDC_ISSUER: z.string().startsWith("https:", "must be https:// when NODE_ENV=production").optional(),
          SNS_PUSH_TEST_TRUSTED_ORIGIN: refusedBecause("is for tests only and refused when NODE_ENV=production"),
          // Read here for the rule below (their formats are checked in Common; the values must come
          // out the same on both sides of the intersection).
          METRICS_PORT: z.coerce.number().optional(),
          METRICS_TOKEN: z.string().optional(),
        })
        // A worker's metrics port answers anyone who reaches it: in production only with the token.
        .refine((e) => e.METRICS_PORT === undefined || e.METRICS_TOKEN !== undefined, {
          when: () => true,
          path: [],
          message:
            "METRICS_TOKEN: required with METRICS_PORT when NODE_ENV=production (a worker's /metrics would otherwise be open to whoever reaches the port); generate one with `openssl rand -hex 32`",
        })
        .refine((e) => !e.SESSION_SECRET || e.SESSION_SECRET !== e.UPLOAD_SIGNING_SECRET, {
          when: () => true,
          path: [],
          message:
            "SESSION_SECRET, UPLOAD_SIGNING_SECRET: must differ (with one value, whoever learns it can forge both sessions and upload forms)",
        }),
    ],
    { error: "must be development, test or production" },
  );

/** GAS_BACKEND: local (PostgreSQL or PGlite and the filesystem) or aws (./aws-config.ts). */
const Backend = z.discriminatedUnion("GAS_BACKEND", [z.object({ GAS_BACKEND: z.literal("local") }), AwsBackend], {
  error: "must be local or aws",
});

/** ANNOTATOR_MODE: poll long-polls the queue; push (GAS_BACKEND=aws): SNS posts to the annotator's webhook, which then reads SQS. */
const AnnotatorMode = z.discriminatedUnion(
  "ANNOTATOR_MODE",
  [
    z.object({ ANNOTATOR_MODE: z.literal("poll") }),
    z
      .object({
        ANNOTATOR_MODE: z.literal("push"),
        ANNOTATOR_PUSH_TOPIC_ARN: requiredWhen("ANNOTATOR_MODE=push (the job-requests topic's ARN)"),
        GAS_BACKEND: z.string(),
      })
      .refine((e) => e.GAS_BACKEND === "aws", {
        when: () => true,
        path: ["ANNOTATOR_MODE"],
        message: "push needs GAS_BACKEND=aws (SNS posts to the webhook; locally the queue already wakes the annotator)",
      }),
  ],
  { error: "must be poll or push" },
);

/** The variants' defaults, filled in before parsing: a discriminated union needs its key. */
const DEFAULT_VARIANTS = { NODE_ENV: "development", GAS_BACKEND: "local", ANNOTATOR_MODE: "poll", ARCHIVE_VAULT: "s3" };

/** The roles a process runs (`gas --role=…`); the web role's secrets are required only with it. */
export type ServiceRole = "web" | "annotator" | "archiver" | "notifier";
const envFor = (servesWeb: boolean) => Common.and(runtimeFor(servesWeb)).and(Backend).and(AnnotatorMode);
const Env = envFor(true);
const WorkerEnv = envFor(false);

/** True for `http(s)://127.0.0.1|localhost|[::1][:port]` with no path: the only origins a test may trust like SNS. */
function isLoopbackOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  const bare = u.pathname === "/" && !u.search && !u.hash && !u.username && !u.password;
  return /^https?:$/.test(u.protocol) && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname) && bare;
}

const proxyEntries = (value: string) => value.split(/[\s,]+/).filter(Boolean);

/** TRUSTED_PROXIES as `address/prefix` ranges; an entry that is neither an address nor a range is named. */
function proxyRanges(value: string, ctx: z.RefinementCtx): string[] {
  const ranges = proxyEntries(value).map((entry) => ({ entry, range: proxyRange(entry) }));
  const bad = ranges.filter((r) => r.range === null).map((r) => r.entry);
  if (bad.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `must be IP addresses or CIDR ranges separated by commas, such as 127.0.0.1,10.20.0.0/24 (not: ${bad.join(", ")})`,
    });
    return z.NEVER;
  }
  return ranges.flatMap((r) => r.range ?? []);
}

/** One TRUSTED_PROXIES entry as `address/prefix`, or null when it is neither an IP address nor a CIDR range. */
function proxyRange(entry: string): string | null {
  const [address = "", bits, extra] = entry.split("/");
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  if (family === 0 || extra !== undefined) return null;
  if (bits === undefined) return `${address}/${max}`;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? `${address}/${Number(bits)}` : null;
}

/** Why an SMTP_URL is unusable, or null. Never quotes the password. */
function smtpUrlProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return "must be a URL like smtp://user:pass@mail.example.org:587 or smtps://mail.example.org";
  }
  if (u.protocol !== "smtp:" && u.protocol !== "smtps:") return `must start with smtp:// or smtps:// (got ${u.protocol}//)`;
  if (!u.hostname) return "names no host (smtp://host[:port])";
  if (u.password && !u.username) return "has a password but no user name (smtp://user:pass@host)";
  if ((u.pathname && u.pathname !== "/") || u.search || u.hash)
    return "must not have a path, query or fragment (smtp://[user:pass@]host[:port])";
  return null;
}

/** Connection settings from a validated SMTP_URL; user and password are percent-decoded. */
function smtpSettings(value: string) {
  const u = new URL(value);
  const secure = u.protocol === "smtps:";
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"), // IPv6 literals come bracketed
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    user: u.username ? decodeURIComponent(u.username) : null,
    pass: u.password ? decodeURIComponent(u.password) : null,
  };
}

/** Host, port and protocol of STRIPE_API_URL, the form the Stripe SDK takes. */
function stripeApi(value: string) {
  const u = new URL(value);
  const protocol = u.protocol === "http:" ? ("http" as const) : ("https" as const);
  return { host: u.hostname, port: u.port ? Number(u.port) : protocol === "http" ? 80 : 443, protocol };
}

/** A URL value as safe to print: any password replaced (DATABASE_URL, SMTP_URL). */
const redactUrl = (value: string) => value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^@/]*@/i, "$1***@");

/**
 * Why a secret is too weak to sign sessions or upload forms in production, or null. Length alone
 * let `a` × 32 through. Never quotes the value. A random 32-character hex string fails these with
 * a probability below one in ten million.
 */
function weakSecretProblem(value: string): string | null {
  if (/change.?me/i.test(value)) return "is a placeholder";
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < 8) return `is weak: only ${counts.size} different characters`;
  if (Math.max(...counts.values()) * 2 > value.length) return "is weak: one character is more than half of it";
  for (let period = 1; period <= value.length / 2 && period <= 512; period++) {
    if (value.slice(period) === value.slice(0, -period)) return `is weak: a ${period}-character piece repeated`;
  }
  return null;
}

/** Thrown when the environment is invalid; its message lists every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parse and validate the environment. Throws ConfigError naming each bad or missing variable.
 * `roles`: what the process runs (default all four); without the web role, production does not
 * require the web role's secrets.
 */
export function loadConfig(env: Record<string, string | undefined>, opts: { roles?: readonly ServiceRole[] } = {}) {
  // Empty strings mean "unset" (systemd units and .env files often carry `FOO=`).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const servesWeb = opts.roles === undefined || opts.roles.includes("web");
  const r = (servesWeb ? Env : WorkerEnv).safeParse({ ...DEFAULT_VARIANTS, ...cleaned });
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      // An issue without a path is about several variables and names them itself.
      if (i.path.length === 0) return `  ${i.message}`;
      const name = i.path.join(".");
      // Secrets and tokens are never echoed back.
      const shown =
        typeof cleaned[name] === "string" && !/SECRET|TOKEN/.test(name) ? ` (got ${JSON.stringify(redactUrl(cleaned[name]))})` : "";
      return `  ${name}: ${i.message}${shown}`;
    });
    // A format checked in Common and again by its variant (ARCHIVE_VAULT) is said once.
    throw new ConfigError(`Invalid environment:\n${[...new Set(lines)].join("\n")}`);
  }
  const e = r.data;
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(e.DATA_DIR);
  // In development secrets are generated per process: sessions and upload policies simply do
  // not survive a restart, which is fine for a laptop and refused in production above.
  const secret = () => randomBytes(32).toString("hex");
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === "production",
    http: { host: e.HOST, port: e.PORT, publicUrl: e.PUBLIC_URL?.replace(/\/$/, "") ?? null, trustedProxies: e.TRUSTED_PROXIES ?? [] },
    database: e.DATABASE_URL
      ? ({ kind: "postgres", url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX } as const)
      : ({ kind: "pglite", dataDir: join(dataDir, "pglite") } as const),
    backend: {
      kind: e.GAS_BACKEND,
      dataDir,
      objectsDir: join(dataDir, "objects"),
      outboxDir: join(dataDir, "outbox"),
      workDir: join(dataDir, "work"),
    },
    secrets: {
      session: e.SESSION_SECRET ?? secret(),
      uploadSigning: e.UPLOAD_SIGNING_SECRET ?? secret(),
    },
    limits: {
      freeMaxUploadBytes: e.FREE_MAX_UPLOAD_BYTES,
      /** Per-plan quotas: 0 is no limit (running jobs: at least 1). */
      plans: {
        free: {
          maxInputBytes: e.FREE_MAX_INPUT_BYTES,
          maxVariants: e.FREE_MAX_VARIANTS,
          maxResultBytes: e.FREE_MAX_RESULT_BYTES,
          maxRunningJobs: e.FREE_MAX_RUNNING_JOBS,
        },
        premium: {
          maxInputBytes: e.PREMIUM_MAX_INPUT_BYTES,
          maxVariants: e.PREMIUM_MAX_VARIANTS,
          maxResultBytes: e.PREMIUM_MAX_RESULT_BYTES,
          maxRunningJobs: e.PREMIUM_MAX_RUNNING_JOBS,
        },
      },
      archiveAfterSeconds: e.ARCHIVE_AFTER_SECONDS,
      restoreCheckSeconds: e.RESTORE_CHECK_SECONDS,
      uploadPolicySeconds: e.UPLOAD_POLICY_SECONDS,
      rate: {
        signInsPerMinute: e.RATE_LIMIT_SIGNINS_PER_MINUTE,
        uploadsPerMinute: e.RATE_LIMIT_UPLOADS_PER_MINUTE,
        requestsPerUserPerMinute: e.RATE_LIMIT_API_PER_MINUTE,
      },
    },
    /** The local archive vault (GAS_BACKEND=local). */
    vault: { dir: join(dataDir, "vault"), restoreDelaySeconds: e.RESTORE_DELAY_SECONDS },
    /** null: no Stripe; outside production the local adapter simulates checkout. */
    stripe:
      e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET && e.STRIPE_PRICE_ID
        ? {
            secretKey: e.STRIPE_SECRET_KEY,
            webhookSecret: e.STRIPE_WEBHOOK_SECRET,
            priceId: e.STRIPE_PRICE_ID,
            api: e.STRIPE_API_URL ? stripeApi(e.STRIPE_API_URL) : null,
          }
        : null,
    queue: {
      visibilitySeconds: e.QUEUE_VISIBILITY_SECONDS,
      maxAttempts: e.QUEUE_MAX_ATTEMPTS,
      retryBaseSeconds: e.QUEUE_RETRY_BASE_SECONDS,
      pollMs: e.QUEUE_POLL_MS,
    },
    annotator: {
      concurrency: e.ANNOTATOR_CONCURRENCY,
      referenceDir: e.REFERENCE_DIR ?? null,
      shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
      /** When a job is split into chunks (src/modules/jobs/split/); null: never. */
      split:
        e.SPLIT_MIN_VARIANTS === 0 && e.SPLIT_MIN_BYTES === 0
          ? null
          : { minVariants: e.SPLIT_MIN_VARIANTS, minBytes: e.SPLIT_MIN_BYTES, chunkVariants: e.SPLIT_CHUNK_VARIANTS },
      /** ANNOTATOR_MODE=push: the SNS webhook's settings (null: long-poll the queue). */
      push:
        e.ANNOTATOR_MODE === "push"
          ? {
              host: e.HOST,
              port: e.ANNOTATOR_PUSH_PORT,
              topicArn: e.ANNOTATOR_PUSH_TOPIC_ARN,
              tls:
                e.ANNOTATOR_PUSH_TLS_CERT && e.ANNOTATOR_PUSH_TLS_KEY
                  ? { certFile: e.ANNOTATOR_PUSH_TLS_CERT, keyFile: e.ANNOTATOR_PUSH_TLS_KEY }
                  : null,
              sweepSeconds: e.ANNOTATOR_PUSH_SWEEP_SECONDS,
              trustedTestOrigin: e.SNS_PUSH_TEST_TRUSTED_ORIGIN ?? null,
            }
          : null,
    },
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID
        ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, scopes: e.OIDC_SCOPES }
        : null,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    /** The web role's results stores: local cache and query threads (src/modules/results/). */
    results: {
      cacheDir: e.RESULTS_CACHE_DIR ? resolve(e.RESULTS_CACHE_DIR) : join(dataDir, "results-cache"),
      cacheMaxBytes: e.RESULTS_CACHE_MAX_BYTES,
      queryThreads: e.RESULTS_QUERY_THREADS ?? Math.min(2, availableParallelism()),
    },
    /** null: emails go to the outbox folder under DATA_DIR. */
    mail: { smtp: e.SMTP_URL ? smtpSettings(e.SMTP_URL) : null, from: e.MAIL_FROM },
    /** GAS_BACKEND=aws: region, endpoints, resource names, SES sender (null on the local backend). */
    aws: e.GAS_BACKEND === "aws" ? awsSettings(e) : null,
    logLevel: e.LOG_LEVEL,
    metrics: {
      token: e.METRICS_TOKEN ?? null,
      /** Worker-only processes: METRICS_PORT plus the role's offset; null: no metrics port. */
      port: e.METRICS_PORT ?? null,
      // Production binds the worker port to loopback unless told where (a scraper on another host).
      host: e.METRICS_HOST ?? (e.NODE_ENV === "production" ? "127.0.0.1" : e.HOST),
      jobCountsMaxAgeSeconds: e.METRICS_JOB_COUNTS_SECONDS,
      backlogIntervalSeconds: e.BACKLOG_METRIC_SECONDS,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
