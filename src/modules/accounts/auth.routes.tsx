/**
 * Sign-in and sign-out. The identity provider (OpenID Connect, or the dev sign-in outside
 * production) drives a redirect flow; its state, PKCE verifier and nonce ride in a short-lived
 * signed HttpOnly cookie until the callback. A first sign-in creates a free account and goes to
 * the profile page to fill in what the provider did not share, as the original did.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AccountsService } from "./accounts.service.ts";
import type { IdentityProvider, SignInStart } from "../../ports/identity.ts";
import { AppError } from "../../shared/errors.ts";
import { type AppEnv, profileComplete } from "../../web/app-env.ts";
import { formBody } from "../../web/form-body.ts";
import { CsrfField, Layout } from "../../web/layout.tsx";
import { pageCtx } from "../../web/page-context.ts";
import { requestedNext, safeNext } from "../../web/next-path.ts";
import { type SessionOptions, endSession, startSession } from "./session-cookie.ts";

const SIGNIN_COOKIE = "gas_signin";
const SIGNIN_SECONDS = 600;

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

  return new Hono<AppEnv>()
    .get("/login", async (c) => {
      // Refused here, before the provider: an off-site next must not survive to the redirect after sign-in.
      const next = requestedNext(c.req.query("next")) ?? "/annotations";
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
    .get("/login/dev", (c) => {
      devOnly();
      const ctx = pageCtx(c);
      return c.html(
        <Layout ctx={ctx} title="Sign in (development)">
          <h1 class="h2">Sign in (development)</h1>
          <div class="alert alert-warning" role="note">
            Development sign-in: anyone can be anyone. It does not exist when NODE_ENV=production; configure OpenID Connect
            (OIDC_ISSUER, OIDC_CLIENT_ID) there.
          </div>
          <form method="post" action="/login/dev" class="col-md-6">
            <CsrfField ctx={ctx} />
            <input type="hidden" name="state" value={c.req.query("state") ?? ""} />
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
    .post("/login/dev", async (c) => {
      devOnly();
      const form = await formBody(c);
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) if (typeof v === "string" && k !== "_csrf") params.set(k, v);
      return finish(c, params);
    })
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
    });
}
