/**
 * The one error handler: AppError → its status with its (user-safe) message; HTTPException →
 * its own response; anything else → 500 with a generic message (details only in the log).
 * JSON clients get the original API's `{code, status: "error", message}`.
 */
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, HTTP_STATUS } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";
import { Layout } from "./layout.tsx";
import { jsonError, wantsJson } from "./negotiate.ts";

/** Error page. */
export function ErrorPage(props: { status: number; message: string; user: AppEnv["Variables"]["user"] }) {
  return (
    <Layout title={`Error ${props.status}`} user={props.user}>
      <h1>Error {props.status}</h1>
      <p role="alert">{props.message}</p>
      <p>
        <a href="/">Back home</a>
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
    message = err.message || (status === 403 ? "Forbidden" : "Request refused");
  } else {
    c.var.log?.error("unhandled error", { err, path: c.req.path });
  }
  if (wantsJson(c)) return c.json(jsonError(status, message), status);
  return c.html(<ErrorPage status={status} message={message} user={c.var.user ?? null} />, status);
};
