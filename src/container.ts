/**
 * The composition root: the only file that imports src/adapters/*. It reads the configuration,
 * opens the database, picks one adapter per port (the local backend or AWS, two explicit
 * branches below), then builds the services the roles use.
 */
import { join } from "node:path";
import { createDevIdentity } from "./adapters/local/dev-identity.ts";
import { createFsArchiveVault } from "./adapters/local/fs-archive-vault.ts";
import { createLocalPayments } from "./adapters/local/local-payments.ts";
import { createFsObjectStore } from "./adapters/local/fs-object-store.ts";
import { createOidcIdentity } from "./adapters/local/oidc-identity.ts";
import { createOutboxMailer } from "./adapters/local/outbox-mailer.ts";
import type { SweepsStaleTempFiles } from "./adapters/local/stale-temp-files.ts";
import { createPgJobStore } from "./adapters/local/pg-job-store.ts";
import { createPgSplitStore } from "./adapters/local/pg-split-store.ts";
import { createPgMessaging } from "./adapters/local/pg-queue.ts";
import { createPrometheusScalingMetrics } from "./adapters/local/prometheus-scaling-metrics.ts";
import { createSmtpMailer } from "./adapters/local/smtp-mailer.ts";
import type { Config } from "./config.ts";
import { type Database, notify, openDatabase } from "./db/open-database.ts";
import { createAccountsService, createEmailVerificationService, createSessionsService, withTokenCache } from "./modules/accounts/index.ts";
import { type ArchiverDeps, createArchiver } from "./modules/archive/index.ts";
import type { AnnotationWorkerDeps } from "./modules/jobs/annotation-worker.ts";
import { type NotifierMessage, addressVerificationSender, createNotifier } from "./modules/notify/index.ts";
import { LOCAL_CHECKOUT_PATH, createBillingService } from "./modules/billing/index.ts";
import { createJobsService } from "./modules/jobs/index.ts";
import { createGasMetrics } from "./metrics/index.ts";
import { createShareLinksService } from "./modules/sharing/index.ts";
import { createResultsService, createStoreCache, createThreadQueries } from "./modules/results/index.ts";
import type { ArchiveVault } from "./ports/archive-vault.ts";
import type { IdentityProvider } from "./ports/identity.ts";
import type { JobStore } from "./ports/job-store.ts";
import type { Mailer } from "./ports/mailer.ts";
import type { ObjectStore, UploadReceiver } from "./ports/object-store.ts";
import type { Payments, SimulatedCheckout } from "./ports/payments.ts";
import type { Queue, Topic } from "./ports/queue.ts";
import type { ScalingMetrics } from "./ports/scaling-metrics.ts";
import type { SplitStore } from "./ports/split-store.ts";
import type { Logger } from "./shared/logger.ts";

/** One adapter per port; a missing one is a compile error here. */
export interface Ports {
  inputs: ObjectStore;
  results: ObjectStore;
  jobStore: JobStore;
  /** The chunk bookkeeping of jobs split across the annotators (issue 16 item 5). */
  splits: SplitStore;
  topic: Topic;
  queue<M>(name: string): Queue<M>;
  mailer: Mailer;
  /** Cold storage for free users' results. */
  vault: ArchiveVault;
  /** Stripe when configured; the simulated checkout outside production; null (no payment) otherwise. */
  payments: Payments | null;
  /** OIDC when configured, else dev sign-in outside production; null (sign-in answers 503) otherwise. */
  identity: IdentityProvider | null;
  /** Where annotators publish their backlog per instance: CloudWatch on AWS, a /metrics gauge locally. */
  scaling: ScalingMetrics;
}

/** NOTIFY channel carrying the id of a user whose tokens or profile changed. */
const ACCOUNT_CHANGES_CHANNEL = "gas_accounts";

/** Path of the local object store's upload endpoint in the web role. */
export const LOCAL_UPLOAD_PATH = "/upload/inputs";

/**
 * Build everything the roles need. `close()` releases the database and listeners. `opened.database`
 * replaces the configured one (tests hand in a copy of a migrated template; the container owns it).
 */
export async function buildContainer(cfg: Config, log: Logger, opened: { database?: Database } = {}) {
  const database: Database =
    opened.database ??
    (await openDatabase(
      cfg.database.kind === "pglite"
        ? { kind: "pglite", dataDir: cfg.database.dataDir }
        : { kind: "postgres", url: cfg.database.url, max: cfg.database.poolMax },
    ));
  const publicUrl = cfg.http.publicUrl ?? `http://localhost:${cfg.http.port}`;
  // One Prometheus registry per container (per process in production; tests build many).
  const metrics = createGasMetrics();
  // The storage and messaging adapters: two branches, and nothing of one is built on the other.
  const backend = cfg.aws ? await awsBackend(cfg, cfg.aws) : localBackend(cfg, database);
  const smtp = cfg.mail.smtp ? createSmtpMailer({ smtp: cfg.mail.smtp, from: cfg.mail.from }) : null;
  const { payments, simulatedCheckout } = await paymentsFor(cfg);
  // SMTP_URL, when set, carries the mail on either backend. On AWS without it, SES (config.ts
  // refuses GAS_BACKEND=aws with neither SES_FROM nor SMTP_URL).
  const mailer = smtp ?? backend.mailer;
  if (!mailer) throw new Error("no mailer: GAS_BACKEND=aws needs SES_FROM or SMTP_URL");
  const ports: Ports = {
    ...backend.ports,
    mailer,
    payments,
    identity: cfg.oidc
      ? createOidcIdentity({ ...cfg.oidc, allowInsecure: !cfg.production && cfg.oidc.issuer.startsWith("http:") })
      : cfg.production
        ? null
        : createDevIdentity({ production: cfg.production, formPath: "/login/dev" }),
    scaling: backend.scaling ?? createPrometheusScalingMetrics(metrics.registry),
  };
  // The local adapters sweep the temp files of writers killed mid-write (stale-temp-files.ts) when
  // they are created; say how many, as the annotator does for its work folders.
  for (const [port, adapter] of Object.entries(ports)) {
    const swept = (adapter as Partial<SweepsStaleTempFiles> | null)?.staleTempsRemoved;
    swept?.then(
      (count) => count > 0 && log.info("removed stale temp files", { port, count }),
      (err) => log.warn("stale temp file sweep failed", { port, err }),
    );
  }
  // API tokens are looked up once per few seconds, not per request; revocations and profile
  // changes reach every process over LISTEN/NOTIFY. PGlite belongs to one process, so there the
  // cache's own eviction is enough (and a listener makes every PGlite statement dearer).
  const accounts = await withTokenCache(createAccountsService(database.db), {
    changes:
      database.kind === "postgres"
        ? {
            publish: (userId) => notify(database, ACCOUNT_CHANGES_CHANNEL, userId),
            subscribe: (onUserId) => database.listen(ACCOUNT_CHANGES_CHANNEL, onUserId),
          }
        : undefined,
  });
  const sessions = createSessionsService(database.db, { ttlSeconds: cfg.sessionTtlSeconds });
  // Links are built from PUBLIC_URL, never from a request's Host header (it would let a link point elsewhere).
  const emailVerification = createEmailVerificationService({
    db: database.db,
    sendMail: addressVerificationSender(ports.mailer),
    publicUrl,
  });
  const shares = createShareLinksService(database.db);
  const jobs = createJobsService({
    jobs: ports.jobStore,
    inputs: ports.inputs,
    results: ports.results,
    topic: ports.topic,
    limits: cfg.limits,
    splits: ports.splits,
  });
  // The web role's results: stores fetched to a capped local folder, queried off the event loop.
  const resultQueries = createThreadQueries({ threads: cfg.results.queryThreads });
  const results = createResultsService({
    results: ports.results,
    jobs: ports.jobStore,
    log: log.child({ module: "results" }),
    cache: createStoreCache({
      dir: cfg.results.cacheDir,
      maxBytes: cfg.results.cacheMaxBytes,
      results: ports.results,
      onEvict: (path) => resultQueries.forget(path),
    }),
    queries: resultQueries,
  });
  const billing = ports.payments
    ? createBillingService({
        db: database.db,
        accounts,
        payments: ports.payments,
        jobs: ports.jobStore,
        topic: ports.topic,
        log: log.child({ module: "billing" }),
      })
    : null;
  return {
    config: cfg,
    log,
    database,
    ports,
    /** Prometheus metrics of this process (served by the web role, or a worker's METRICS_PORT). */
    metrics,
    accounts,
    /** Verification links for users' addresses (the web role sends them; the notifier mails only verified ones). */
    emailVerification,
    sessions,
    shares,
    jobs,
    /** A job's results store, for the results page and the rows API. */
    results,
    billing,
    /** The local adapter's checkout pages (development only). */
    simulatedCheckout,
    publicUrl,
    /**
     * The worker roles' handlers, built here from the ports and services so that a role only
     * consumes queues with them and a test builds the same ones (with `over` to wrap a port).
     */
    archiver: (handlerLog: Logger, over: Partial<ArchiverDeps> = {}) =>
      createArchiver({
        jobs: ports.jobStore,
        results: ports.results,
        inputs: ports.inputs,
        vault: ports.vault,
        topic: ports.topic,
        accounts,
        archiveAfterSeconds: cfg.limits.archiveAfterSeconds,
        restoreCheckSeconds: cfg.limits.restoreCheckSeconds,
        // The annotators' claim lease (QUEUE_VISIBILITY_SECONDS): see ArchiverDeps.
        deleteSettleSeconds: cfg.queue.visibilitySeconds,
        log: handlerLog,
        ...over,
      }),
    notifier: (handlerLog: Logger) =>
      createNotifier({
        db: database.db,
        jobs: ports.jobStore,
        accounts,
        mailer: ports.mailer,
        queue: ports.queue<NotifierMessage>("notifier"),
        publicUrl,
        archiveAfterSeconds: cfg.limits.archiveAfterSeconds,
        log: handlerLog,
        onMalformed: (queue) => metrics.malformedMessages.inc({ queue }),
      }),
    /** The engine is loaded only here, by the annotator role: web processes never load it. */
    annotationWorker: async (opts: Pick<AnnotationWorkerDeps, "engine" | "queue" | "jobs" | "log" | "reference" | "splits">) =>
      (await import("./modules/jobs/annotation-worker.ts")).createAnnotationWorker({
        inputs: ports.inputs,
        results: ports.results,
        topic: ports.topic,
        workDir: cfg.backend.workDir,
        visibilitySeconds: cfg.queue.visibilitySeconds,
        maxAttempts: cfg.queue.maxAttempts,
        // Whole-genome jobs split across the annotators (SPLIT_* settings).
        splits: ports.splits,
        split: cfg.annotator.split,
        plans: {
          limits: cfg.limits.plans,
          // A user deleted since submitting is held to the free plan's limits.
          tierOf: async (userId: string) => (await accounts.get(userId))?.tier ?? "free",
          archiveAfterSeconds: cfg.limits.archiveAfterSeconds,
        },
        onMalformed: (queue) => metrics.malformedMessages.inc({ queue }),
        ...opts,
      }),
    /** ANNOTATOR_MODE=push: starts the SNS webhook and gives the annotator its push-driven queue (null: poll). */
    annotatorPush: cfg.annotator.push
      ? (await import("./adapters/aws/sns-push-endpoint.ts")).createSnsPushStarter(cfg.annotator.push)
      : null,
    // On AWS the browser posts straight to S3: no upload route in the web role.
    uploads: backend.uploads,
    async close() {
      await resultQueries.close();
      await backend.close();
      await accounts.close();
      smtp?.close();
      await database.close();
    },
  };
}

export type Container = Awaited<ReturnType<typeof buildContainer>>;

/** What a backend provides: storage and messaging ports, and what goes with them. */
interface Backend {
  ports: Pick<Ports, "inputs" | "results" | "jobStore" | "splits" | "topic" | "queue" | "vault">;
  /** The backend's own mail (the outbox folder, or SES); null on AWS without SES_FROM. */
  mailer: Mailer | null;
  /** Where annotators publish their backlog (CloudWatch on AWS); null: a /metrics gauge. */
  scaling: ScalingMetrics | null;
  /** The local object store's upload endpoint; null on AWS, where browsers post to S3. */
  uploads: { path: string; receiver: UploadReceiver } | null;
  close(): Promise<void>;
}

/**
 * The one-box backend: PostgreSQL (or PGlite) for jobs and the queue, folders for files, archives
 * and the outbox. A job's insert and its job.requested message are one statement (the outbox).
 */
function localBackend(cfg: Config, database: Database): Backend {
  const messaging = createPgMessaging(database, cfg.queue);
  const objectStore = (bucket: string) =>
    createFsObjectStore({
      root: join(cfg.backend.objectsDir, bucket),
      bucket,
      uploadUrl: LOCAL_UPLOAD_PATH, // relative: the web role makes it absolute per request
      signingSecret: cfg.secrets.uploadSigning,
    });
  const inputs = objectStore("gas-inputs");
  return {
    ports: {
      inputs,
      results: objectStore("gas-results"),
      jobStore: createPgJobStore(database.db, { outbox: messaging.outbox }),
      splits: createPgSplitStore(database.db),
      topic: messaging.topic,
      queue: messaging.queue,
      vault: createFsArchiveVault({ root: cfg.vault.dir, topic: messaging.topic, restoreDelaySeconds: cfg.vault.restoreDelaySeconds }),
    },
    mailer: createOutboxMailer(cfg.backend.outboxDir, cfg.mail.from),
    scaling: null,
    uploads: { path: LOCAL_UPLOAD_PATH, receiver: inputs },
    close: () => messaging.close(),
  };
}

/**
 * GAS_BACKEND=aws: S3, SNS → SQS, DynamoDB, S3 archive tiers or a Glacier vault, SES, CloudWatch
 * (accounts stay in PostgreSQL). The AWS SDK is loaded only here, so the local backend never loads it.
 */
async function awsBackend(cfg: Config, settings: NonNullable<Config["aws"]>): Promise<Backend> {
  const aws = (await import("./adapters/aws/aws-ports.ts")).createAwsPorts(settings, cfg.queue);
  return {
    ports: {
      inputs: aws.inputs,
      results: aws.results,
      jobStore: aws.jobStore,
      splits: aws.splits,
      topic: aws.topic,
      queue: aws.queue,
      vault: aws.vault,
    },
    mailer: aws.mailer,
    scaling: aws.scaling,
    uploads: null,
    close: () => aws.close(),
  };
}

/** Stripe when configured (its SDK loaded only then); outside production the simulated checkout. */
async function paymentsFor(cfg: Config): Promise<{ payments: Payments | null; simulatedCheckout: SimulatedCheckout | null }> {
  if (cfg.stripe)
    return { payments: (await import("./adapters/stripe/stripe-payments.ts")).createStripePayments(cfg.stripe), simulatedCheckout: null };
  if (cfg.production) return { payments: null, simulatedCheckout: null };
  const local = createLocalPayments({ secret: `payments:${cfg.secrets.session}`, basePath: LOCAL_CHECKOUT_PATH });
  return { payments: local, simulatedCheckout: local.simulated };
}

/** `gas aws …` (bootstrap): the AWS adapters' own command, loaded only when asked for. */
export async function runAwsCli(args: string[], env: Record<string, string | undefined>): Promise<number> {
  return (await import("./adapters/aws/aws-cli.ts")).runAwsCli(args, env);
}
