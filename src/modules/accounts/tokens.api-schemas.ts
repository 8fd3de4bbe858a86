/** The API tokens part of the JSON API (/account/tokens) as zod schemas: validation and /openapi.json. */
import { z } from "zod";
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TOKEN_SCOPES } from "./accounts.service.ts";

/** A token's label; PostgreSQL text cannot hold NUL, so control characters are refused (they were a 500). */
export const TokenName = z
  .string()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
  .describe("A label to tell tokens apart (default `api`; at most 100 characters are kept)");

export const TokenScopes = z
  .array(z.enum(TOKEN_SCOPES, { error: () => `scopes: each must be one of ${TOKEN_SCOPES.join(", ")}` }))
  .describe(
    "What the token may do: `read` (GET your jobs and results), `submit` (also upload and start jobs), `manage` (also tokens, profile, sharing, billing). Default read and submit",
  );

export const ExpiresInDays = z.coerce
  .number()
  .int(`expires_in_days: a whole number of days from 1 to ${MAX_TOKEN_DAYS}`)
  .min(1, `expires_in_days: a whole number of days from 1 to ${MAX_TOKEN_DAYS}`)
  .max(MAX_TOKEN_DAYS, `expires_in_days: a whole number of days from 1 to ${MAX_TOKEN_DAYS}`)
  .describe(`Days until the token stops working (default ${DEFAULT_TOKEN_DAYS}, at most ${MAX_TOKEN_DAYS})`);

export const NewApiToken = z
  .object({ name: TokenName.optional(), scopes: TokenScopes.optional(), expires_in_days: ExpiresInDays.optional() })
  .meta({ id: "NewApiToken" });

const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The token's first characters"),
  created: z.iso.datetime(),
  last_used: z.iso.datetime().nullable(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  expires: z.iso.datetime().describe("The token is refused from then on"),
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
