/**
 * The one error handler: AppError → its status with its (user-safe) message; HTTPException →
 * its own status; anything else → 500 with a generic message (details only in the log). JSON
 * clients get the original API's `{code, status: "error", message}`; browsers get a friendly
 * page, and an oversized upload gets the page that explains the limit and offers the upgrade.
 */
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, HTTP_STATUS } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";
import { Layout } from "./layout.tsx";
import { jsonError, wantsJson } from "./negotiate.ts";
import { type PageCtx, pageCtx } from "./page-context.ts";

const TITLES: Record<number, { title: string; quip: string }> = {
  400: { title: "That request did not make sense", quip: "Even a well-formed VCF has its limits." },
  401: { title: "Please sign in", quip: "We need to know who you are before we mutate anything." },
  403: { title: "Not allowed", quip: "The supreme leader of the mutating genome revolutionary party says no." },
  404: { title: "Page not found", quip: "This page went the way of an intergenic variant: nowhere in particular." },
  402: { title: "Premium feature", quip: "" },
  413: { title: "File too large", quip: "" },
  503: { title: "Temporarily unavailable", quip: "Please try again in a minute." },
  500: { title: "Something went wrong", quip: "We have been notified, and are mutating towards a fix." },
};

/** Friendly error page. */
export function ErrorPage(props: { ctx: PageCtx; status: number; message: string }) {
  const t = TITLES[props.status] ?? { title: `Error ${props.status}`, quip: "" };
  return (
    <Layout ctx={props.ctx} title={t.title}>
      <h1 class="h2">{t.title}</h1>
      <div class={`alert ${props.status >= 500 ? "alert-danger" : "alert-warning"}`} role="alert">
        {props.message}
      </div>
      {t.quip ? <p class="text-body-secondary">{t.quip}</p> : null}
      <p>
        {props.status === 402 ? (
          <>
            <a href="/subscribe" class="btn btn-primary" id="upgrade-offer">
              Upgrade to Premium
            </a>{" "}
          </>
        ) : null}
        <a href="/" class="btn btn-outline-primary">
          Back home
        </a>{" "}
        {props.ctx.user ? (
          <a href="/annotations" class="btn btn-outline-secondary">
            My annotations
          </a>
        ) : null}
      </p>
      <p class="small text-body-secondary">Error {props.status}</p>
    </Layout>
  );
}

/** The page an oversized upload lands on: the limit, and the way out (upgrade or a smaller file). */
export function TooLargePage(props: { ctx: PageCtx; message: string }) {
  return (
    <Layout ctx={props.ctx} title="File too large">
      <h1 class="h2">This file is too large for a free account</h1>
      <div class="alert alert-warning" role="alert" id="too-large-message">
        {props.message}
      </div>
      <p>Premium accounts can annotate files of any size, and their results are never archived. Upgrade, or choose a smaller file.</p>
      <p>
        <a href="/subscribe" class="btn btn-primary">
          Upgrade to Premium
        </a>{" "}
        <a href="/annotate" class="btn btn-outline-secondary">
          Choose another file
        </a>
      </p>
    </Layout>
  );
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  let status: ContentfulStatusCode = 500;
  let message = "Something went wrong on our side; please try again.";
  if (err instanceof AppError) {
    status = HTTP_STATUS[err.code];
    message = err.message;
  } else if (err instanceof HTTPException) {
    status = err.status as ContentfulStatusCode;
    message = err.message || (status === 403 ? "This request was refused." : "Request refused");
  } else {
    c.var.log?.error("unhandled error", { err, path: c.req.path });
  }
  if (wantsJson(c)) return c.json(jsonError(status, message), status);
  const ctx = pageCtx(c);
  if (status === 413) return c.html(<TooLargePage ctx={ctx} message={message} />, status);
  return c.html(<ErrorPage ctx={ctx} status={status} message={message} />, status);
};
