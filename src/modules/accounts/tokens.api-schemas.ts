/** The API tokens part of the JSON API (/account/tokens) as zod schemas: validation and /openapi.json. */
import { z } from "zod";

export const NewApiToken = z
  .object({ name: z.string().optional().describe("A label to tell tokens apart (default `api`; at most 100 characters are kept)") })
  .meta({ id: "NewApiToken" });

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
