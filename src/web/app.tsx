/**
 * The web role's Hono app: request ids and JSON access logs, CSRF protection for forms, sessions
 * and API tokens, then the route groups. Built from services, never from adapters.
 */
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { requestId } from "hono/request-id";
import type { AccountsService } from "../modules/accounts/index.ts";
import { type JobsService, jobsRoutes } from "../modules/jobs/index.ts";
import type { IdentityProvider } from "../ports/identity.ts";
import type { UploadReceiver } from "../ports/object-store.ts";
import { AppError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { AppEnv } from "./app-env.ts";
import { authRoutes } from "./auth.routes.tsx";
import { Layout } from "./layout.tsx";
import { jsonError, wantsJson } from "./negotiate.ts";
import { onError } from "./on-error.tsx";
import { buildOpenApiDocument } from "./openapi.ts";
import { type SessionOptions, loadUser } from "./session.ts";

export interface WebDeps {
  accounts: AccountsService;
  jobs: JobsService;
  identity: IdentityProvider | null;
  /** The local object store's upload endpoint (null on AWS, where browsers post to S3). */
  uploads: { path: string; receiver: UploadReceiver } | null;
  session: SessionOptions;
  publicUrl: string | null;
  /** Dependency checks for /readyz. */
  ready: () => Promise<void>;
  log: Logger;
}

/** Build the app. */
export function createWebApp(deps: WebDeps) {
  const baseUrl = (requestUrl: string) => deps.publicUrl ?? new URL(requestUrl).origin;
  const openapi = buildOpenApiDocument(deps.publicUrl);
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound((c) => {
    if (wantsJson(c)) return c.json(jsonError(404, "Not found"), 404);
    throw new AppError("NOT_FOUND", "There is nothing at this address");
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await deps.ready();
      return c.json({ status: "ready" });
    } catch (err) {
      deps.log.warn("not ready", { err });
      return c.json({ status: "unavailable" }, 503);
    }
  });

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
  // Form posts must come from our own pages (Origin check); JSON API calls carry a bearer token.
  // The upload endpoint is exempt: like S3, the signed policy is its authorisation.
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : null;
  const csrfCheck = csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin });
  app.use((c, next) => (deps.uploads && c.req.path === deps.uploads.path ? next() : csrfCheck(c, next)));
  app.use(loadUser(deps.accounts, deps.session));

  app.get("/openapi.json", (c) => c.json(openapi));
  app.get("/", (c) =>
    c.html(
      <Layout title="Home" user={c.var.user}>
        <h1>Genomics Annotation Service</h1>
        <p>It's a gas! (and useful too)</p>
        <p>{c.var.user ? <a href="/annotate">Annotate a VCF file</a> : <a href="/login">Get started – it's free!</a>}</p>
      </Layout>,
    ),
  );

  if (deps.uploads) {
    const { receiver } = deps.uploads;
    app.post(deps.uploads.path, async (c) => {
      const body = await c.req.parseBody();
      const file = body.file;
      if (!(file instanceof File)) throw new AppError("INVALID_INPUT", 'Upload refused: the form has no "file" part');
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(body)) if (typeof v === "string") fields[k] = v;
      const stored = await receiver.receive(fields, file);
      c.var.log.info("upload stored", { key: stored.key, size: file.size });
      if (stored.redirect) return c.redirect(stored.redirect, 303);
      return c.body(null, 204);
    });
  }

  app.route("/", authRoutes({ identity: deps.identity, accounts: deps.accounts, session: deps.session, baseUrl }));
  app.route("/", jobsRoutes(deps.jobs, baseUrl));
  return app;
}
