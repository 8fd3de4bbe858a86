/**
 * ArchiveVault on S3 archive storage classes, the default on AWS (the Glacier vault API takes no
 * new accounts since 2025-12-15). An archive is an object under `archive/<ref>` stored as
 * DEEP_ARCHIVE (or GLACIER Flexible Retrieval; both need a restore before a read); a restore is
 * RestoreObject, its progress is HeadObject's `x-amz-restore` header, and S3 announces the
 * completion itself: the bucket's event notification `s3:ObjectRestore:Completed` goes to the
 * `archive.restored` SNS topic (set up by `gas aws bootstrap`) and from there to the archiver's
 * `restore` queue, where `readRestoreNotice` decodes S3's event record.
 *
 * The archive id is the object key, so archiving a ref again (a retry) overwrites the same
 * object, which also drops any earlier restored copy, as the contract asks.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  RestoreObjectCommand,
  type S3Client,
  type StorageClass,
} from "@aws-sdk/client-s3";
import type { ArchiveVault, RestoreCompleted, RestoreStatus } from "../../ports/archive-vault.ts";

export type ArchiveStorageClass = "DEEP_ARCHIVE" | "GLACIER";

export interface S3ArchiveVaultOptions {
  s3: S3Client;
  bucket: string;
  /** Key prefix of archives in the bucket; the bucket's restore notification filters on it. */
  prefix?: string;
  storageClass?: ArchiveStorageClass;
  /** Retrieval tier: Standard (DEEP_ARCHIVE: within 12 h; GLACIER: 3-5 h) or Bulk (cheaper, slower). */
  tier?: "Standard" | "Bulk";
  /** How long the restored copy stays readable. */
  restoredDays?: number;
}

export const ARCHIVE_PREFIX = "archive/";
/** Refs are job ids; anything else never becomes a key. */
const REF = /^[A-Za-z0-9_-]{1,128}$/;

const httpStatus = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const errName = (err: unknown) => (err as { name?: string; Code?: string }).name ?? (err as { Code?: string }).Code;

/** `x-amz-restore`: absent (never restored), `ongoing-request="true"`, or `ongoing-request="false", expiry-date="…"`. */
function restoreState(header: string | undefined): "none" | "ongoing" | "done" {
  if (!header) return "none";
  return /ongoing-request="true"/.test(header) ? "ongoing" : "done";
}

/** Create the S3 archive-class vault. */
export function createS3ArchiveVault(opts: S3ArchiveVaultOptions): ArchiveVault {
  const { s3, bucket } = opts;
  const prefix = opts.prefix ?? ARCHIVE_PREFIX;
  const keyOf = (archiveId: string) => (archiveId.startsWith(prefix) && REF.test(archiveId.slice(prefix.length)) ? archiveId : null);

  async function head(key: string) {
    try {
      return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw err;
    }
  }

  return {
    async archive(ref, body) {
      if (!REF.test(ref)) throw new Error(`archive ref ${JSON.stringify(ref)} must be 1-128 letters, digits, '_' or '-'`);
      const key = `${prefix}${ref}`;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          StorageClass: (opts.storageClass ?? "DEEP_ARCHIVE") as StorageClass,
          ServerSideEncryption: "AES256",
          Metadata: { "gas-ref": ref },
        }),
      );
      return key;
    },

    async startRestore(archiveId): Promise<RestoreStatus> {
      const key = keyOf(archiveId);
      if (!key) return "missing";
      const h = await head(key);
      if (!h) return "missing";
      const state = restoreState(h.Restore);
      if (state === "ongoing") return "in-progress";
      if (state === "done") return "ready";
      try {
        await s3.send(
          new RestoreObjectCommand({
            Bucket: bucket,
            Key: key,
            RestoreRequest: { Days: opts.restoredDays ?? 7, GlacierJobParameters: { Tier: opts.tier ?? "Standard" } },
          }),
        );
        return "started";
      } catch (err) {
        // Two archivers racing: the second RestoreObject is refused while the first runs.
        if (errName(err) === "RestoreAlreadyInProgress" || httpStatus(err) === 409) return "in-progress";
        if (httpStatus(err) === 404) return "missing";
        throw err;
      }
    },

    async readRestored(archiveId) {
      const key = keyOf(archiveId);
      if (!key) return null;
      const h = await head(key);
      // An archived object without a finished restore cannot be read (GetObject: InvalidObjectState).
      if (!h || restoreState(h.Restore) !== "done") return null;
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: h.ETag }));
        return r.Body ? await r.Body.transformToByteArray() : null;
      } catch (err) {
        if (httpStatus(err) === 404 || errName(err) === "InvalidObjectState") return null;
        throw err;
      }
    },

    async delete(archiveId) {
      const key = keyOf(archiveId);
      if (key) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    readRestoreNotice(message) {
      return decodeRestoreEvent(message, bucket, prefix);
    },
  };
}

interface S3EventRecord {
  eventName?: unknown;
  s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
}

/**
 * The completions in an S3 event notification (`{"Records":[{"eventName":"ObjectRestore:Completed",
 * "s3":{"bucket":{"name":…},"object":{"key":…}}}]}`; keys are URL-encoded with `+` for spaces).
 * Only this bucket's archives count; S3's `s3:TestEvent` and everything else decode to [].
 */
export function decodeRestoreEvent(message: unknown, bucket: string, prefix: string = ARCHIVE_PREFIX): RestoreCompleted[] {
  const records = (message as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return [];
  const out: RestoreCompleted[] = [];
  for (const r of records as S3EventRecord[]) {
    if (typeof r?.eventName !== "string" || !r.eventName.startsWith("ObjectRestore:Completed")) continue;
    if (r.s3?.bucket?.name !== bucket || typeof r.s3.object?.key !== "string") continue;
    let key: string;
    try {
      key = decodeURIComponent(r.s3.object.key.replaceAll("+", " "));
    } catch {
      continue;
    }
    const ref = key.slice(prefix.length);
    if (key.startsWith(prefix) && REF.test(ref)) out.push({ archiveId: key, ref });
  }
  return out;
}
