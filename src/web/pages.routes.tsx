/** The home page (the original's hero and blurb) and the subscribe page (issue 5 adds payment). */
import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { Layout, formatBytes } from "./layout.tsx";
import { pageCtx } from "./page-context.ts";
import { requireUser } from "./session.ts";

/** Routes / and /subscribe. */
export function pagesRoutes(opts: { freeMaxUploadBytes: number; archiveAfterSeconds: number }) {
  const retention = opts.archiveAfterSeconds >= 120 ? `${Math.round(opts.archiveAfterSeconds / 60)} minutes` : `${opts.archiveAfterSeconds} seconds`;
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const ctx = pageCtx(c);
      return c.html(
        <Layout ctx={ctx} title="Home">
          <section class="hero text-center mb-5">
            <h1 class="display-4">Genomics Annotation Service</h1>
            <p class="lead fs-3">It's a gas! (and useful too)</p>
            <p class="mt-4">
              {ctx.user ? (
                <a class="btn btn-light btn-lg" href="/annotate">
                  Annotate a VCF file
                </a>
              ) : (
                <a class="btn btn-light btn-lg" href="/login">
                  Get started – it's free!
                </a>
              )}
            </p>
            {ctx.user?.tier !== "premium" ? (
              <p class="mb-0">
                <a class="link-light" href="/subscribe">
                  Get Premium—just $999.99 per week!
                </a>
              </p>
            ) : null}
          </section>
          <div class="row g-4">
            <section class="col-md-6" aria-labelledby="how">
              <h2 id="how" class="h4">
                How the GAS Works
              </h2>
              <ol>
                <li>Sign in and upload a VCF file of genomic variants (plain or gzip).</li>
                <li>
                  GAS annotates every variant: gene and transcript, Sequence Ontology consequence, HGVS notation, impact,
                  and whether it is a known variant.
                </li>
                <li>We email you when the job is done. Browse, filter and download your results.</li>
              </ol>
              <p class="text-body-secondary">
                Free accounts annotate files up to {formatBytes(opts.freeMaxUploadBytes)}; their results can be downloaded
                for {retention} before they are archived. Premium accounts have no limits.
              </p>
            </section>
            <section class="col-md-6" aria-labelledby="praise">
              <h2 id="praise" class="h4">
                What our users say
              </h2>
              <figure>
                <blockquote class="blockquote">
                  <p>“I annotated my genome and now I know where all my missense variants are. My cat is unimpressed.”</p>
                </blockquote>
                <figcaption class="blockquote-footer">A satisfied postdoc</figcaption>
              </figure>
              <figure>
                <blockquote class="blockquote">
                  <p>“Faster than my PI answers email.”</p>
                </blockquote>
                <figcaption class="blockquote-footer">A graduate student</figcaption>
              </figure>
            </section>
          </div>
        </Layout>,
      );
    })
    .get("/subscribe", requireUser, (c) => {
      const ctx = pageCtx(c);
      if (ctx.user?.tier === "premium") return c.redirect("/profile", 303);
      return c.html(
        <Layout ctx={ctx} title="Subscribe">
          <h1 class="h2">Subscribe to GAS Premium</h1>
          <p class="lead">Premium members annotate files of any size, and their results are never archived.</p>
          <ul>
            <li>No upload size limit (free accounts: {formatBytes(opts.freeMaxUploadBytes)}).</li>
            <li>Results stay downloadable forever (free accounts: {retention}, then archived).</li>
            <li>Archived results from your free days are restored when you upgrade.</li>
          </ul>
          <div class="alert alert-info" role="status">
            Online payment is not switched on for this server yet, so the subscription cannot be bought here. When it is,
            this page takes your card through Stripe (in test mode your credit card will not be billed).
          </div>
          <p>
            <a href="/profile" class="btn btn-outline-secondary">
              Back to profile
            </a>
          </p>
        </Layout>,
      );
    });
}
