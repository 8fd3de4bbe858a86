/**
 * ArchiveVault on the S3 Glacier vault API (2012-06-01), for accounts that still have vaults (the
 * service takes no new accounts since 2025-12-15; new deployments use s3-archive-vault.ts).
 * - archive: UploadArchive. The SDK's Glacier middleware computes the SHA-256 tree hash
 *   (`x-amz-sha256-tree-hash`) and the body hash; the archive description carries the ref.
 * - startRestore: an `archive-retrieval` job (InitiateJob) with Tier Expedited, falling back to
 *   Standard when Glacier answers InsufficientCapacityException (as the original did). The job
 *   names the `archive.restored` SNS topic, so Glacier announces the completion itself, and its
 *   description carries the ref back in that announcement.
 * - readRestored: the newest succeeded retrieval job's output (GetJobOutput), checked against
 *   the tree hash Glacier sends with it.
 * - readRestoreNotice decodes Glacier's job-completion notification (the DescribeJob JSON).
 *
 * Glacier gives every upload a new archive id, so archiving a ref again (a retry after a crash)
 * leaves the first archive behind: the contract's "one archive per ref" cannot hold here.
 * Whether a restore runs or finished is read from ListJobs (Glacier keeps finished jobs for at
 * least 24 hours), so several processes agree without shared state of their own.
 */
import { createHash } from "node:crypto";
import {
  DeleteArchiveCommand,
  GetJobOutputCommand,
  type GetJobOutputCommandOutput,
  type GlacierClient,
  type GlacierJobDescription,
  InitiateJobCommand,
  UploadArchiveCommand,
  paginateListJobs,
} from "@aws-sdk/client-glacier";
import type { ArchiveVault, RestoreCompleted, RestoreStatus } from "../../ports/archive-vault.ts";

export type GlacierTier = "Expedited" | "Standard" | "Bulk";

export interface GlacierArchiveVaultOptions {
  glacier: GlacierClient;
  vault: string;
  /** ARN of the `archive.restored` topic Glacier announces finished jobs on (resolved once, lazily). */
  topicArn: () => Promise<string>;
  /** First tier asked for; Expedited falls back to Standard when Glacier lacks capacity. */
  tier?: GlacierTier;
}

/** The account id "-" means the credentials' own account. */
const ACCOUNT = "-";
/** Refs are job ids, as in the S3 vault. */
const REF = /^[A-Za-z0-9_-]{1,128}$/;
/** Archive ids are URL-safe base64 (138 characters on AWS); anything else is never sent. */
const ARCHIVE_ID = /^[A-Za-z0-9_-]{1,1024}$/;
/** Prefix of the archive and job descriptions GAS writes: `gas-ref:<ref>`. */
const DESCRIPTION_PREFIX = "gas-ref:";
const MIB = 1024 * 1024;

const errName = (err: unknown) => (err as { name?: string }).name ?? (err as { code?: string }).code;
const describe = (ref: string) => `${DESCRIPTION_PREFIX}${ref}`;
const refOf = (description: unknown) =>
  typeof description === "string" && description.startsWith(DESCRIPTION_PREFIX) && REF.test(description.slice(DESCRIPTION_PREFIX.length))
    ? description.slice(DESCRIPTION_PREFIX.length)
    : null;

/**
 * Glacier's SHA-256 tree hash (hex): SHA-256 of each 1 MiB chunk, then of each pair of hashes,
 * level by level, an odd last one carried up unchanged. The SDK computes it for uploads; this
 * one checks downloads (GetJobOutput sends the hash of the whole output).
 */
export function glacierTreeHash(bytes: Uint8Array): string {
  let level: Buffer[] = [];
  for (let at = 0; at < bytes.length || level.length === 0; at += MIB)
    level.push(
      createHash("sha256")
        .update(bytes.subarray(at, at + MIB))
        .digest(),
    );
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(
        i + 1 < level.length
          ? createHash("sha256")
              .update(level[i]!)
              .update(level[i + 1]!)
              .digest()
          : level[i]!,
      );
    level = next;
  }
  return level[0]!.toString("hex");
}

/** Create the Glacier vault adapter. */
export function createGlacierArchiveVault(opts: GlacierArchiveVaultOptions): ArchiveVault {
  const { glacier, vault } = opts;
  let topic: Promise<string> | null = null;
  const topicArn = () => {
    topic ??= opts.topicArn().catch((err) => {
      topic = null;
      throw err;
    });
    return topic;
  };

  /** This archive's retrieval jobs Glacier still lists, newest first. */
  async function retrievals(archiveId: string): Promise<GlacierJobDescription[]> {
    const out: GlacierJobDescription[] = [];
    for await (const page of paginateListJobs({ client: glacier }, { accountId: ACCOUNT, vaultName: vault })) {
      for (const j of page.JobList ?? []) if (j.Action === "ArchiveRetrieval" && j.ArchiveId === archiveId) out.push(j);
    }
    return out.sort((a, b) => String(b.CreationDate).localeCompare(String(a.CreationDate)));
  }

  async function initiate(archiveId: string, ref: string, tier: GlacierTier): Promise<void> {
    await glacier.send(
      new InitiateJobCommand({
        accountId: ACCOUNT,
        vaultName: vault,
        jobParameters: {
          Type: "archive-retrieval",
          ArchiveId: archiveId,
          Description: describe(ref),
          SNSTopic: await topicArn(),
          Tier: tier,
        },
      }),
    );
  }

  return {
    async archive(ref, body) {
      if (!REF.test(ref)) throw new Error(`archive ref ${JSON.stringify(ref)} must be 1-128 letters, digits, '_' or '-'`);
      const r = await glacier.send(
        new UploadArchiveCommand({ accountId: ACCOUNT, vaultName: vault, archiveDescription: describe(ref), body }),
      );
      if (!r.archiveId) throw new Error(`Glacier vault ${vault}: UploadArchive returned no archive id`);
      return r.archiveId;
    },

    async startRestore(archiveId, ref): Promise<RestoreStatus> {
      if (!ARCHIVE_ID.test(archiveId)) return "missing";
      if (!REF.test(ref)) throw new Error(`archive ref ${JSON.stringify(ref)} must be 1-128 letters, digits, '_' or '-'`);
      const jobs = await retrievals(archiveId);
      if (jobs.some((j) => j.StatusCode === "Succeeded")) return "ready";
      if (jobs.some((j) => j.StatusCode === "InProgress")) return "in-progress";
      const tier = opts.tier ?? "Expedited";
      try {
        await initiate(archiveId, ref, tier);
      } catch (err) {
        if (errName(err) === "ResourceNotFoundException") return "missing";
        // Expedited retrievals need free capacity; Standard ones (3-5 hours) are always taken.
        if (tier !== "Expedited" || errName(err) !== "InsufficientCapacityException") throw err;
        try {
          await initiate(archiveId, ref, "Standard");
        } catch (e) {
          if (errName(e) === "ResourceNotFoundException") return "missing";
          throw e;
        }
      }
      return "started";
    },

    async readRestored(archiveId) {
      if (!ARCHIVE_ID.test(archiveId)) return null;
      const job = (await retrievals(archiveId)).find((j) => j.StatusCode === "Succeeded");
      if (!job?.JobId) return null;
      let r: GetJobOutputCommandOutput;
      try {
        r = await glacier.send(new GetJobOutputCommand({ accountId: ACCOUNT, vaultName: vault, jobId: job.JobId }));
      } catch (err) {
        if (errName(err) === "ResourceNotFoundException") return null; // the job expired since ListJobs
        throw err;
      }
      const bytes = r.body ? await r.body.transformToByteArray() : new Uint8Array();
      const expected = r.checksum ?? job.SHA256TreeHash;
      // A corrupt download must not replace the result: throwing lets the archiver try again.
      if (expected && glacierTreeHash(bytes) !== expected)
        throw new Error(`Glacier job ${job.JobId}: output tree hash does not match ${expected}`);
      return bytes;
    },

    async delete(archiveId) {
      if (!ARCHIVE_ID.test(archiveId)) return;
      try {
        await glacier.send(new DeleteArchiveCommand({ accountId: ACCOUNT, vaultName: vault, archiveId }));
      } catch (err) {
        if (errName(err) !== "ResourceNotFoundException") throw err;
      }
    },

    readRestoreNotice(message) {
      return decodeGlacierJobNotice(message, vault);
    },
  };
}

/**
 * The completion in a Glacier job notification, the JSON Glacier publishes to the job's SNS topic
 * (the DescribeJob fields: `{"Action":"ArchiveRetrieval","ArchiveId":…,"JobDescription":…,
 * "JobId":…,"StatusCode":"Succeeded","VaultARN":"arn:aws:glacier:…:vaults/<vault>",…}`). Only
 * succeeded archive retrievals of this vault that GAS started (the description carries the ref)
 * count; failed jobs, inventory jobs and anything else decode to [].
 */
export function decodeGlacierJobNotice(message: unknown, vault: string): RestoreCompleted[] {
  const m = message as Partial<Record<"Action" | "StatusCode" | "ArchiveId" | "JobDescription" | "VaultARN", unknown>> | null;
  if (!m || typeof m !== "object" || m.Action !== "ArchiveRetrieval" || m.StatusCode !== "Succeeded") return [];
  if (typeof m.ArchiveId !== "string" || !ARCHIVE_ID.test(m.ArchiveId)) return [];
  if (typeof m.VaultARN !== "string" || !m.VaultARN.endsWith(`:vaults/${vault}`)) return [];
  const ref = refOf(m.JobDescription);
  return ref ? [{ archiveId: m.ArchiveId, ref }] : [];
}
