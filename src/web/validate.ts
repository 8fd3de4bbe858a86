/**
 * Request validation for every route: a validator middleware with a zod schema (through the
 * Standard Schema interface; `c.req.valid(target)` is typed by the schema), whose failure is the app's
 * INVALID_INPUT: a 400 naming the field, as JSON `{code, status, message}` or the error page
 * (src/web/on-error.tsx). `validate` is @hono/standard-validator's middleware; `documented` is
 * hono-openapi's, which is the same middleware and also puts the schema in /openapi.json (use it
 * on the JSON API's routes only: any route it is on appears in the document).
 */
import { type Hook, sValidator } from "@hono/standard-validator";
import type { Env, MiddlewareHandler, ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import { AppError } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";

/** A Standard Schema issue, as the validators report them. */
interface Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}
type Issues = readonly Issue[];
/** What a failed validation says. */
export type Describe = (issues: Issues) => string;

const pathOf = (issue: Issue) => (issue.path ?? []).map((p) => (typeof p === "object" ? String(p.key) : String(p))).join(".");

/** "Invalid request body: input_file: <zod's message>; …": where each problem is, then what it is (API bodies). */
export const fieldByField =
  (intro: string): Describe =>
  (issues) =>
    `${intro}: ${issues.map((i) => `${pathOf(i) || "body"}: ${i.message}`).join("; ")}`;

/** The schema's own messages, for forms and queries whose schemas word each rule as a sentence naming its field. */
export const sentences: Describe = (issues) => [...new Set(issues.map((i) => i.message))].join(" ");

/** The hook every validator runs: a failure is INVALID_INPUT, worded by `describe`. */
function invalidInput(describe: Describe): Hook<unknown, Env, string, keyof ValidationTargets> {
  return (result) => {
    if (!result.success) throw new AppError("INVALID_INPUT", describe(result.error));
  };
}

/** Validate one part of the request (`form`, `query`, `json`…) with `schema`; not in the OpenAPI document. */
export function validate<S extends z.ZodType, T extends keyof ValidationTargets>(target: T, schema: S, describe: Describe = sentences) {
  return sValidator(target, schema, invalidInput(describe));
}

/** `validate` for the JSON API: the schema is also the operation's request body or parameters in /openapi.json. */
export function documented<S extends z.ZodType, T extends keyof ValidationTargets>(target: T, schema: S, describe: Describe = sentences) {
  return validator(target, schema, invalidInput(describe));
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * In front of a JSON body's validator: a body that is not JSON is named, with what to send. The
 * validator alone would read a body of another type as `{}` (and report its fields missing) and
 * answer a malformed one with hono's "Malformed JSON in request body".
 */
export function jsonBody(example: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim();
    if (!JSON_TYPE.test(type))
      throw new AppError("INVALID_INPUT", `The request body must be JSON (Content-Type: application/json); send ${example}`);
    try {
      await c.req.json(); // hono keeps the text: the validator parses it again for free
    } catch (cause) {
      throw new AppError("INVALID_INPUT", `The request body is not valid JSON; send ${example}`, { cause });
    }
    await next();
  };
}

/**
 * A text field of a query or a form as `c.req.query()` and `c.req.parseBody()` read one: a repeated
 * query parameter counts with its first value, a repeated form field with its last; a file, or
 * nothing, is undefined. (The validators give repeated fields as arrays.)
 */
export const queryField = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional());
export const formField = z.preprocess((v) => {
  const last = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === "string" ? last : undefined;
}, z.string().optional());

/** `?flag=1` as a boolean (anything else, or nothing, is false). */
export const queryFlag = queryField.transform((v) => v === "1");
