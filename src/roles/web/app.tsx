/**
 * The web role's Hono app: request ids and JSON access logs, security headers, sessions and API
 * tokens, CSRF protection for forms, then the route groups. Built from services, never from
 * adapters.
 */
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import {
  type AccountsService,
  type EmailVerificationService,
  type SessionsService,
  accountRoutes,
  authRoutes,
  enforceTokenScopes,
  loadUser,
} from "../../modules/accounts/index.ts";
import { type BillingService, WEBHOOK_PATH, billingRoutes } from "../../modules/billing/index.ts";
import { type JobsService, jobsRoutes, uploadRoutes } from "../../modules/jobs/index.ts";
import { type ResultsService, rowsRoutes } from "../../modules/results/index.ts";
import type { ShareLinksService } from "../../modules/sharing/index.ts";
import type { IdentityProvider } from "../../ports/identity.ts";
import type { UploadReceiver } from "../../ports/object-store.ts";
import type { SimulatedCheckout } from "../../ports/payments.ts";
import { AppError } from "../../shared/errors.ts";
import { jsonResponse, noAuth } from "../../web/api-doc.ts";
import type { Logger } from "../../shared/logger.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { NotReadyError } from "../../metrics/readiness.ts";
import { limitBodies } from "../../web/body-limits.ts";
import { csrfProtection, originCheck } from "../../web/csrf.ts";
import { jsonError, wantsJson } from "../../web/negotiate.ts";
import { onError } from "../../web/on-error.tsx";
import { openApiDocument } from "./openapi.ts";
import { pagesRoutes } from "./pages.routes.tsx";
import { apiReferenceRoutes } from "./api-reference.routes.tsx";
import { clientAddressOf, fixedWindowRateLimit } from "../../web/rate-limit.ts";
import { type WebMetrics, metricsRoutes, recordHttpMetrics } from "./metrics.routes.ts";
import { staticRoutes } from "../../web/static-assets.ts";

export interface WebDeps {
  accounts: AccountsService;
  /** Verification links for users' email addresses (job emails go only to verified ones). */
  emailVerification: EmailVerificationService;
  sessions: SessionsService;
  shares: ShareLinksService;
  jobs: JobsService;
  /** Completed jobs' results stores (the results page, the rows API). */
  results: ResultsService;
  /** Subscriptions; null when no payment provider is configured. */
  billing: BillingService | null;
  /** The local payments adapter's checkout pages (development only). */
  simulatedCheckout: SimulatedCheckout | null;
  identity: IdentityProvider | null;
  /** The local object store's upload endpoint (null on AWS, where browsers post to S3). */
  uploads: { path: string; receiver: UploadReceiver } | null;
  /** Origins of the object store's upload URL when it is not this site (S3), for the CSP. */
  uploadOrigins?: string[];
  session: { secret: string; secure: boolean };
  publicUrl: string | null;
  limits: { freeMaxUploadBytes: number; archiveAfterSeconds: number };
  /** Per client address per minute (0: off); absent: 30 sign-ins and 300 uploads. */
  rateLimits?: { signInsPerMinute: number; uploadsPerMinute: number; requestsPerUserPerMinute?: number };
  /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES, `address/prefix`); absent: none. */
  trustedProxies?: readonly string[];
  /** Dependency checks for /readyz. */
  ready: () => Promise<void>;
  /** Prometheus metrics: request timing and GET /metrics (absent: neither). */
  metrics?: WebMetrics;
  log: Logger;
}

const Health = z.object({ status: z.literal("ok") }).meta({ id: "Health" });
const Readiness = z
  .object({
    status: z.enum(["ready", "unavailable"]),
    failed: z
      .array(z.string())
      .optional()
      .describe("The backends that failed or did not answer within 2 s (database, jobs, inputs, results, queue …)"),
  })
  .meta({ id: "Readiness" });

/** Build the app. */
export function createWebApp(deps: WebDeps) {
  const baseUrl = (requestUrl: string) => deps.publicUrl ?? new URL(requestUrl).origin;
  const session = { ...deps.session, sessions: deps.sessions };
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound((c) => {
    if (wantsJson(c)) return c.json(jsonError(404, "Not found"), 404);
    throw new AppError("NOT_FOUND", "There is nothing at this address.");
  });

  if (deps.metrics) app.use(recordHttpMetrics(deps.metrics.metrics));
  app.get(
    "/healthz",
    describeRoute({ summary: "The process answers", ...noAuth, responses: { "200": jsonResponse(Health, "Alive") } }),
    (c) => c.json({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    describeRoute({
      summary: "The process can serve: its database and stores answer",
      ...noAuth,
      responses: { "200": jsonResponse(Readiness, "Ready"), "503": jsonResponse(Readiness, "A dependency does not answer") },
    }),
    async (c) => {
      try {
        await deps.ready();
        return c.json({ status: "ready" });
      } catch (err) {
        deps.log.warn("not ready", { err });
        return c.json({ status: "unavailable" as const, ...(err instanceof NotReadyError ? { failed: err.failed } : {}) }, 503);
      }
    },
  );

  // Before sessions and API tokens: a scraper's bearer is METRICS_TOKEN; and scrapes are not access-logged.
  if (deps.metrics) app.route("/", metricsRoutes(deps.metrics));

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    c.set("log", deps.log.child({ requestId: c.var.requestId }));
    await next();
    c.var.log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      userId: c.var.user?.id,
    });
  });
  // No inline script or style anywhere, so the policy needs no 'unsafe-inline'. Bootstrap's CSS
  // uses data: SVGs for icons. Forms may post here, to the object store, and to the identity
  // provider's logout redirect.
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'", ...(deps.uploadOrigins ?? []), ...(deps.identity?.formOrigins ?? [])],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "same-origin",
      strictTransportSecurity: deps.session.secure ? "max-age=31536000; includeSubDomains" : false,
      permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    }),
  );
  app.route("/", staticRoutes());
  // Rate limits before any body parsing or database work: sign-in attempts, upload forms, uploads.
  const rate = deps.rateLimits ?? { signInsPerMinute: 30, uploadsPerMinute: 300 };
  const keyOf = clientAddressOf(deps.trustedProxies ?? []);
  const signInLimit = fixedWindowRateLimit({ limit: rate.signInsPerMinute, windowSeconds: 60, keyOf });
  app.post("/login/dev", signInLimit);
  app.get("/auth/callback", signInLimit);
  app.get("/annotate", fixedWindowRateLimit({ limit: rate.uploadsPerMinute, windowSeconds: 60, keyOf }));
  if (deps.uploads) app.post(deps.uploads.path, fixedWindowRateLimit({ limit: rate.uploadsPerMinute, windowSeconds: 60, keyOf }));
  // Form posts, and anything unsafe sent with the session cookie, must come from our own pages
  // (Origin check, then a CSRF token for forms). The upload endpoint is exempt: like S3, the
  // signed policy is its authorisation. Bearer-token API calls are exempt too: a cross-site page
  // cannot set Authorization (it would need a CORS preflight we never grant), and an API client
  // sends no Origin.
  const isUpload = (path: string) => !!deps.uploads && path === deps.uploads.path;
  // Bodies are bounded before anything below reads one (the upload endpoint streams, to its policy's limit).
  const hasBearer = (header: string | undefined) => /^bearer\s/i.test(header ?? "");
  // An API client's multipart POST /annotations streams its file to the store, cut off at its plan's limit (jobs.service storeUpload).
  const streamedSubmit = (path: string, c: Context<AppEnv>) =>
    // "Bearer " as loadUser reads it: a token it does not take is refused (401) before any body is read.
    path === "/annotations" &&
    (c.req.header("authorization") ?? "").toLowerCase().startsWith("bearer ") &&
    /^multipart\/form-data/i.test(c.req.header("content-type") ?? "");
  app.use(limitBodies({ exempt: (path, c) => isUpload(path) || streamedSubmit(path, c) }));
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : null;
  app.use(
    originCheck({
      allowed: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin,
      exempt: (c) => isUpload(c.req.path) || hasBearer(c.req.header("authorization")),
    }),
  );
  app.use(loadUser(deps.accounts, session));
  // Exempt: the signed upload form and the payment provider's signed webhook carry their own authorisation.
  app.use(enforceTokenScopes({ exempt: (path) => isUpload(path) || path === WEBHOOK_PATH }));
  // Per signed-in user, whichever way they came (browser session or API token): one user's script
  // cannot take the web fleet from everyone else. 429 with Retry-After, as the other limits.
  const perUser = fixedWindowRateLimit({
    limit: rate.requestsPerUserPerMinute ?? 900,
    windowSeconds: 60,
    keyOf: (c) => `user:${c.var.user?.id}`,
  });
  app.use((c, next) => (c.var.user ? perUser(c, next) : next()));
  app.use(csrfProtection({ secret: deps.session.secret, secure: deps.session.secure, exempt: (c) => isUpload(c.req.path) }));

  app.get("/openapi.json", openApiDocument(app, deps.publicUrl));

  if (deps.uploads) app.route("/", uploadRoutes(deps.uploads));

  app.route("/", pagesRoutes(deps.limits));
  app.route("/", apiReferenceRoutes());
  app.route("/", billingRoutes({ billing: deps.billing, simulated: deps.simulatedCheckout, limits: deps.limits, baseUrl }));
  app.route("/", authRoutes({ identity: deps.identity, accounts: deps.accounts, session, baseUrl }));
  app.route("/", accountRoutes(deps.accounts, deps.emailVerification));
  // Before the jobs routes: its GET /annotations/{id}/rows answers from the results store.
  app.route("/", rowsRoutes({ jobs: deps.jobs, results: deps.results, shares: deps.shares }));
  app.route(
    "/",
    jobsRoutes({
      jobs: deps.jobs,
      shares: deps.shares,
      results: deps.results,
      baseUrl,
      archiveAfterSeconds: deps.limits.archiveAfterSeconds,
    }),
  );
  return app;
}
