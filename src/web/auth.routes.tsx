/**
 * Sign-in, sign-out and API tokens. The identity provider (dev now, OIDC in issue 4) drives a
 * redirect flow; its state rides in a short-lived signed cookie until the callback.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AccountsService } from "../modules/accounts/index.ts";
import type { IdentityProvider, SignInStart } from "../ports/identity.ts";
import { AppError } from "../shared/errors.ts";
import type { AppEnv } from "./app-env.ts";
import { Layout } from "./layout.tsx";
import { wantsJson } from "./negotiate.ts";
import { type SessionOptions, endSession, requireUser, startSession, userOf } from "./session.ts";

const SIGNIN_COOKIE = "gas_signin";

/** Only same-site relative paths are followed after sign-in (no open redirect). */
const safeNext = (next: string | undefined) => (next && next.startsWith("/") && !next.startsWith("//") ? next : "/annotations");

export function authRoutes(deps: { identity: IdentityProvider | null; accounts: AccountsService; session: SessionOptions; baseUrl: (url: string) => string }) {
  const { identity, accounts, session } = deps;
  const provider = () => {
    if (!identity) throw new AppError("UNAVAILABLE", "Sign-in is not configured on this server");
    return identity;
  };

  async function finish(c: Context<AppEnv>, params: URLSearchParams) {
    const raw = await getSignedCookie(c, session.secret, SIGNIN_COOKIE);
    if (typeof raw !== "string") throw new AppError("FORBIDDEN", "Sign-in expired or was started elsewhere; please sign in again");
    const expected = JSON.parse(raw) as SignInStart & { next: string };
    const verified = await provider().complete(params, expected);
    const user = await accounts.signIn(verified);
    deleteCookie(c, SIGNIN_COOKIE, { path: "/" });
    await startSession(c, user, session);
    c.var.log.info("signed in", { userId: user.id });
    return c.redirect(safeNext(expected.next), 303);
  }

  return new Hono<AppEnv>()
    .get("/login", async (c) => {
      const start = await provider().begin(`${deps.baseUrl(c.req.url)}/auth/callback`);
      await setSignedCookie(c, SIGNIN_COOKIE, JSON.stringify({ ...start, next: safeNext(c.req.query("next")) }), session.secret, {
        httpOnly: true,
        sameSite: "Lax",
        secure: session.secure,
        path: "/",
        maxAge: 600,
      });
      return c.redirect(start.redirectTo, 303);
    })
    .get("/login/dev", (c) => {
      if (provider().kind !== "dev") throw new AppError("NOT_FOUND", "Not found");
      return c.html(
        <Layout title="Sign in (development)" user={c.var.user}>
          <h1>Sign in (development)</h1>
          <p>Development sign-in: anyone can be anyone. It is refused when NODE_ENV=production.</p>
          <form method="post" action="/login/dev">
            <input type="hidden" name="state" value={c.req.query("state") ?? ""} />
            <label>
              Email <input type="email" name="email" required />
            </label>{" "}
            <label>
              Name <input type="text" name="name" />
            </label>{" "}
            <button type="submit">Sign in</button>
          </form>
        </Layout>,
      );
    })
    .post("/login/dev", async (c) => {
      if (provider().kind !== "dev") throw new AppError("NOT_FOUND", "Not found");
      const form = await c.req.parseBody();
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) if (typeof v === "string") params.set(k, v);
      return finish(c, params);
    })
    .get("/auth/callback", (c) => finish(c, new URL(c.req.url).searchParams))
    .get("/logout", (c) => {
      endSession(c);
      return c.redirect("/", 303);
    })
    .post("/account/tokens", requireUser, async (c) => {
      const user = userOf(c);
      const body = (c.req.header("content-type") ?? "").includes("application/json") ? await c.req.json().catch(() => ({})) : await c.req.parseBody();
      const name = typeof (body as Record<string, unknown>).name === "string" ? String((body as Record<string, unknown>).name) : "api";
      const token = await accounts.createApiToken(user.id, name.slice(0, 100));
      if (wantsJson(c)) return c.json({ code: 201, status: "success", token }, 201);
      return c.html(
        <Layout title="API token" user={user}>
          <h1>New API token</h1>
          <p>Copy it now; it is not shown again.</p>
          <pre>{token}</pre>
          <p>
            Use it as <code>Authorization: Bearer {token.slice(0, 8)}…</code> with the <a href="/openapi.json">JSON API</a>.
          </p>
        </Layout>,
        201,
      );
    });
}
