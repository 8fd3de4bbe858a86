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

/** Per status: what happened, in plain words, and what to do next. */
const TITLES: Record<number, { title: string; next: string }> = {
  400: { title: "The request could not be used", next: "Correct what the message above names, then try again." },
  401: { title: "Please sign in", next: "Sign in to continue; you will come back to where you were." },
  402: { title: "A Premium feature", next: "Premium keeps results available and annotates files of any size." },
  403: {
    title: "Not allowed",
    next: "If you came from a form or a link that was open for a while, go back, reload the page and try again.",
  },
  404: { title: "Page not found", next: "The address may be mistyped, or what it pointed to was removed." },
  409: { title: "That changed in the meantime", next: "Reload the page to see the current state, then try again." },
  413: { title: "Too large", next: "Send less at once, or see the limits on the home page." },
  429: { title: "Too many requests", next: "Wait the time the message names, then try again." },
  500: {
    title: "Something went wrong on our side",
    next: "It was logged. Try again in a minute; if it keeps happening, tell the operators the time and the request id below.",
  },
  503: { title: "Temporarily unavailable", next: "A service GAS depends on did not answer. Try again in a minute." },
};

/** Friendly error page. */
export function ErrorPage(props: { ctx: PageCtx; status: number; message: string; requestId?: string }) {
  const t = TITLES[props.status] ?? { title: props.status >= 500 ? TITLES[500]!.title : TITLES[400]!.title, next: "" };
  return (
    <Layout ctx={props.ctx} title={t.title}>
      <h1 class="h2">{t.title}</h1>
      <div class={`alert ${props.status >= 500 ? "alert-danger" : "alert-warning"}`} role="alert">
        {props.message}
      </div>
      {t.next ? <p>{t.next}</p> : null}
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
      <p class="small text-body-secondary">
        HTTP {props.status}
        {props.requestId ? ` · request id ${props.requestId}` : ""}
      </p>
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
  return c.html(<ErrorPage ctx={ctx} status={status} message={message} requestId={c.var.requestId} />, status);
};
