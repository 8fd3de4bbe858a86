/**
 * Where a browser lands when the store refuses its upload form (the local store's endpoint; S3
 * answers with its own XML): most often the form was left open past its expiry, which
 * upload-form-renew.js prevents while JavaScript runs. Says what happened and links to a fresh
 * form with the same job settings.
 */
import { Layout } from "../../../web/layout.tsx";
import type { PageCtx } from "../../../web/page-context.ts";

export function UploadRefusedPage(p: { ctx: PageCtx; expired: boolean; message: string; againHref: string }) {
  const title = p.expired ? "This upload form has expired" : "This upload form could not be used";
  return (
    <Layout ctx={p.ctx} title={title}>
      <h1 class="h2">{title}</h1>
      <div class="alert alert-warning" role="alert" id="upload-refused-message">
        {p.message}
      </div>
      <p>
        {p.expired
          ? "An upload form is signed for a limited time, and this one was open longer than that. Nothing was stored. Open the upload page again and choose the file there."
          : "Nothing was stored. Open the upload page again for a fresh form and choose the file there."}
      </p>
      <p>
        <a href={p.againHref} class="btn btn-primary" id="upload-again">
          Open the upload page again
        </a>{" "}
        <a href="/annotations" class="btn btn-outline-secondary">
          My annotations
        </a>
      </p>
    </Layout>
  );
}
