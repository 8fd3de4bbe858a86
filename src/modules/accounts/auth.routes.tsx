/**
 * Sign-in and sign-out. The identity provider (OpenID Connect, or the dev sign-in outside
 * production) drives a redirect flow; its state, PKCE verifier and nonce ride in a short-lived
 * signed HttpOnly cookie until the callback. A first sign-in creates a free account and goes to
 * the profile page to fill in what the provider did not share, as the original did.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { z } from "zod";
import type { IdentityProvider, SignInStart } from "../../ports/identity.ts";
import { AppError } from "../../shared/errors.ts";
import { type AppEnv, profileComplete } from "../../web/app-env.ts";
import { CsrfField, Layout } from "../../web/layout.tsx";
import { NextPath, safeNext } from "../../web/next-path.ts";
import { pageCtx } from "../../web/page-context.ts";
import { formField, queryField, validate } from "../../web/validate.ts";
import type { AccountsService } from "./accounts.service.ts";
import { type SessionOptions, endSession, startSession } from "./session-cookie.ts";

const SIGNIN_COOKIE = "gas_signin";
const SIGNIN_SECONDS = 600;

const LoginQuery = z.object({ next: queryField.transform((v) => v ?? "").pipe(NextPath) });
/** The dev sign-in form: what the dev identity provider reads (src/adapters/local/dev-identity.ts). */
const DevSignInForm = z.object({ state: formField, email: formField, name: formField });

export interface AuthDeps {
  identity: IdentityProvider | null;
  accounts: AccountsService;
  session: SessionOptions;
  baseUrl: (url: string) => string;
}

/** Routes /login, /login/dev, /auth/callback, /logout. */
export function authRoutes(deps: AuthDeps) {
  const { identity, accounts, session } = deps;
  const provider = () => {
    if (!identity) throw new AppError("UNAVAILABLE", "Sign-in is not configured on this server (set OIDC_ISSUER and OIDC_CLIENT_ID)");
    return identity;
  };
  const devOnly = () => {
    if (provider().kind !== "dev") throw new AppError("NOT_FOUND", "There is nothing at this address");
  };

  async function finish(c: Context<AppEnv>, params: URLSearchParams) {
    const raw = await getSignedCookie(c, session.secret, SIGNIN_COOKIE);
    if (typeof raw !== "string") throw new AppError("FORBIDDEN", "Sign-in expired or was started in another browser; please sign in again");
    deleteCookie(c, SIGNIN_COOKIE, { path: "/", secure: session.secure }); // one use, whatever happens next
    const expected = JSON.parse(raw) as SignInStart & { next: string };
    const verified = await provider().complete(params, expected);
    const { user, created } = await accounts.signIn(verified);
    await startSession(c, user, verified.tokens, session);
    c.var.log.info("signed in", { userId: user.id, created });
    if (created || !profileComplete(user)) {
      return c.redirect(`/profile?welcome=1&next=${encodeURIComponent(safeNext(expected.next, "/annotate"))}`, 303);
    }
    return c.redirect(safeNext(expected.next), 303);
  }

  return (
    new Hono<AppEnv>()
      // Refused here, before the provider: an off-site next must not survive to the redirect after sign-in.
      .get("/login", validate("query", LoginQuery), async (c) => {
        const next = c.req.valid("query").next ?? "/annotations";
        const start = await provider().begin(`${deps.baseUrl(c.req.url)}/auth/callback`);
        await setSignedCookie(c, SIGNIN_COOKIE, JSON.stringify({ ...start, next }), session.secret, {
          httpOnly: true,
          sameSite: "Lax", // the provider's redirect back is a top-level GET: Lax cookies come along
          secure: session.secure,
          path: "/",
          maxAge: SIGNIN_SECONDS,
        });
        return c.redirect(start.redirectTo, 303);
      })
      .get("/login/dev", validate("query", z.object({ state: queryField })), (c) => {
        devOnly();
        const ctx = pageCtx(c);
        return c.html(
          <Layout ctx={ctx} title="Sign in (development)">
            <h1 class="h2">Sign in (development)</h1>
            <div class="alert alert-warning" role="note">
              Development sign-in: anyone can be anyone. It does not exist when NODE_ENV=production; configure OpenID Connect (OIDC_ISSUER,
              OIDC_CLIENT_ID) there.
            </div>
            <form method="post" action="/login/dev" class="col-md-6">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="state" value={c.req.valid("query").state ?? ""} />
              <div class="mb-3">
                <label class="form-label" for="dev-email">
                  Email
                </label>
                <input class="form-control" type="email" id="dev-email" name="email" required autocomplete="email" />
              </div>
              <div class="mb-3">
                <label class="form-label" for="dev-name">
                  Name
                </label>
                <input class="form-control" type="text" id="dev-name" name="name" autocomplete="name" />
              </div>
              <button type="submit" class="btn btn-primary">
                Sign in
              </button>
            </form>
          </Layout>,
        );
      })
      .post("/login/dev", validate("form", DevSignInForm), async (c) => {
        devOnly();
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(c.req.valid("form"))) if (v !== undefined) params.set(k, v);
        return finish(c, params);
      })
      // The provider's answer goes to openid-client as it came: it checks state, issuer and code itself (RFC 9207).
      .get("/auth/callback", (c) => finish(c, new URL(c.req.url).searchParams))
      .get("/logout", (c) => {
        const ctx = pageCtx(c);
        if (!ctx.user) return c.redirect("/", 303);
        return c.html(
          <Layout ctx={ctx} title="Log out">
            <h1 class="h2">Log out</h1>
            <p>Sign out of GAS on this browser?</p>
            <form method="post" action="/logout">
              <CsrfField ctx={ctx} />
              <button type="submit" class="btn btn-primary">
                Log out
              </button>
            </form>
          </Layout>,
        );
      })
      .post("/logout", async (c) => {
        const tokens = await endSession(c, session);
        const home = `${deps.baseUrl(c.req.url)}/`;
        const providerLogout = identity ? await identity.signOut(tokens, home).catch(() => null) : null;
        c.var.log.info("signed out", { userId: c.var.user?.id });
        return c.redirect(providerLogout ?? "/", 303);
      })
  );
}
