/**
 * The ObjectStore contract on S3, against fauxqs started by this file; each test has its own
 * bucket (made by `bootstrapBuckets`) and empties and deletes it afterwards. fauxqs, like every
 * S3 emulator, does not check POST policies, so the upload form's policy is decoded and every
 * condition asserted here; the form is then posted to the emulator as a browser would.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { objectStoreContract } from "../../ports/object-store.contract.ts";
import { attachmentDisposition } from "../../ports/object-store.ts";
import {
  deleteBucket,
  emulatorName,
  externalEndpoint,
  startFauxqsEmulator,
  emulatorFixture,
  uniqueName,
} from "../../../test/support/aws-emulators.ts";
import { bootstrapBuckets } from "./aws-bootstrap.ts";
import { createS3ObjectStore } from "./s3-object-store.ts";

const fauxqs = emulatorFixture(startFauxqsEmulator);

async function openStore() {
  const bucket = uniqueName("gas-objects");
  await bootstrapBuckets(fauxqs.clients, [bucket]);
  // 5 MiB parts (S3's minimum) so the contract's 8 MiB body goes through a real multipart upload.
  const store = createS3ObjectStore({ s3: fauxqs.clients.s3, bucket, partSizeBytes: 5 * 1024 * 1024 });
  return { store, bucket, close: () => deleteBucket(fauxqs.clients, bucket) };
}

objectStoreContract(`S3 on ${emulatorName("fauxqs")}`, openStore);

type Policy = { expiration: string; conditions: (Record<string, string> | (string | number)[])[] };

describe("S3 specifics", () => {
  test("downloadUrl is a presigned GET: short expiry, the attachment name and type signed in, the bytes served", async () => {
    const h = await openStore();
    try {
      await h.store.put("u1/j1~calls.annot.vcf.gz", "bgzf bytes");
      const req = { fileName: "calls ü.annot.vcf.gz", contentType: "application/gzip", expiresSeconds: 300 };
      const url = new URL((await h.store.downloadUrl!("u1/j1~calls.annot.vcf.gz", req))!);
      expect(url.origin + url.pathname).toBe(`${fauxqs.emulator.endpoint}/${h.bucket}/u1/j1~calls.annot.vcf.gz`);
      expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
      expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
      expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      expect(url.searchParams.get("response-content-disposition")).toBe(attachmentDisposition(req.fileName));
      expect(url.searchParams.get("response-content-type")).toBe("application/gzip");
      // Both overrides are signed: changing either invalidates the URL on S3.
      expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("bgzf bytes");
    } finally {
      await h.close();
    }
  });

  const request = {
    key: "u1/j1~${filename}",
    keyPrefix: "u1/",
    maxBytes: 153_600,
    successRedirect: "https://gas.example.org/annotate/job",
    expiresInSeconds: 60,
  };

  test("the presigned POST policy: expiry, bucket, private ACL, SSE AES256, key prefix, size range per tier, redirect, SigV4 fields", async () => {
    const h = await openStore();
    try {
      const before = Date.now();
      const form = await h.store.createUploadForm(request);
      const policy = JSON.parse(Buffer.from(form.fields.policy!, "base64").toString("utf8")) as Policy;
      const expiration = Date.parse(policy.expiration);
      expect(expiration).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 59_000);
      expect(expiration).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(Math.abs(form.expiresAt.getTime() - expiration)).toBeLessThan(1500);
      const c = policy.conditions;
      expect(c).toContainEqual({ bucket: h.bucket });
      expect(c).toContainEqual({ acl: "private" });
      expect(c).toContainEqual({ "x-amz-server-side-encryption": "AES256" });
      expect(c).toContainEqual({ success_action_redirect: "https://gas.example.org/annotate/job" });
      expect(c).toContainEqual(["starts-with", "$key", "u1/"]);
      expect(c).toContainEqual(["content-length-range", 0, 153_600]);
      expect(c).toContainEqual({ "X-Amz-Algorithm": "AWS4-HMAC-SHA256" });
      // Every form field except the exempt ones is covered by a condition with the same spelling.
      const covered = new Set(c.flatMap((x) => (Array.isArray(x) ? [String(x[1]).replace(/^\$/, "")] : Object.keys(x))));
      for (const field of Object.keys(form.fields)) {
        if (!["policy", "X-Amz-Signature", "key"].includes(field)) expect(covered).toContain(field);
      }
      expect(form.fields).toMatchObject({
        key: "u1/j1~${filename}",
        acl: "private",
        "x-amz-server-side-encryption": "AES256",
        success_action_redirect: "https://gas.example.org/annotate/job",
        "X-Amz-Credential": expect.stringMatching(/^test\/\d{8}\/us-east-1\/s3\/aws4_request$/),
      });
      expect(form.fields["X-Amz-Signature"]).toMatch(/^[0-9a-f]{64}$/);
      expect(form.url).toBe(`${fauxqs.emulator.endpoint}/${h.bucket}`);
      // A premium tier is just another size.
      const big = await h.store.createUploadForm({ ...request, maxBytes: 5 * 1024 ** 3 });
      expect(JSON.parse(Buffer.from(big.fields.policy!, "base64").toString()).conditions).toContainEqual([
        "content-length-range",
        0,
        5 * 1024 ** 3,
      ]);
    } finally {
      await h.close();
    }
  });

  test("a key outside its own prefix is refused before anything is signed", async () => {
    const h = await openStore();
    try {
      await expect(h.store.createUploadForm({ ...request, key: "u2/j1~${filename}" })).rejects.toThrow(/prefix/);
    } finally {
      await h.close();
    }
  });

  test("the browser's POST lands under the key with the file name and redirects with bucket, key and etag", async () => {
    const h = await openStore();
    try {
      const form = await h.store.createUploadForm(request);
      const body = new FormData();
      for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
      body.append("file", new File(["##fileformat=VCFv4.2\n"], "a.vcf"));
      const r = await fetch(form.url, { method: "POST", body, redirect: "manual" });
      expect(r.status).toBe(303);
      const to = new URL(r.headers.get("location")!);
      expect(to.origin + to.pathname).toBe("https://gas.example.org/annotate/job");
      expect(to.searchParams.get("bucket")).toBe(h.bucket);
      expect(to.searchParams.get("key")).toBe("u1/j1~a.vcf");
      // moto leaves the etag out of the redirect (S3 and fauxqs send it; GAS reads only the key).
      if (!externalEndpoint) expect(to.searchParams.get("etag")).toBeTruthy();
      const got = await h.store.get("u1/j1~a.vcf");
      expect(await new Response(got!.stream()).text()).toBe("##fileformat=VCFv4.2\n");
    } finally {
      await h.close();
    }
  });

  test("puts ask for SSE-S3; a large body is a multipart upload; a failed stream leaves no object (the abort of its parts is not checkable: fauxqs lacks ListMultipartUploads)", async () => {
    const h = await openStore();
    try {
      await h.store.put("u1/small.txt", "x");
      const head = await fauxqs.clients.s3.send(new HeadObjectCommand({ Bucket: h.bucket, Key: "u1/small.txt" }));
      // fauxqs does not echo x-amz-server-side-encryption; AWS does. Accept either.
      expect([undefined, "AES256"]).toContain(head.ServerSideEncryption);
      const chunk = new Uint8Array(1 << 20).fill(66);
      let n = 0;
      const big = new ReadableStream<Uint8Array>({ pull: (c) => (n++ < 11 ? c.enqueue(chunk) : c.close()) });
      expect((await h.store.put("u1/big.bin", big)).size).toBe(11 << 20);
      const etag = (await fauxqs.clients.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: "u1/big.bin" }))).ETag;
      expect(etag).toMatch(/-3"$/); // three parts of 5 MiB, 5 MiB and 1 MiB
      let m = 0;
      const broken = new ReadableStream<Uint8Array>({ pull: (c) => (m++ < 6 ? c.enqueue(chunk) : c.error(new Error("client went away"))) });
      await expect(h.store.put("u1/broken.bin", broken)).rejects.toThrow("client went away");
      expect(await h.store.head("u1/broken.bin")).toBeNull();
      expect((await h.store.list("u1/")).map((o) => o.key)).toEqual(["u1/big.bin", "u1/small.txt"]);
    } finally {
      await h.close();
    }
  }, 30_000);

  test("a stream of an object replaced after get fails instead of mixing versions", async () => {
    const h = await openStore();
    try {
      await h.store.put("u1/r.txt", "first");
      const got = await h.store.get("u1/r.txt");
      await h.store.put("u1/r.txt", "second!");
      await expect(new Response(got!.stream()).text()).rejects.toThrow();
      expect(await new Response((await h.store.get("u1/r.txt"))!.stream()).text()).toBe("second!");
    } finally {
      await h.close();
    }
  });

  test("listing pages past 1000 keys", async () => {
    const h = await openStore();
    try {
      for (let i = 0; i < 1005; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, 1005 - i) }, (_, j) =>
            fauxqs.clients.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: `p/${String(i + j).padStart(4, "0")}`, Body: "x" })),
          ),
        );
      }
      const keys = (await h.store.list("p/")).map((o) => o.key);
      expect(keys).toHaveLength(1005);
      expect(keys[1004]).toBe("p/1004");
    } finally {
      await h.close();
    }
  }, 60_000);
});
