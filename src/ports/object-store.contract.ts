/** ObjectStore contract: every adapter (filesystem, S3) must pass this suite. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type ObjectStore, attachmentDisposition } from "./object-store.ts";

export interface ObjectStoreHarness {
  store: ObjectStore;
  close(): Promise<void>;
}

const text = async (s: ReadableStream<Uint8Array>) => new Response(s).text();

/** Register the contract tests for one adapter. */
export function objectStoreContract(name: string, open: () => Promise<ObjectStoreHarness>) {
  describe(`ObjectStore contract: ${name}`, () => {
    let h: ObjectStoreHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(() => h.close());

    test("get/head of a missing key is null; delete of a missing key is fine", async () => {
      expect(await h.store.get("u1/nothing.vcf")).toBeNull();
      expect(await h.store.head("u1/nothing.vcf")).toBeNull();
      await h.store.delete("u1/nothing.vcf");
    });

    test("put then get streams the same bytes; put replaces", async () => {
      const info = await h.store.put("u1/j1~a.vcf", "first");
      expect(info).toMatchObject({ key: "u1/j1~a.vcf", size: 5 });
      await h.store.put("u1/j1~a.vcf", new Response("second version").body!);
      const got = await h.store.get("u1/j1~a.vcf");
      expect(got?.size).toBe(14);
      expect(await text(got!.stream())).toBe("second version");
      expect(await text(got!.stream())).toBe("second version"); // a fresh stream each call
    });

    test("a large body streams through", async () => {
      const chunk = new Uint8Array(1 << 20).fill(65);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent++ < 8) c.enqueue(chunk);
          else c.close();
        },
      });
      expect((await h.store.put("big/x.bin", body)).size).toBe(8 << 20);
    });

    test("list by prefix returns only matching keys, sorted", async () => {
      for (const k of ["u1/b~x.vcf", "u1/a~y.vcf", "u2/c~z.vcf", "u10/d~w.vcf"]) await h.store.put(k, k);
      expect((await h.store.list("u1/")).map((o) => o.key)).toEqual(["u1/a~y.vcf", "u1/b~x.vcf"]);
      expect((await h.store.list("u1")).map((o) => o.key)).toEqual(["u1/a~y.vcf", "u1/b~x.vcf", "u10/d~w.vcf"]);
      expect(await h.store.list("nobody/")).toEqual([]);
    });

    test("downloadUrl, where the store has one, serves the object under the name and type asked for", async () => {
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
      await h.store.put("u1/j1~x.annot.vcf.gz", bytes);
      const req = { fileName: 'x "ü" (1).annot.vcf.gz', contentType: "application/gzip", expiresSeconds: 60 };
      const url = h.store.downloadUrl ? await h.store.downloadUrl("u1/j1~x.annot.vcf.gz", req) : null;
      // Null means the web role streams the object itself (the local filesystem store).
      if (url === null) return;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
      // S3 answers with the URL's signed response-content-* values; fauxqs ignores them, so the
      // S3 adapter's own test also checks that the URL carries them.
      const disposition = res.headers.get("content-disposition");
      if (disposition !== null) expect(disposition).toBe(attachmentDisposition(req.fileName));
    });

    test("delete removes the object", async () => {
      await h.store.put("u1/gone.txt", "x");
      await h.store.delete("u1/gone.txt");
      expect(await h.store.get("u1/gone.txt")).toBeNull();
      expect(await h.store.list("u1/")).toEqual([]);
    });

    test("keys with .. segments or absolute paths are refused", async () => {
      await expect(h.store.put("../escape.txt", "x")).rejects.toThrow();
      await expect(h.store.put("u1/../../escape.txt", "x")).rejects.toThrow();
      await expect(h.store.put("/etc/passwd", "x")).rejects.toThrow();
    });

    test("createUploadForm names the key template, the redirect and an expiry", async () => {
      const form = await h.store.createUploadForm({
        key: "u1/j1~${filename}",
        keyPrefix: "u1/",
        maxBytes: 1000,
        successRedirect: "http://localhost/annotate/job",
        expiresInSeconds: 60,
      });
      expect(form.fields.key).toBe("u1/j1~${filename}");
      expect(form.fields.success_action_redirect).toBe("http://localhost/annotate/job");
      expect(form.fields.policy).toBeTruthy();
      expect(form.expiresAt.getTime()).toBeGreaterThan(Date.now());
    });
  });
}
