/** The API tokens part of the JSON API (/account/tokens) as zod schemas: validation and /openapi.json. */
import { z } from "zod";

/** A token's label; PostgreSQL text cannot hold NUL, so control characters are refused (they were a 500). */
export const TokenName = z
  .string()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
  .describe("A label to tell tokens apart (default `api`; at most 100 characters are kept)");

export const NewApiToken = z.object({ name: TokenName.optional() }).meta({ id: "NewApiToken" });

const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The token's first characters"),
  created: z.iso.datetime(),
  last_used: z.iso.datetime().nullable(),
});

export const ApiTokenList = z
  .object({ code: z.literal(200), status: z.literal("success"), tokens: z.array(ApiToken) })
  .meta({ id: "ApiTokenList" });

export const CreatedApiToken = ApiToken.extend({
  code: z.literal(201),
  status: z.literal("success"),
  token: z.string().describe("Send as `Authorization: Bearer <token>`; it is not shown again"),
}).meta({ id: "CreatedApiToken" });

export const Revoked = z.object({ code: z.literal(200), status: z.literal("success") }).meta({ id: "Revoked" });
