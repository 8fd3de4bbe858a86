/**
 * Pieces of the OpenAPI document that the JSON routes of every module describe themselves with
 * (hono-openapi's `describeRoute` next to the handler; src/roles/web/openapi.ts assembles the
 * document from the routes). Schemas with a `.meta({ id })` become components.
 */
import { resolver } from "hono-openapi";
import type { z } from "zod";
import { ErrorResponse } from "./negotiate.ts";

/**
 * A JSON response whose body `schema` describes: as zod outputs it (`io: "output"`, so an object
 * has `additionalProperties: false` and a response with a field the schema lacks fails the fuzz
 * run's conformance check); request bodies are described as zod accepts them.
 */
export const jsonResponse = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema: resolver(schema, { options: { io: "output" } }) } },
});

/** An error in the original API's envelope (`{code, status: "error", message}`). */
export const errorResponse = (description: string) => jsonResponse(ErrorResponse, description);

/** A plain-text download. */
export const textResponse = (description: string) => ({ description, content: { "text/plain": {} } });

/** A path parameter holding a uuid (job and token ids). */
export const uuidParam = (name: string) => ({
  name,
  in: "path" as const,
  required: true,
  schema: { type: "string" as const, format: "uuid" },
});

/**
 * An unsafe request with neither a token nor a JSON body is form-like, so without this site's
 * Origin it is refused as cross-site before it is known who sent it (src/web/csrf.ts originCheck).
 */
/** A URL or headers past the server's limit (Bun answers before any route runs). */
export const urlTooLongResponse = { "431": { description: "The URL or headers are too long: send fewer or shorter values" } };
export const crossSiteResponse = { "403": errorResponse("No token, and not from this site: refused as cross-site") };

/** For operations anyone may call: no bearer token (the document's default is bearer). */
export const noAuth: { security: [] } = { security: [] };
