/**
 * Verifying the notification address (issue 13 item 10): send a link (the banner's and the
 * profile's button, or the API), and the page the link opens. Opening the link only shows a
 * Confirm button: mail scanners fetch links but submit no forms, so a scanner at a stranger's
 * mailbox cannot verify an address for an account it does not belong to. The holder must also be
 * signed in as the account the link was sent for.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { crossSiteResponse, errorResponse, jsonResponse } from "../../web/api-doc.ts";
import type { AppEnv } from "../../web/app-env.ts";
import { Alert, CsrfField, Layout } from "../../web/layout.tsx";
import { wantsJson } from "../../web/negotiate.ts";
import { type PageCtx, pageCtx } from "../../web/page-context.ts";
import { requireUser, userOf } from "../../web/user-guards.ts";
import { documented, formField, queryField, validate } from "../../web/validate.ts";
import { type EmailVerificationService, type LinkCheck, type SendResult, VERIFY_PATH } from "./email-verification.service.ts";

/** Where the banner's and the profile's "send a new link" button posts. */
export const SEND_LINK_PATH = `${VERIFY_PATH}/send`;

const WHY: Record<Exclude<LinkCheck, { ok: true }>["reason"], string> = {
  unknown:
    "This verification link is not valid for the account you are signed in as. Check that the whole link was opened, or sign out and sign in as the account that asked for it.",
  used: "This verification link has been used already; a link works once.",
  expired: "This verification link has expired.",
  "address-changed": "This verification link was sent to an address that is no longer your account's email address.",
};

export const VerificationSent = z
  .object({
    code: z.number().int(),
    status: z.literal("success"),
    email: z.string(),
    email_verified: z.boolean(),
    verification: z
      .enum(["sent", "not-needed"])
      .describe("sent: a link went to the address; not-needed: the address is verified already (or the account has none)"),
    link_expires: z.string().nullable(),
  })
  .meta({ id: "VerificationSent" });

const Confirmed = z
  .object({ code: z.number().int(), status: z.literal("success"), email: z.string(), email_verified: z.literal(true) })
  .meta({ id: "EmailConfirmed" });

const TokenField = z.string().max(100, "token: at most 100 characters");

/** Throw the 429 for a rate-limited send, with Retry-After, as the other rate limits do. */
export function refuseRateLimited(c: Context<AppEnv>, r: SendResult): void {
  if (r.sent || r.reason !== "rate-limited") return;
  c.header("Retry-After", String(r.retryAfterSeconds));
  throw new HTTPException(429, {
    message: `A verification link was sent recently. You can ask for another in ${r.retryAfterSeconds} s (at most one a minute, ten a day).`,
  });
}

function LinkPage(p: { ctx: PageCtx; token: string; check: LinkCheck; verified: boolean }) {
  return (
    <Layout ctx={p.ctx} title="Confirm your email address">
      <h1 class="h2">Confirm your email address</h1>
      {p.check.ok ? (
        <>
          <p>
            Send this account's job notifications to <strong>{p.check.email}</strong>?
          </p>
          <form method="post" action={VERIFY_PATH}>
            <CsrfField ctx={p.ctx} />
            <input type="hidden" name="token" value={p.token} />
            <button type="submit" class="btn btn-primary">
              Confirm
            </button>
          </form>
        </>
      ) : (
        <>
          <Alert kind="warning">{WHY[p.check.reason]}</Alert>
          {p.verified ? (
            <p>
              Your current address is verified already. <a href="/profile">Back to your profile</a>
            </p>
          ) : (
            <form method="post" action={SEND_LINK_PATH}>
              <CsrfField ctx={p.ctx} />
              <button type="submit" class="btn btn-outline-primary">
                Send a new link
              </button>
            </form>
          )}
        </>
      )}
    </Layout>
  );
}

/** Routes /profile/verify-email (the link's page, and confirming it) and /profile/verify-email/send. */
export function emailVerificationRoutes(verification: EmailVerificationService) {
  return new Hono<AppEnv>()
    .use(`${VERIFY_PATH}/*`, requireUser)
    .use(VERIFY_PATH, requireUser)
    .get(VERIFY_PATH, validate("query", z.object({ token: queryField.transform((v) => v ?? "") })), async (c) => {
      const user = userOf(c);
      const { token } = c.req.valid("query");
      const check = await verification.check(user.id, token);
      // Never cached or sent on as a Referer: the page's URL holds the token.
      c.header("cache-control", "no-store");
      return c.html(<LinkPage ctx={pageCtx(c)} token={token} check={check} verified={user.emailVerified} />, check.ok ? 200 : 400);
    })
    .post(
      VERIFY_PATH,
      describeRoute({
        summary: "Confirm your email address with the token of a verification link (once, within 24 hours)",
        responses: {
          "200": jsonResponse(Confirmed, "The address is verified"),
          "400": errorResponse("Unknown, used or expired token, or your address changed since"),
          "401": errorResponse("Not signed in / bad token"),
          ...crossSiteResponse,
        },
      }),
      // Optional here because a form post reaches this validator too (as {}); a missing token is "unknown".
      documented("json", z.object({ token: TokenField.optional() })),
      validate("form", z.object({ token: formField.pipe(TokenField.optional()) })),
      async (c) => {
        const user = userOf(c);
        const token = c.req.valid("json").token ?? c.req.valid("form").token ?? "";
        const result = await verification.confirm(user.id, token);
        if (wantsJson(c)) {
          if (!result.ok) return c.json({ code: 400, status: "error" as const, message: WHY[result.reason] }, 400);
          return c.json({ code: 200, status: "success" as const, email: result.email, email_verified: true as const });
        }
        if (result.ok) {
          c.var.log.info("email address verified", { userId: user.id });
          return c.redirect("/profile?verified=1", 303);
        }
        return c.html(<LinkPage ctx={pageCtx(c)} token={token} check={result} verified={user.emailVerified} />, 400);
      },
    )
    .post(
      SEND_LINK_PATH,
      describeRoute({
        summary: "Send a verification link to your email address (at most one a minute, ten a day)",
        responses: {
          "202": jsonResponse(VerificationSent, "A link was sent"),
          "200": jsonResponse(VerificationSent, "Nothing to verify"),
          "401": errorResponse("Not signed in / bad token"),
          ...crossSiteResponse,
          "429": errorResponse("Asked too recently or too often (Retry-After says when to ask again)"),
        },
      }),
      async (c) => {
        const user = userOf(c);
        const r = await verification.send(user.id);
        refuseRateLimited(c, r);
        if (r.sent) c.var.log.info("verification link sent", { userId: user.id });
        if (wantsJson(c)) {
          return c.json(
            {
              code: r.sent ? 202 : 200,
              status: "success" as const,
              email: user.email,
              email_verified: !r.sent && r.reason === "already-verified",
              verification: r.sent ? ("sent" as const) : ("not-needed" as const),
              link_expires: r.sent ? r.expiresAt.toISOString() : null,
            },
            r.sent ? 202 : 200,
          );
        }
        return c.redirect(r.sent ? "/profile?verification=sent" : "/profile", 303);
      },
    );
}
