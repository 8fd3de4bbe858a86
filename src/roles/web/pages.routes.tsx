/** The home page: what the service does, how, and what each plan allows. Subscribing is the billing module's (src/modules/billing). */
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
          <p class="lead fs-4">
            Upload a VCF and get every variant annotated: gene and transcript, Sequence Ontology consequence, HGVS, impact, known variant
            IDs, frequencies and ClinVar significance.
          </p>
          <p class="mt-4">
            {ctx.user ? (
              <a class="btn btn-light btn-lg" href="/annotate">
                Annotate a VCF file
              </a>
            ) : (
              <a class="btn btn-light btn-lg" href="/login">
                Sign in to start (free)
              </a>
            )}
          </p>
        </section>
        <div class="row g-4">
          <section class="col-md-6" aria-labelledby="how">
            <h2 id="how" class="h4">
              How it works
            </h2>
            <ol>
              <li>Sign in and upload a VCF file of genomic variants (plain or gzip).</li>
              <li>
                GAS annotates every variant: gene and transcript, Sequence Ontology consequence, HGVS notation, impact, and whether it is a
                known variant.
              </li>
              <li>We email you when the job is done. Browse, filter and download your results.</li>
            </ol>
          </section>
          <section class="col-md-6" aria-labelledby="plans">
            <h2 id="plans" class="h4">
              Plans
            </h2>
            <dl class="row mb-2">
              <dt class="col-sm-4">Free</dt>
              <dd class="col-sm-8">
                Files up to {formatBytes(opts.freeMaxUploadBytes)}; results can be browsed and downloaded for {retention}, then move to cold
                storage.
              </dd>
              <dt class="col-sm-4">Premium</dt>
              <dd class="col-sm-8">
                Files of any size; results stay available, and archived ones are restored on upgrade.{" "}
                <a href="/subscribe">Price and details</a>.
              </dd>
            </dl>
            <p class="text-body-secondary small">
              The engine follows Ensembl VEP's consequence and HGVS rules; the README lists how its calls compare with VEP, SnpEff and
              bcftools csq on real data.
            </p>
          </section>
        </div>
      </Layout>,
    );
  });
}
