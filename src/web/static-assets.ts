/**
 * CSS and scripts served from memory at /static/<name>. Bootstrap comes from its npm package (no
 * CDN); importing the files as text makes `bun build --compile` embed them in the executable, so
 * the single binary needs no node_modules or asset folder at run time.
 */
import { type Context, Hono } from "hono";
import bootstrapCss from "bootstrap/dist/css/bootstrap.min.css" with { type: "text" };
import annotateCheckJs from "./static/annotate-check.js" with { type: "text" };
import uploadFormRenewJs from "./static/upload-form-renew.js" with { type: "text" };
import gasCss from "./static/gas.css" with { type: "text" };
import jobLiveJs from "./static/job-live.js" with { type: "text" };
import faviconSvg from "./static/favicon.svg" with { type: "text" };
import resultsBrowserJs from "./static/results-browser.js" with { type: "text" };
// Swagger UI for the API reference page (/api/reference), from its npm package: no CDN.
import swaggerUiJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "text" };
import swaggerUiCss from "swagger-ui-dist/swagger-ui.css" with { type: "text" };
import apiReferenceJs from "./static/api-reference.js" with { type: "text" };
import type { AppEnv } from "./app-env.ts";

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const asset = (body: string, type: string): Asset => ({
  body,
  type,
  etag: `"${new Bun.CryptoHasher("sha1").update(body).digest("hex").slice(0, 16)}"`,
});

const ASSETS: Record<string, Asset> = {
  "bootstrap.min.css": asset(bootstrapCss, "text/css; charset=utf-8"),
  "gas.css": asset(gasCss, "text/css; charset=utf-8"),
  "job-live.js": asset(jobLiveJs, "text/javascript; charset=utf-8"),
  "annotate-check.js": asset(annotateCheckJs, "text/javascript; charset=utf-8"),
  "upload-form-renew.js": asset(uploadFormRenewJs, "text/javascript; charset=utf-8"),
  "results-browser.js": asset(resultsBrowserJs, "text/javascript; charset=utf-8"),
  "favicon.svg": asset(faviconSvg, "image/svg+xml"),
  "swagger-ui-bundle.js": asset(swaggerUiJs, "text/javascript; charset=utf-8"),
  "swagger-ui.css": asset(swaggerUiCss, "text/css; charset=utf-8"),
  "api-reference.js": asset(apiReferenceJs, "text/javascript; charset=utf-8"),
};

/** URL of a static asset, with a content hash so browsers may cache it for long. */
export const assetUrl = (name: keyof typeof ASSETS & string) => `/static/${name}?v=${ASSETS[name]!.etag.slice(1, 9)}`;

/** Routes for /static/*. */
export function staticRoutes() {
  const serve = (c: Context<AppEnv>, a: Asset) => {
    if (c.req.header("if-none-match") === a.etag) return c.body(null, 304, { etag: a.etag });
    return c.body(a.body, 200, { "content-type": a.type, etag: a.etag, "cache-control": "public, max-age=86400" });
  };
  return (
    new Hono<AppEnv>()
      .get("/static/:name", (c) => {
        const a = ASSETS[c.req.param("name")];
        return a ? serve(c, a) : c.notFound();
      })
      // Browsers ask for /favicon.ico whatever the page links; the SVG answers there too.
      .get("/favicon.ico", (c) => serve(c, ASSETS["favicon.svg"]!))
  );
}
