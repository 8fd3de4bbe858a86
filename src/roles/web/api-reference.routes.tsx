/**
 * GET /api/reference: the API's reference page, Swagger UI rendering /openapi.json (DESIGN §7:
 * "documented in OpenAPI with a rendered reference page"). Swagger UI is served from this site
 * (src/web/static-assets.ts, from the swagger-ui-dist package), so the page needs no CDN and the
 * site's CSP (scripts and styles from 'self' only) holds: the page's own script is a file.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../web/app-env.ts";
import { Layout } from "../../web/layout.tsx";
import { pageCtx } from "../../web/page-context.ts";
import { assetUrl } from "../../web/static-assets.ts";

export function apiReferenceRoutes() {
  return new Hono<AppEnv>().get("/api/reference", (c) =>
    c.html(
      <Layout
        ctx={pageCtx(c)}
        title="API reference"
        head={<link rel="stylesheet" href={assetUrl("swagger-ui.css")} />}
        scripts={["swagger-ui-bundle.js", "api-reference.js"]}
      >
        <h1 class="h2">API reference</h1>
        <p>
          Every operation of the JSON API. Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>; create a token on{" "}
          <a href="/account/tokens">your account's token page</a>. The machine-readable document is{" "}
          <a href="/openapi.json">/openapi.json</a>.
        </p>
        <noscript>
          <p class="alert alert-info">This page renders the document with JavaScript; without it, read /openapi.json directly.</p>
        </noscript>
        <div id="swagger-ui" data-spec="/openapi.json"></div>
      </Layout>,
    ),
  );
}
