/**
 * Blob storage for inputs and results (S3 buckets on AWS, folders locally). Bodies are streams so
 * that neither side holds a whole VCF in memory.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface StoredObject extends ObjectInfo {
  /** A fresh stream of the content each call. */
  stream(): ReadableStream<Uint8Array>;
}

export type ObjectBody = ReadableStream<Uint8Array> | Uint8Array | string | Blob;

/** A browser upload form: POST `fields` plus a `file` part to `url` (S3 presigned POST shape). */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: Date;
}

export interface UploadPolicyRequest {
  /** Key template; `${filename}` is replaced by the uploaded file's name, as S3 does. */
  key: string;
  /** Every accepted key must start with this (S3 `starts-with $key`). */
  keyPrefix: string;
  maxBytes: number;
  /** Where the browser is sent after a successful upload (S3 `success_action_redirect`). */
  successRedirect: string;
  expiresInSeconds: number;
}

/** How a download URL presents the object to the browser. */
export interface DownloadUrlRequest {
  /** The name the browser saves it as (Content-Disposition: attachment, see attachmentDisposition). */
  fileName: string;
  contentType: string;
  /** How long the URL works. S3 checks it when a download starts, so a long download is not cut. */
  expiresSeconds: number;
}

export interface ObjectStore {
  /** Store `body` at `key`, replacing any object there; the write is atomic (all or nothing). */
  put(key: string, body: ObjectBody): Promise<ObjectInfo>;
  /** null when absent. */
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Objects whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /** A signed form the browser posts straight to the store (the web server never carries the bytes on AWS). */
  createUploadForm(req: UploadPolicyRequest): Promise<UploadForm>;
  /**
   * A URL the browser fetches `key` from directly, with `fileName` and `contentType` as the
   * response's headers (S3: a presigned GET), so downloads never pass through the web role.
   * Absent, or null, when the store has no such URL (the local filesystem store): the web role
   * streams the object itself. Does not look whether the object exists.
   */
  downloadUrl?(key: string, req: DownloadUrlRequest): Promise<string | null>;
}

/**
 * The Content-Disposition of a download: the name is the user's (it can hold anything but `/`
 * and control characters), so the plain `filename` gets an ASCII stand-in and `filename*` the
 * exact UTF-8 name (RFC 6266). Here because both the web role's own responses and the stores'
 * download URLs must name a file the same way.
 */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  // RFC 8187 attr-char excludes ' ( ) * which encodeURIComponent leaves alone.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Key rules shared by every adapter: no absolute paths, no `.`/`..` segments, no control characters. */
export function assertSafeKey(key: string): void {
  // biome-ignore lint: control characters are exactly what we reject
  if (key.length === 0 || key.length > 1024 || /[\u0000-\u001f\\]/.test(key) || key.startsWith("/")) {
    throw new Error(`object key ${JSON.stringify(key)} is not allowed`);
  }
  if (key.split("/").some((seg) => seg === "" || seg === "." || seg === "..")) {
    throw new Error(`object key ${JSON.stringify(key)} has an empty, "." or ".." segment`);
  }
}

/**
 * Implemented by stores whose browser uploads arrive through our own web role (the local
 * filesystem store). It checks the signed form exactly as S3 checks a presigned POST and stores
 * the file; on AWS the browser posts to S3 and there is no receiver.
 */
/** The file part of an upload form, as it streams in (a File is one too). */
export interface UploadedFile {
  readonly name: string;
  stream(): ReadableStream<Uint8Array>;
}

export interface UploadReceiver {
  /**
   * Checks the form's fields against its policy before reading the file, then stores the file as
   * it streams, refusing it as soon as it passes the policy's size limit (nothing is kept then).
   * Throws AppError (FORBIDDEN, INVALID_INPUT, PAYLOAD_TOO_LARGE) naming the failed condition.
   */
  receive(fields: Record<string, string>, file: UploadedFile): Promise<{ key: string; etag: string; redirect: string | null }>;
}
