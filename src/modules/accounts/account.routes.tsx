/**
 * The profile page (the original's /profile: identity, name, email, institution, plan) and
 * personal API tokens (create, list, revoke; only hashes are stored). Pages and the JSON API
 * share paths, chosen by content negotiation.
 */
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { AppError } from "../../shared/errors.ts";
import { crossSiteResponse, errorResponse, jsonResponse, uuidParam } from "../../web/api-doc.ts";
import type { AppEnv, WebUser } from "../../web/app-env.ts";
import { Alert, CsrfField, Layout, formatTime } from "../../web/layout.tsx";
import { wantsJson } from "../../web/negotiate.ts";
import { NextPath } from "../../web/next-path.ts";
import { type PageCtx, pageCtx } from "../../web/page-context.ts";
import { requireProfile, requireUser, userOf } from "../../web/user-guards.ts";
import { documented, fieldByField, formField, queryField, queryFlag, validate } from "../../web/validate.ts";
import {
  type AccountsService,
  type ApiTokenInfo,
  DEFAULT_TOKEN_DAYS,
  DEFAULT_TOKEN_SCOPES,
  MAX_TOKEN_DAYS,
  TOKEN_SCOPES,
  type TokenScope,
} from "./accounts.service.ts";
import { type EmailVerificationService, VERIFICATION_TTL_HOURS } from "./email-verification.service.ts";
import { emailVerificationRoutes } from "./email-verification.routes.tsx";
import { ApiTokenList, CreatedApiToken, ExpiresInDays, NewApiToken, Revoked, TokenName, TokenScopes } from "./tokens.api-schemas.ts";

const formText = formField.transform((v) => v ?? "");
/** The profile form as typed (the accounts service checks the values: what is wrong is shown on the form). */
const ProfileForm = z.object({ name: formText, email: formText, institution: formText, next: formText.pipe(NextPath) });
const ProfileQuery = z.object({
  next: queryField.transform((v) => v ?? "").pipe(NextPath),
  welcome: queryFlag,
  updated: queryFlag,
  verified: queryFlag,
  verification: queryField,
});
/** The profile through the API (all three fields, as the form; what is wrong is named). */
const ProfileJson = z
  .object({ name: z.string().optional(), email: z.string().optional(), institution: z.string().optional() })
  .meta({ id: "ProfileUpdate" });
const Profile = z
  .object({
    code: z.number().int(),
    status: z.literal("success"),
    id: z.string(),
    name: z.string(),
    email: z.string(),
    email_verified: z.boolean().describe("Job emails go only to a verified address"),
    institution: z.string(),
    tier: z.enum(["free", "premium"]),
    verification: z
      .enum(["sent", "rate-limited", "not-needed"])
      .optional()
      .describe("After a save: whether a verification link went to a new address (rate-limited: ask again later)"),
  })
  .meta({ id: "Profile" });
const profileJson = (u: WebUser) => ({
  code: 200,
  status: "success" as const,
  id: u.id,
  name: u.name,
  email: u.email,
  email_verified: u.emailVerified,
  institution: u.institution,
  tier: u.tier,
});
/** What the profile page says about the address after a save or a send. */
type VerificationNote = "sent" | "rate-limited" | null;

function ProfilePage(p: {
  ctx: PageCtx;
  user: WebUser;
  next: string | null;
  welcome: boolean;
  updated: boolean;
  verified?: boolean;
  verification?: VerificationNote;
  error: string | null;
  values?: Record<string, string>;
}) {
  const u = p.user;
  const v = p.values ?? { name: u.name, email: u.email, institution: u.institution };
  return (
    <Layout ctx={p.ctx} title="Profile">
      <h1 class="h2">Profile</h1>
      {p.welcome ? <Alert kind="info">Welcome to GAS! Please complete your profile to get started.</Alert> : null}
      {p.updated ? <Alert kind="success">Thank you! Your profile has been successfully updated.</Alert> : null}
      {p.verified ? <Alert kind="success">Your email address is verified: GAS will email you when a job finishes.</Alert> : null}
      {p.verification === "sent" && !u.emailVerified ? (
        <Alert kind="info">
          We sent a link to {u.email}. Open it within {VERIFICATION_TTL_HOURS} hours to get emails when your jobs finish.
        </Alert>
      ) : null}
      {p.verification === "rate-limited" && !u.emailVerified ? (
        <Alert kind="warning">
          A verification link was sent recently, so none was sent to {u.email} now. Ask for one again in a minute.
        </Alert>
      ) : null}
      {p.error ? <Alert kind="danger">{p.error}</Alert> : null}
      <form method="post" action="/profile" class="col-lg-7">
        <CsrfField ctx={p.ctx} />
        {p.next ? <input type="hidden" name="next" value={p.next} /> : null}
        <div class="mb-3">
          <label class="form-label" for="account-id">
            Account ID
          </label>
          <input class="form-control" id="account-id" value={u.id} readonly aria-describedby="account-id-help" />
          <div id="account-id-help" class="form-text">
            Your GAS account; it cannot be changed.
          </div>
        </div>
        <div class="mb-3">
          <label class="form-label" for="profile-name">
            Name
          </label>
          <input class="form-control" id="profile-name" name="name" value={v.name} required maxlength={256} autocomplete="name" />
        </div>
        <div class="mb-3">
          <label class="form-label" for="profile-email">
            Email
          </label>
          <input
            class="form-control"
            type="email"
            id="profile-email"
            name="email"
            value={v.email}
            required
            maxlength={256}
            autocomplete="email"
          />
          <div class="form-text" id="email-status">
            {!u.email ? (
              "We email you here when an annotation job finishes, once you have confirmed the address."
            ) : u.emailVerified ? (
              <>
                <span class="badge text-bg-success">Verified</span> We email you here when an annotation job finishes.
              </>
            ) : (
              <>
                <span class="badge text-bg-warning">Not verified</span> Verify your address to get emails: open the link we sent to it (or
                send a new one with the button above). A new address is verified the same way.
              </>
            )}
          </div>
        </div>
        <div class="mb-3">
          <label class="form-label" for="profile-institution">
            Institution/Department
          </label>
          <input
            class="form-control"
            id="profile-institution"
            name="institution"
            value={v.institution}
            required
            maxlength={256}
            autocomplete="organization"
          />
        </div>
        <button type="submit" class="btn btn-primary">
          Save profile
        </button>
      </form>
      <h2 class="h4 mt-5">Current Plan</h2>
      {u.tier === "premium" ? (
        <div id="current-plan">
          <p>
            <span class="badge text-bg-success">Premium</span> No upload limit; your results are never archived.
          </p>
          {u.paymentCustomerId ? (
            <form method="post" action="/billing/portal">
              <CsrfField ctx={p.ctx} />
              <button type="submit" class="btn btn-outline-secondary" id="manage-subscription">
                Manage or cancel subscription
              </button>
            </form>
          ) : null}
        </div>
      ) : (
        <p>
          <span class="badge text-bg-secondary">Free</span> · <a href="/subscribe">upgrade to Premium plan</a>
        </p>
      )}
      <h2 class="h4 mt-5">API access</h2>
      <p>
        <a href="/account/tokens">Personal API tokens</a> let scripts use the <a href="/openapi.json">JSON API</a>.
      </p>
    </Layout>
  );
}

const SCOPE_LABELS: Record<TokenScope, string> = {
  read: "read jobs and results",
  submit: "upload and start jobs",
  manage: "manage the account",
};

function TokensPage(p: { ctx: PageCtx; tokens: ApiTokenInfo[]; created: { token: string; name: string } | null; revoked: boolean }) {
  return (
    <Layout ctx={p.ctx} title="API tokens">
      <h1 class="h2">Personal API tokens</h1>
      {p.created ? (
        <div class="alert alert-success" role="status">
          <p class="mb-2">
            New token <strong>{p.created.name}</strong>. Copy it now: it is not shown again.
          </p>
          <label class="form-label" for="new-token">
            Token
          </label>
          <input class="form-control font-monospace" id="new-token" value={p.created.token} readonly />
          <p class="mt-2 mb-0 small">
            Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
          </p>
        </div>
      ) : null}
      {p.revoked ? <Alert kind="success">The token was revoked.</Alert> : null}
      <form method="post" action="/account/tokens" class="row g-2 align-items-end mb-4">
        <CsrfField ctx={p.ctx} />
        <div class="col-auto">
          <label class="form-label" for="token-name">
            Token name
          </label>
          <input class="form-control" id="token-name" name="name" required maxlength={100} placeholder="e.g. laptop script" />
        </div>
        <fieldset class="col-auto">
          <legend class="form-label fs-6 mb-1">It may</legend>
          {TOKEN_SCOPES.map((scope) => (
            <div class="form-check form-check-inline">
              <input
                class="form-check-input"
                type="checkbox"
                name="scopes"
                value={scope}
                id={`scope-${scope}`}
                checked={DEFAULT_TOKEN_SCOPES.includes(scope)}
              />
              <label class="form-check-label" for={`scope-${scope}`}>
                {SCOPE_LABELS[scope]}
              </label>
            </div>
          ))}
        </fieldset>
        <div class="col-auto">
          <label class="form-label" for="token-days">
            Expires after
          </label>
          <select class="form-select" id="token-days" name="expires_in_days">
            {[7, 30, DEFAULT_TOKEN_DAYS, 180, MAX_TOKEN_DAYS].map((d) => (
              <option value={String(d)} selected={d === DEFAULT_TOKEN_DAYS}>
                {d} days
              </option>
            ))}
          </select>
        </div>
        <div class="col-auto">
          <button type="submit" class="btn btn-primary">
            Create token
          </button>
        </div>
      </form>
      {p.tokens.length === 0 ? (
        <p>You have no API tokens.</p>
      ) : (
        <div class="table-responsive">
          <table class="table align-middle">
            <caption>Your tokens (only the first characters are kept in readable form)</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">May</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix ? `${t.prefix}…` : "—"}</code>
                  </td>
                  <td>{formatTime(t.createdAt)}</td>
                  <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : "never"}</td>
                  <td>{t.scopes.join(", ")}</td>
                  <td>{t.expiresAt.getTime() <= Date.now() ? `expired ${formatTime(t.expiresAt)}` : formatTime(t.expiresAt)}</td>
                  <td>
                    <form method="post" action={`/account/tokens/${t.id}/revoke`}>
                      <CsrfField ctx={p.ctx} />
                      <button type="submit" class="btn btn-sm btn-outline-danger" aria-label={`Revoke token ${t.name}`}>
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href="/profile">← back to profile</a>
      </p>
    </Layout>
  );
}

const tokenJson = (t: ApiTokenInfo) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  created: t.createdAt.toISOString(),
  last_used: t.lastUsedAt?.toISOString() ?? null,
  scopes: t.scopes,
  expires: t.expiresAt.toISOString(),
});

const notSignedIn = { "401": errorResponse("Not signed in / bad token") };

/** Routes /profile and /account/tokens. */
export function accountRoutes(accounts: AccountsService, verification: EmailVerificationService) {
  return new Hono<AppEnv>()
    .use("/profile", requireUser)
    .use("/account/*", requireUser)
    .use("/account/tokens", requireProfile)
    .get(
      "/profile",
      describeRoute({
        summary: "Your profile, and whether your email address is verified",
        responses: { "200": jsonResponse(Profile, "Profile"), ...notSignedIn },
      }),
      validate("query", ProfileQuery),
      (c) => {
        if (wantsJson(c)) return c.json(profileJson(userOf(c)));
        const { next, welcome, updated, verified, verification: sent } = c.req.valid("query");
        return c.html(
          <ProfilePage
            ctx={pageCtx(c)}
            user={userOf(c)}
            next={next}
            welcome={welcome}
            updated={updated}
            verified={verified}
            verification={sent === "sent" || sent === "rate-limited" ? sent : null}
            error={null}
          />,
        );
      },
    )
    .post(
      "/profile",
      describeRoute({
        summary: "Save your profile; a new email address is stored unverified and sent a verification link",
        responses: { "200": jsonResponse(Profile, "Saved"), "400": errorResponse("A field is missing or wrong (named)"), ...notSignedIn },
      }),
      documented("json", ProfileJson, fieldByField("Invalid request body")),
      validate("form", ProfileForm),
      async (c) => {
        const user = userOf(c);
        // The answer follows what the client accepts; the values, what it sent (a form body from an
        // API client asking for JSON is read as a form).
        const json = wantsJson(c);
        const jsonBody = (c.req.header("content-type") ?? "").includes("json");
        const { next, ...form } = c.req.valid("form");
        const body = c.req.valid("json");
        const values = jsonBody ? { name: body.name ?? "", email: body.email ?? "", institution: body.institution ?? "" } : form;
        let saved: Awaited<ReturnType<AccountsService["updateProfile"]>>;
        try {
          saved = await accounts.updateProfile(user.id, values);
        } catch (err) {
          if (json || !(err instanceof AppError) || err.code !== "INVALID_INPUT") throw err;
          // Shown again with what the user typed, and the problem named.
          return c.html(
            <ProfilePage ctx={pageCtx(c)} user={user} next={next} welcome={false} updated={false} error={err.message} values={values} />,
            400,
          );
        }
        // A new address gets its link at once; a failing mailer leaves the profile saved and the banner's button to retry.
        let note: VerificationNote = null;
        if (!saved.emailVerified && saved.email !== user.email) {
          const r = await verification.send(user.id).catch((err: unknown) => {
            c.var.log.warn("verification link not sent", { userId: user.id, err });
            return null;
          });
          note = r?.sent ? "sent" : r?.reason === "rate-limited" ? "rate-limited" : null;
        }
        if (json) return c.json({ ...profileJson(saved), verification: note ?? ("not-needed" as const) });
        return c.redirect(next ?? `/profile?updated=1${note ? `&verification=${note}` : ""}`, 303);
      },
    )
    .route("/", emailVerificationRoutes(verification))
    .get(
      "/account/tokens",
      describeRoute({
        summary: "Your API tokens (never the tokens themselves)",
        responses: { "200": jsonResponse(ApiTokenList, "Tokens, newest first"), ...notSignedIn },
      }),
      validate("query", z.object({ revoked: queryFlag })),
      async (c) => {
        const tokens = await accounts.listApiTokens(userOf(c).id);
        if (wantsJson(c)) return c.json({ code: 200, status: "success", tokens: tokens.map(tokenJson) });
        return c.html(<TokensPage ctx={pageCtx(c)} tokens={tokens} created={null} revoked={c.req.valid("query").revoked} />);
      },
    )
    .post(
      "/account/tokens",
      describeRoute({
        summary: "Create an API token (shown once, in this answer)",
        responses: { "201": jsonResponse(CreatedApiToken, "The new token"), "400": errorResponse("Bad request"), ...notSignedIn },
      }),
      // A JSON body (the API) or the tokens page's form; either may leave the name out.
      documented("json", NewApiToken, fieldByField("Invalid request body")),
      validate(
        "form",
        z.object({
          name: formField.pipe(TokenName.optional()),
          // Checkboxes: absent, one value or several.
          scopes: z.preprocess((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]), TokenScopes.optional()),
          expires_in_days: z.preprocess((v) => (Array.isArray(v) ? v.at(-1) : v), ExpiresInDays.optional()),
        }),
        fieldByField("Invalid form"),
      ),
      async (c) => {
        const user = userOf(c);
        const json = c.req.valid("json");
        const form = c.req.valid("form");
        const { token, info } = await accounts.createApiToken(user.id, json.name ?? form.name ?? "", {
          scopes: json.scopes ?? form.scopes,
          expiresInDays: json.expires_in_days ?? form.expires_in_days,
        });
        c.var.log.info("api token created", { userId: user.id, tokenId: info.id });
        if (wantsJson(c)) return c.json({ code: 201, status: "success", token, ...tokenJson(info) }, 201);
        const tokens = await accounts.listApiTokens(user.id);
        // Shown in the response to the POST, never stored or put in a URL.
        c.header("cache-control", "no-store");
        return c.html(<TokensPage ctx={pageCtx(c)} tokens={tokens} created={{ token, name: info.name }} revoked={false} />, 201);
      },
    )
    .post("/account/tokens/:id/revoke", async (c) => {
      const user = userOf(c);
      if (!(await accounts.revokeApiToken(user.id, c.req.param("id")))) throw new AppError("NOT_FOUND", "That token was not found");
      return c.redirect("/account/tokens?revoked=1", 303);
    })
    .delete(
      "/account/tokens/:id",
      describeRoute({
        summary: "Revoke one of your API tokens",
        parameters: [uuidParam("id")],
        responses: {
          "200": jsonResponse(Revoked, "Revoked"),
          ...notSignedIn,
          ...crossSiteResponse,
          "404": errorResponse("No such token of yours"),
        },
      }),
      async (c) => {
        const user = userOf(c);
        if (!(await accounts.revokeApiToken(user.id, c.req.param("id")))) throw new AppError("NOT_FOUND", "That token was not found");
        return c.json({ code: 200, status: "success" });
      },
    );
}
