/**
 * The page frame: Bootstrap (served locally), a navigation bar like the original's, a skip link
 * and one <main> landmark. No inline scripts or styles (the CSP forbids them); pages add external
 * scripts through `scripts`. Every page works without JavaScript.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { CSRF_FIELD } from "./csrf.ts";
import type { PageCtx } from "./page-context.ts";
import { assetUrl } from "./static-assets.ts";

/** Hidden CSRF field for a form. */
export const CsrfField = (p: { ctx: PageCtx }) => <input type="hidden" name={CSRF_FIELD} value={p.ctx.csrf} />;

const NavLink = (p: { ctx: PageCtx; href: string; children: Child }) => {
  const active = p.ctx.path === p.href || (p.href !== "/" && p.ctx.path.startsWith(`${p.href}/`));
  return (
    <li class="nav-item">
      <a class={`nav-link${active ? " active" : ""}`} href={p.href} aria-current={active ? "page" : undefined}>
        {p.children}
      </a>
    </li>
  );
};

/** Page frame. */
export function Layout(props: {
  ctx: PageCtx;
  title: string;
  children?: Child;
  head?: Child;
  scripts?: (
    | "job-live.js"
    | "annotate-check.js"
    | "upload-form-renew.js"
    | "results-browser.js"
    | "swagger-ui-bundle.js"
    | "api-reference.js"
  )[];
}) {
  const { ctx } = props;
  const user = ctx.user;
  return (
    <>
      {/* Standards mode: without a doctype browsers render in quirks mode. */}
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · GAS`}</title>
          <link rel="icon" type="image/svg+xml" href={assetUrl("favicon.svg")} />
          <link rel="stylesheet" href={assetUrl("bootstrap.min.css")} />
          <link rel="stylesheet" href={assetUrl("gas.css")} />
          {props.head}
          {(props.scripts ?? []).map((s) => (
            <script src={assetUrl(s)} defer />
          ))}
        </head>
        <body>
          <a class="skip-link btn btn-light" href="#main">
            Skip to content
          </a>
          <nav class="navbar navbar-expand navbar-dark bg-dark mb-4" aria-label="Main">
            <div class="container flex-wrap">
              <a class="navbar-brand" href="/">
                GAS
              </a>
              <ul class="navbar-nav me-auto flex-wrap">
                {user ? (
                  <>
                    <NavLink ctx={ctx} href="/annotate">
                      Annotate
                    </NavLink>
                    <NavLink ctx={ctx} href="/annotations">
                      Annotations
                    </NavLink>
                  </>
                ) : null}
                {user?.tier !== "premium" ? (
                  <NavLink ctx={ctx} href="/subscribe">
                    Get Premium
                  </NavLink>
                ) : null}
              </ul>
              <ul class="navbar-nav flex-wrap align-items-center">
                {user ? (
                  <>
                    <NavLink ctx={ctx} href="/profile">
                      {user.name || "Profile"}
                    </NavLink>
                    <li class="nav-item">
                      <form method="post" action="/logout" class="d-inline">
                        <CsrfField ctx={ctx} />
                        <button type="submit" class="btn btn-link nav-link">
                          Logout
                        </button>
                      </form>
                    </li>
                  </>
                ) : (
                  <NavLink ctx={ctx} href="/login">
                    Login
                  </NavLink>
                )}
              </ul>
            </div>
          </nav>
          <main id="main" class="container pb-5" tabindex={-1}>
            {user?.email && !user.emailVerified ? <UnverifiedEmail ctx={ctx} email={user.email} /> : null}
            {props.children}
          </main>
          <footer class="container border-top py-3 text-body-secondary small">GAS — the Genomics Annotation Service</footer>
        </body>
      </html>
    </>
  );
}

/**
 * Shown on every page while the account's address is unverified (issue 13 item 10): no job email
 * goes to it until then. The button posts to the accounts module's SEND_LINK_PATH.
 */
function UnverifiedEmail(p: { ctx: PageCtx; email: string }) {
  return (
    <div class="alert alert-warning d-flex flex-wrap align-items-center gap-2" role="status" id="verify-email-banner">
      <span class="me-auto">
        Verify your address to get emails: GAS does not email <strong>{p.email}</strong> when jobs finish until you confirm it with the link
        we send there.
      </span>
      <form method="post" action="/profile/verify-email/send" class="d-inline">
        <CsrfField ctx={p.ctx} />
        <button type="submit" class="btn btn-sm btn-outline-dark">
          Send a new link
        </button>
      </form>
    </div>
  );
}

/** A Bootstrap alert; `role="alert"` only for problems, status messages are polite. */
export const Alert = (p: { kind: "success" | "info" | "warning" | "danger"; children: Child }) => (
  <div class={`alert alert-${p.kind}`} role={p.kind === "danger" || p.kind === "warning" ? "alert" : "status"}>
    {p.children}
  </div>
);

/** Human-readable UTC time, as the original showed request and complete times. */
export const formatTime = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 19)} UTC` : "");

/** `153600` → `150 KB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 ** 2) return `${Math.round((n / 1024) * 10) / 10} KB`;
  if (n < 1024 ** 3) return `${Math.round((n / 1024 ** 2) * 10) / 10} MB`;
  return `${Math.round((n / 1024 ** 3) * 10) / 10} GB`;
}
