import { describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { objectStoreContract } from "../../ports/object-store.contract.ts";
import { createFsObjectStore } from "./fs-object-store.ts";
import { STALE_TEMP_AFTER_MS } from "./stale-temp-files.ts";

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
      await expect(h.store.receive(form.fields, file("x"))).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringContaining("expired"),
      });
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
      const forged = Buffer.from(
        JSON.stringify({ expiration: "2999-01-01T00:00:00Z", conditions: [["content-length-range", 0, 1e12]] }),
      ).toString("base64");
      await expect(h.store.receive({ ...form.fields, policy: forged }, file("x"))).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(h.store.receive({ ...form.fields, key: "u2/j1~${filename}" }, file("x"))).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringContaining("starts-with"),
      });
      await expect(h.store.receive({ ...form.fields, success_action_redirect: "http://evil/" }, file("x"))).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
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

describe("filesystem store: stale temp files of killed writers", () => {
  const aged = async (path: string, ageMs: number) => {
    await mkdir(dirname(path), { recursive: true });
    await Bun.write(path, "half-written");
    const when = new Date(Date.now() - ageMs);
    await utimes(path, when, when);
  };
  const STALE = STALE_TEMP_AFTER_MS + 60_000;
  const tempName = () => `.${randomUUID()}.tmp-`;

  test("removed at any depth when the store is created if older than the grace period; fresh temps and objects are kept", async () => {
    const root = await mkdtemp(join(tmpdir(), "gas-objects-"));
    try {
      const freshTemp = `u1/${tempName()}`;
      await aged(join(root, "u1", "j1~a.vcf"), STALE * 10); // objects, however old, are data
      await aged(join(root, "u1", "j2", "result.vcf.tmp-"), STALE * 10); // a key that merely ends like a temp
      await aged(join(root, freshTemp), 5_000);
      await aged(join(root, tempName()), STALE);
      await aged(join(root, "u1", "j2", tempName()), STALE);
      const h = createFsObjectStore({ root, bucket: "inputs", uploadUrl: "http://localhost/upload/inputs", signingSecret: secret });
      expect(await h.staleTempsRemoved).toBe(2);
      const left = ((await readdir(root, { recursive: true })) as string[]).map((f) => f.split(sep).join("/")).sort();
      expect(left).toEqual(["u1", freshTemp, "u1/j1~a.vcf", "u1/j2", "u1/j2/result.vcf.tmp-"].sort());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("a bucket folder that does not exist yet is fine, and is created by the first put", async () => {
    const parent = await mkdtemp(join(tmpdir(), "gas-objects-"));
    try {
      const h = createFsObjectStore({
        root: join(parent, "not-yet"),
        bucket: "inputs",
        uploadUrl: "http://localhost/upload/inputs",
        signingSecret: secret,
      });
      expect(await h.staleTempsRemoved).toBe(0);
      await h.put("u1/a.txt", "hello");
      expect((await h.list("u1/")).map((o) => o.key)).toEqual(["u1/a.txt"]);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
