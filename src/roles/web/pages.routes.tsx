/** The home page (the original's hero and blurb). Subscribing is the billing module's (src/modules/billing). */
import { Hono } from "hono";
import type { AppEnv } from "../../web/app-env.ts";
import { Layout, formatBytes } from "../../web/layout.tsx";
import { pageCtx } from "../../web/page-context.ts";

/** Route /. */
export function pagesRoutes(opts: { freeMaxUploadBytes: number; archiveAfterSeconds: number }) {
  const retention =
    opts.archiveAfterSeconds >= 120 ? `${Math.round(opts.archiveAfterSeconds / 60)} minutes` : `${opts.archiveAfterSeconds} seconds`;
  return new Hono<AppEnv>().get("/", (c) => {
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
                GAS annotates every variant: gene and transcript, Sequence Ontology consequence, HGVS notation, impact, and whether it is a
                known variant.
              </li>
              <li>We email you when the job is done. Browse, filter and download your results.</li>
            </ol>
            <p class="text-body-secondary">
              Free accounts annotate files up to {formatBytes(opts.freeMaxUploadBytes)}; their results can be downloaded for {retention}{" "}
              before they are archived. Premium accounts have no limits.
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
  });
}
