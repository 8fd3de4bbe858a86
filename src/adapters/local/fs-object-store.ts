/**
 * ObjectStore on the local filesystem: one folder per bucket, keys are relative paths. Writes go
 * to a temp file beside the target and are renamed into place, so readers never see half a file.
 * Temp files a killed writer left behind are removed when the store is created (stale-temp-files.ts).
 */
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import {
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type StoredObject,
  type UploadForm,
  type UploadPolicyRequest,
  type UploadReceiver,
  assertSafeKey,
} from "../../ports/object-store.ts";
import { AppError } from "../../shared/errors.ts";
import { type SweepsStaleTempFiles, UUID_PATTERN, WRITER_TAG, WRITER_TAG_PATTERN, startStaleTempSweep } from "./stale-temp-files.ts";
import { type VerifiedUpload, assertUploadSize, createUploadPolicy, verifyUploadFields } from "./upload-policy.ts";

export interface FsObjectStoreOptions {
  root: string;
  /** Bucket name used in policies (one store = one bucket). */
  bucket: string;
  /** Absolute URL of this store's upload endpoint in the web role (e.g. `http://host/upload/inputs`). */
  uploadUrl: string;
  signingSecret: string;
  now?: () => Date;
}

const TEMP_MARK = ".tmp-";
/**
 * A put's temp file, `.<uuid>.<writer>.tmp-` (`.<uuid>.tmp-` before writers were named): the
 * sweep matches exactly this, not any key ending in TEMP_MARK.
 */
const TEMP_NAME = new RegExp(`^\\.${UUID_PATTERN}(?:\\.(${WRITER_TAG_PATTERN}))?\\.tmp-$`);

/**
 * S3 keys are flat: `a` and `a/b` can both exist. Here keys are files in folders, so one key cannot
 * be a file and another's folder at once; a key that tries is the client's conflict (409), not ours.
 */
function asKeyConflict(key: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // A key segment is a file name here, 255 bytes at most (S3 allows 1,024 for the whole key).
  if (code === "ENAMETOOLONG")
    return new AppError("INVALID_INPUT", `The key ${JSON.stringify(key)} cannot be stored: a part of it is longer than 255 bytes.`, {
      cause: err,
    });
  if (code !== "ENOTDIR" && code !== "EEXIST" && code !== "EISDIR") return err;
  return new AppError(
    "CONFLICT",
    `The key ${JSON.stringify(key)} cannot be stored: part of it is an existing object used as a folder, or it names a folder that holds other objects.`,
    { cause: err },
  );
}

/** Create a filesystem-backed store that also receives browser uploads; it starts by removing stale temp files. */
export function createFsObjectStore(opts: FsObjectStoreOptions): ObjectStore & UploadReceiver & SweepsStaleTempFiles {
  const now = opts.now ?? (() => new Date());
  const at = (key: string) => {
    assertSafeKey(key);
    return join(opts.root, ...key.split("/"));
  };
  const info = async (key: string): Promise<ObjectInfo | null> => {
    try {
      const s = await stat(at(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch {
      return null;
    }
  };

  const store: ObjectStore & UploadReceiver & SweepsStaleTempFiles = {
    // Temps sit beside their targets, in the key's folders, so the whole bucket folder is walked.
    staleTempsRemoved: startStaleTempSweep({
      dir: opts.root,
      isTemp: (f) => TEMP_NAME.test(f),
      writerOf: (f) => TEMP_NAME.exec(f)?.[1] ?? null,
      recursive: true,
    }),
    async put(key: string, body: ObjectBody) {
      const target = at(key);
      await mkdir(dirname(target), { recursive: true }).catch((err) => {
        throw asKeyConflict(key, err);
      });
      const temp = join(dirname(target), `.${randomUUID()}.${WRITER_TAG}${TEMP_MARK}`);
      try {
        // Bun.write streams a Response body to disk without buffering it whole.
        if (typeof body === "string" || body instanceof Uint8Array) await Bun.write(temp, body);
        else if (body instanceof ReadableStream) await Bun.write(temp, new Response(body));
        // A file is copied by the thread pool: Bun.write copies it on the calling thread, 70 ms
        // for a 227 MB result during which HTTP waited in `--role=all` (issue 13).
        else if (isBunFile(body)) await copyFile(body.name, temp);
        else await Bun.write(temp, body);
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw asKeyConflict(key, err);
      }
      return (await info(key))!;
    },
    async get(key) {
      const i = await info(key);
      if (!i) return null;
      const path = at(key);
      return { ...i, stream: () => Bun.file(path).stream() } satisfies StoredObject;
    },
    head: info,
    async list(prefix) {
      // Walk only the deepest folder the prefix names, then filter by the rest of it.
      const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
      if (folder) assertSafeKey(folder);
      const base = folder ? join(opts.root, ...folder.split("/")) : opts.root;
      let entries: string[];
      try {
        entries = (await readdir(base, { recursive: true })) as string[];
      } catch {
        return [];
      }
      const out: ObjectInfo[] = [];
      for (const rel of entries) {
        if (rel.endsWith(TEMP_MARK)) continue;
        const key = relative(opts.root, join(base, rel)).split(sep).join("/");
        if (!key.startsWith(prefix)) continue;
        const i = await info(key);
        if (i) out.push(i);
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async delete(key) {
      await rm(at(key), { force: true });
    },
    async createUploadForm(req: UploadPolicyRequest): Promise<UploadForm> {
      return createUploadPolicy({ ...req, bucket: opts.bucket, url: opts.uploadUrl, secret: opts.signingSecret, now: now() });
    },
    async receive(fields, file) {
      const allowed = verifyUploadFields({ fields, fileName: file.name, bucket: opts.bucket, secret: opts.signingSecret, now: now() });
      const { key, redirect } = allowed;
      const stored = await store.put(key, file.stream().pipeThrough(sizeLimited(allowed)));
      const etag = new Bun.CryptoHasher("md5").update(`${key}:${stored.size}:${stored.lastModified.getTime()}`).digest("hex");
      if (!redirect) return { key, etag, redirect: null };
      const url = new URL(redirect);
      url.searchParams.set("bucket", opts.bucket);
      url.searchParams.set("key", key);
      url.searchParams.set("etag", `"${etag}"`);
      return { key, etag, redirect: url.toString() };
    },
  };
  return store;
}

/**
 * A file on disk (Bun.file), whose name is its path; a File (an upload's part) has a name that is
 * not a path, and Bun.file() is no instance of File.
 */
function isBunFile(body: Blob): body is Blob & { name: string } {
  return !(body instanceof File) && typeof (body as { name?: unknown }).name === "string";
}

/**
 * Passes an upload's bytes through, counting: past the policy's limit the stream errors (413), so
 * `put` removes its temp file and no more of the body is read (issue 13: an upload is never held
 * whole, in memory or on disk, beyond its limit).
 */
function sizeLimited(allowed: Pick<VerifiedUpload, "minBytes" | "maxBytes">): TransformStream<Uint8Array, Uint8Array> {
  let size = 0;
  return new TransformStream({
    transform(chunk, controller) {
      size += chunk.byteLength;
      assertUploadSize(size, allowed, false);
      controller.enqueue(chunk);
    },
    flush() {
      assertUploadSize(size, allowed, true);
    },
  });
}
