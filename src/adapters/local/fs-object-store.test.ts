import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { objectStoreContract } from "../../ports/object-store.contract.ts";
import { createFsObjectStore } from "./fs-object-store.ts";

const secret = "s".repeat(40);
async function openStore(now?: () => Date) {
  const root = await mkdtemp(join(tmpdir(), "gas-objects-"));
  const store = createFsObjectStore({ root, bucket: "inputs", uploadUrl: "http://localhost/upload/inputs", signingSecret: secret, now });
  return { store, root, close: () => rm(root, { recursive: true, force: true }) };
}

objectStoreContract("filesystem", openStore);

describe("filesystem store: signed POST uploads are checked like S3", () => {
  const policy = (store: Awaited<ReturnType<typeof openStore>>["store"], maxBytes = 100) =>
    store.createUploadForm({
      key: "u1/j1~${filename}",
      keyPrefix: "u1/",
      maxBytes,
      successRedirect: "http://localhost/annotate/job",
      expiresInSeconds: 60,
    });
  const file = (body: string, name = "a.vcf") => new File([body], name);

  test("a valid upload is stored under the key with the file name and redirects with bucket, key and etag", async () => {
    const h = await openStore();
    try {
      const form = await policy(h.store);
      const r = await h.store.receive(form.fields, file("##fileformat=VCFv4.2\n"));
      expect(r.key).toBe("u1/j1~a.vcf");
      const url = new URL(r.redirect!);
      expect(url.pathname).toBe("/annotate/job");
      expect(url.searchParams.get("key")).toBe("u1/j1~a.vcf");
      expect(url.searchParams.get("bucket")).toBe("inputs");
      expect(url.searchParams.get("etag")).toBeTruthy();
      expect(await new Response((await h.store.get("u1/j1~a.vcf"))!.stream()).text()).toBe("##fileformat=VCFv4.2\n");
    } finally {
      await h.close();
    }
  });

  test("expired policy → FORBIDDEN", async () => {
    let now = new Date();
    const h = await openStore(() => now);
    try {
      const form = await policy(h.store);
      now = new Date(now.getTime() + 61_000);
      await expect(h.store.receive(form.fields, file("x"))).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("expired") });
    } finally {
      await h.close();
    }
  });

  test("tampered signature, policy or key → FORBIDDEN, nothing stored", async () => {
    const h = await openStore();
    try {
      const form = await policy(h.store);
      const sig = form.fields["x-gas-signature"]!;
      const flipped = (sig[0] === "a" ? "b" : "a") + sig.slice(1);
      await expect(h.store.receive({ ...form.fields, "x-gas-signature": flipped }, file("x"))).rejects.toMatchObject({ code: "FORBIDDEN" });
      const forged = Buffer.from(JSON.stringify({ expiration: "2999-01-01T00:00:00Z", conditions: [["content-length-range", 0, 1e12]] })).toString("base64");
      await expect(h.store.receive({ ...form.fields, policy: forged }, file("x"))).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(h.store.receive({ ...form.fields, key: "u2/j1~${filename}" }, file("x"))).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringContaining("starts-with"),
      });
      await expect(h.store.receive({ ...form.fields, success_action_redirect: "http://evil/" }, file("x"))).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(h.store.receive({ ...form.fields, acl: "public-read" }, file("x"))).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await h.store.list("")).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test("oversize → PAYLOAD_TOO_LARGE naming the limit", async () => {
    const h = await openStore();
    try {
      const form = await policy(h.store, 10);
      await expect(h.store.receive(form.fields, file("x".repeat(11)))).rejects.toMatchObject({
        code: "PAYLOAD_TOO_LARGE",
        message: expect.stringContaining("at most 10 bytes"),
      });
    } finally {
      await h.close();
    }
  });

  test("../ or slashes in the file name → INVALID_INPUT, nothing stored outside the root", async () => {
    const h = await openStore();
    try {
      const form = await policy(h.store);
      for (const name of ["../../escape.vcf", "..", "a/b.vcf", "a\\b.vcf"]) {
        await expect(h.store.receive(form.fields, file("x", name))).rejects.toMatchObject({ code: "INVALID_INPUT" });
      }
      expect(await h.store.list("")).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
