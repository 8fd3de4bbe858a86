/**
 * ObjectStore on one S3 bucket. Bodies stream both ways: uploads go through lib-storage's
 * `Upload` (one PutObject for small bodies, a multipart upload in 8 MiB parts for large ones,
 * aborted on failure so nothing half-written is ever visible), downloads are GetObject streams.
 * Browser uploads use a presigned POST (S3 checks the policy itself; there is no receiver here);
 * browser downloads a presigned GET (downloadUrl), so the web fleet never carries result bytes.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  NoSuchKey,
  type S3Client,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type StoredObject,
  type DownloadUrlRequest,
  type UploadForm,
  type UploadPolicyRequest,
  assertSafeKey,
  attachmentDisposition,
} from "../../ports/object-store.ts";

export interface S3ObjectStoreOptions {
  s3: S3Client;
  bucket: string;
  /** Multipart part size; S3's minimum is 5 MiB. */
  partSizeBytes?: number;
}

/** Server-side encryption with S3-managed keys, as the original set on every object. */
const SSE = "AES256";
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

const isMissing = (err: unknown) =>
  err instanceof NoSuchKey ||
  err instanceof NotFound ||
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** S3 lists keys in UTF-8 byte order; JS compares UTF-16 units. Sort the same way as the local store. */
const byKey = (a: ObjectInfo, b: ObjectInfo) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Create the S3-backed store for `bucket`. */
export function createS3ObjectStore(opts: S3ObjectStoreOptions): ObjectStore {
  const { s3, bucket } = opts;

  async function head(key: string): Promise<(ObjectInfo & { etag: string | undefined }) | null> {
    assertSafeKey(key);
    try {
      const r = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: r.ContentLength ?? 0, lastModified: r.LastModified ?? new Date(0), etag: r.ETag };
    } catch (err) {
      if (isMissing(err)) return null; // SDK errors never cross the port
      throw err;
    }
  }

  /**
   * A lazy stream of the object: GetObject runs on first read. `IfMatch` pins the version that
   * `get` saw, so a stream never mixes two versions; a replaced object fails the read instead.
   */
  function objectStream(key: string, etag: string | undefined): ReadableStream<Uint8Array> {
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!reader) {
          const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
          if (!r.Body) throw new Error(`s3://${bucket}/${key}: GetObject returned no body`);
          reader = (r.Body.transformToWebStream() as ReadableStream<Uint8Array>).getReader();
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await reader?.cancel(reason);
      },
    });
  }

  return {
    async put(key: string, body: ObjectBody): Promise<ObjectInfo> {
      assertSafeKey(key);
      const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: body, ServerSideEncryption: SSE },
        partSize: opts.partSizeBytes ?? DEFAULT_PART_SIZE,
        queueSize: 2,
        // A failed multipart upload is aborted, so no parts linger (and bill) after an error.
        leavePartsOnError: false,
      });
      await upload.done();
      const info = await head(key);
      if (!info) throw new Error(`s3://${bucket}/${key}: the upload finished but the object is not there`);
      return { key, size: info.size, lastModified: info.lastModified };
    },

    async get(key): Promise<StoredObject | null> {
      const info = await head(key);
      if (!info) return null;
      const { etag, ...rest } = info;
      return { ...rest, stream: () => objectStream(key, etag) };
    },

    async head(key) {
      const info = await head(key);
      return info && { key: info.key, size: info.size, lastModified: info.lastModified };
    },

    async list(prefix) {
      const out: ObjectInfo[] = [];
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
        }
      }
      return out.sort(byKey);
    },

    async delete(key) {
      assertSafeKey(key);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })); // S3 deletes are idempotent
    },

    async createUploadForm(req: UploadPolicyRequest): Promise<UploadForm> {
      return createS3UploadForm(s3, bucket, req);
    },

    /**
     * A presigned GET: the browser downloads straight from S3, and S3 answers with the
     * Content-Disposition and Content-Type asked for here (response-content-* overrides, which
     * the signature covers, so they cannot be changed by whoever holds the URL).
     */
    async downloadUrl(key: string, req: DownloadUrlRequest): Promise<string> {
      assertSafeKey(key);
      const get = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: attachmentDisposition(req.fileName),
        ResponseContentType: req.contentType,
      });
      return getSignedUrl(s3, get, { expiresIn: req.expiresSeconds });
    },
  };
}

/**
 * A presigned POST for a browser upload, with the original's conditions: private ACL, SSE-S3,
 * the user's key prefix, a size limit per tier (content-length-range) and the redirect after
 * success. The SDK's `Policy` field is renamed `policy` (the spelling boto3 uses; S3 takes either
 * for this field, which no condition covers) so the form has the same field as the local store's.
 * Every other name keeps its case: S3 matches field names to policy conditions case-sensitively.
 */
export async function createS3UploadForm(s3: S3Client, bucket: string, req: UploadPolicyRequest): Promise<UploadForm> {
  if (!req.key.startsWith(req.keyPrefix))
    throw new Error(`upload key ${JSON.stringify(req.key)} does not start with its prefix ${JSON.stringify(req.keyPrefix)}`);
  assertSafeKey(req.keyPrefix.replace(/\/$/, "") || "x");
  const issued = Date.now();
  const fields = { acl: "private", "x-amz-server-side-encryption": SSE, success_action_redirect: req.successRedirect };
  const post = await createPresignedPost(s3, {
    Bucket: bucket,
    Key: req.key,
    Expires: req.expiresInSeconds,
    Fields: fields,
    Conditions: [
      ["starts-with", "$key", req.keyPrefix],
      ["content-length-range", 0, req.maxBytes],
      // createPresignedPost adds an exact-match condition for each entry of `Fields`.
    ],
  });
  return {
    url: post.url,
    // The policy's expiration is computed from the same clock (plus the SDK's skew correction).
    expiresAt: new Date(issued + req.expiresInSeconds * 1000),
    fields: Object.fromEntries(Object.entries(post.fields).map(([k, v]) => [k === "Policy" ? "policy" : k, v])),
  };
}
