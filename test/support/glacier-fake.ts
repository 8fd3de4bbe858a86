/**
 * A fake of the S3 Glacier vault API (REST, 2012-06-01) for the part GAS uses, because no
 * emulator announces job completions: moto's Glacier keeps a job's SNSTopic and description to
 * itself (and ids archives by the MD5 of their bytes), fauxqs and dynalite have no Glacier. It
 * speaks the wire protocol as the SDK sends it and Glacier answers it:
 * - PUT /{account}/vaults/{vault} (CreateVault, 201, idempotent), GET (DescribeVault), DELETE;
 * - POST …/archives (UploadArchive): checks the SDK's `x-amz-sha256-tree-hash` and
 *   `x-amz-content-sha256` against the body, answers 201 with `x-amz-archive-id` (138 URL-safe
 *   base64 characters, new for every upload), `x-amz-sha256-tree-hash` and Location;
 * - DELETE …/archives/{id} (DeleteArchive): 204, 404 ResourceNotFoundException when unknown;
 * - POST …/jobs (InitiateJob, JSON job parameters): archive-retrieval only; 404 for an unknown
 *   archive; 400 InsufficientCapacityException for Tier Expedited while `refuseExpedited` is on;
 *   202 with `x-amz-job-id` and Location. `restoreMs` later the job succeeds and, when the job
 *   named an SNSTopic, the job description JSON (Glacier's notification) is published to it
 *   through the real SNS emulator;
 * - GET …/jobs (ListJobs, `statuscode`/`completed` filters, `limit`/`marker` paging),
 *   GET …/jobs/{id} (DescribeJob), GET …/jobs/{id}/output (GetJobOutput: the archive's bytes with
 *   `x-amz-sha256-tree-hash`; 400 while the job runs).
 * Errors are Glacier's JSON `{"code","message","type"}`. Requests must be SigV4-signed and carry
 * `x-amz-glacier-version: 2012-06-01` (the SDK's middleware adds it).
 */
import { createHash, randomBytes } from "node:crypto";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { glacierTreeHash } from "../../src/adapters/aws/glacier-archive-vault.ts";

export interface GlacierFake {
  endpoint: string;
  /** While true, Expedited retrievals are refused with InsufficientCapacityException. */
  refuseExpedited: boolean;
  /** How many requests each operation received (e.g. `InitiateJob`), for assertions. */
  calls: Map<string, number>;
  stop(): Promise<void>;
}

interface Archive {
  body: Uint8Array<ArrayBuffer>;
  description: string;
  treeHash: string;
  created: string;
}

interface Job {
  JobId: string;
  JobDescription: string | null;
  Action: "ArchiveRetrieval";
  ArchiveId: string;
  ArchiveSizeInBytes: number;
  ArchiveSHA256TreeHash: string;
  SHA256TreeHash: string | null;
  Completed: boolean;
  CompletionDate: string | null;
  CreationDate: string;
  StatusCode: "InProgress" | "Succeeded" | "Failed";
  StatusMessage: string | null;
  SNSTopic: string | null;
  Tier: string;
  VaultARN: string;
  RetrievalByteRange: string;
  InventorySizeInBytes: null;
  /** Not sent: the bytes the job will hand out (a snapshot, as a deleted archive's job still has them). */
  output: Uint8Array<ArrayBuffer>;
}

interface Vault {
  arn: string;
  created: string;
  archives: Map<string, Archive>;
  jobs: Map<string, Job>;
}

const ACCOUNT_ID = "123456789012";
const publicJob = ({ output: _, ...job }: Job) => job;

const error = (status: number, code: string, message: string, type: "Client" | "Server" = "Client") =>
  Response.json({ code, message, type }, { status, headers: { "x-amzn-RequestId": randomBytes(8).toString("hex") } });

/** Start the fake; `sns` (the SNS emulator) carries the job notifications. */
export function startGlacierFake(opts: { sns: SNSClient; restoreMs: number; region?: string }): GlacierFake {
  const region = opts.region ?? "us-east-1";
  const vaults = new Map<string, Vault>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const calls = new Map<string, number>();
  const now = () => new Date().toISOString();
  const count = (op: string) => calls.set(op, (calls.get(op) ?? 0) + 1);

  function complete(job: Job) {
    job.Completed = true;
    job.CompletionDate = now();
    job.StatusCode = "Succeeded";
    job.StatusMessage = "Succeeded";
    job.SHA256TreeHash = job.ArchiveSHA256TreeHash;
    if (job.SNSTopic)
      void opts.sns.send(new PublishCommand({ TopicArn: job.SNSTopic, Message: JSON.stringify(publicJob(job)) })).catch(() => {});
  }

  async function route(req: Request, fake: GlacierFake): Promise<Response> {
    const url = new URL(req.url);
    const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const [account, vaultsWord, vaultName, kind, id, output, ...extra] = parts;
    if (!account || vaultsWord !== "vaults" || !vaultName || extra.length > 0)
      return error(400, "BadRequest", `no such path ${url.pathname}`);
    if (account !== "-" && account !== ACCOUNT_ID) return error(403, "AccessDeniedException", `account ${account} is not the caller's`);
    if (!/^AWS4-HMAC-SHA256 Credential=/.test(req.headers.get("authorization") ?? ""))
      return error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    if (req.headers.get("x-amz-glacier-version") !== "2012-06-01")
      return error(400, "MissingParameterValueException", "Required header x-amz-glacier-version is missing");
    if (!/^[A-Za-z0-9_.-]{1,255}$/.test(vaultName)) return error(400, "InvalidParameterValueException", `invalid vault name ${vaultName}`);
    const m = req.method;
    const vaultPath = `/${ACCOUNT_ID}/vaults/${vaultName}`;

    if (!kind) {
      if (m === "PUT") {
        count("CreateVault");
        if (!vaults.has(vaultName))
          vaults.set(vaultName, {
            arn: `arn:aws:glacier:${region}:${ACCOUNT_ID}:vaults/${vaultName}`,
            created: now(),
            archives: new Map(),
            jobs: new Map(),
          });
        return new Response(null, { status: 201, headers: { location: vaultPath } });
      }
      const v = vaults.get(vaultName);
      if (!v)
        return error(
          404,
          "ResourceNotFoundException",
          `Vault not found for ARN: arn:aws:glacier:${region}:${ACCOUNT_ID}:vaults/${vaultName}`,
        );
      if (m === "GET") {
        count("DescribeVault");
        const size = [...v.archives.values()].reduce((n, a) => n + a.body.length, 0);
        return Response.json({
          CreationDate: v.created,
          LastInventoryDate: null,
          NumberOfArchives: v.archives.size,
          SizeInBytes: size,
          VaultARN: v.arn,
          VaultName: vaultName,
        });
      }
      if (m === "DELETE") {
        count("DeleteVault");
        if (v.archives.size > 0) return error(400, "InvalidParameterValueException", `Vault not empty or recently written to: ${v.arn}`);
        vaults.delete(vaultName);
        return new Response(null, { status: 204 });
      }
      return error(405, "BadRequest", `${m} ${url.pathname}`);
    }

    const vault = vaults.get(vaultName);
    if (!vault)
      return error(
        404,
        "ResourceNotFoundException",
        `Vault not found for ARN: arn:aws:glacier:${region}:${ACCOUNT_ID}:vaults/${vaultName}`,
      );

    if (kind === "archives" && !id && m === "POST") {
      count("UploadArchive");
      const body = new Uint8Array(await req.arrayBuffer());
      const treeHash = req.headers.get("x-amz-sha256-tree-hash");
      if (!treeHash) return error(400, "MissingParameterValueException", "Required header x-amz-sha256-tree-hash is missing");
      if (treeHash !== glacierTreeHash(body))
        return error(400, "InvalidParameterValueException", `Checksum mismatch: expected ${glacierTreeHash(body)} but got ${treeHash}`);
      const contentHash = req.headers.get("x-amz-content-sha256");
      if (contentHash && contentHash !== createHash("sha256").update(body).digest("hex"))
        return error(400, "InvalidParameterValueException", "x-amz-content-sha256 does not match the body");
      const description = req.headers.get("x-amz-archive-description") ?? "";
      if (description.length > 1024 || /[^\x20-\x7e]/.test(description))
        return error(400, "InvalidParameterValueException", "Invalid archive description");
      const archiveId = randomBytes(103).toString("base64url"); // 138 characters, like Glacier's
      vault.archives.set(archiveId, { body, description, treeHash, created: now() });
      return new Response(null, {
        status: 201,
        headers: { location: `${vaultPath}/archives/${archiveId}`, "x-amz-archive-id": archiveId, "x-amz-sha256-tree-hash": treeHash },
      });
    }
    if (kind === "archives" && id && !output && m === "DELETE") {
      count("DeleteArchive");
      if (!vault.archives.delete(id)) return error(404, "ResourceNotFoundException", `Archive not found for ID: ${id}`);
      return new Response(null, { status: 204 });
    }

    if (kind === "jobs" && !id && m === "POST") {
      count("InitiateJob");
      let p: Record<string, unknown>;
      try {
        p = (await req.json()) as Record<string, unknown>;
      } catch {
        return error(400, "InvalidParameterValueException", "job parameters are not JSON");
      }
      if (p.Type !== "archive-retrieval")
        return error(400, "InvalidParameterValueException", `this fake supports Type archive-retrieval only, not ${String(p.Type)}`);
      const tier = p.Tier === undefined ? "Standard" : String(p.Tier);
      if (!["Expedited", "Standard", "Bulk"].includes(tier)) return error(400, "InvalidParameterValueException", `Invalid tier: ${tier}`);
      const archive = typeof p.ArchiveId === "string" ? vault.archives.get(p.ArchiveId) : undefined;
      if (!archive) return error(404, "ResourceNotFoundException", `Archive not found for ID: ${String(p.ArchiveId)}`);
      if (tier === "Expedited" && fake.refuseExpedited)
        return error(400, "InsufficientCapacityException", "Insufficient capacity to process this expedited request.");
      if (typeof p.SNSTopic === "string" && !/^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(p.SNSTopic))
        return error(400, "InvalidParameterValueException", `Invalid SNS topic ARN: ${p.SNSTopic}`);
      const jobId = randomBytes(69).toString("base64url"); // 92 characters, like Glacier's
      const job: Job = {
        JobId: jobId,
        JobDescription: typeof p.Description === "string" ? p.Description : null,
        Action: "ArchiveRetrieval",
        ArchiveId: p.ArchiveId as string,
        ArchiveSizeInBytes: archive.body.length,
        ArchiveSHA256TreeHash: archive.treeHash,
        SHA256TreeHash: null,
        Completed: false,
        CompletionDate: null,
        CreationDate: now(),
        StatusCode: "InProgress",
        StatusMessage: null,
        SNSTopic: typeof p.SNSTopic === "string" ? p.SNSTopic : null,
        Tier: tier,
        VaultARN: vault.arn,
        RetrievalByteRange: `0-${archive.body.length - 1}`,
        InventorySizeInBytes: null,
        output: archive.body,
      };
      vault.jobs.set(jobId, job);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (vaults.get(vaultName) === vault) complete(job);
      }, opts.restoreMs);
      timers.add(timer);
      return new Response(null, { status: 202, headers: { location: `${vaultPath}/jobs/${jobId}`, "x-amz-job-id": jobId } });
    }
    if (kind === "jobs" && !id && m === "GET") {
      count("ListJobs");
      const q = url.searchParams;
      let list = [...vault.jobs.values()];
      if (q.has("statuscode")) list = list.filter((j) => j.StatusCode === q.get("statuscode"));
      if (q.has("completed")) list = list.filter((j) => String(j.Completed) === q.get("completed"));
      const start = q.has("marker") ? list.findIndex((j) => j.JobId === q.get("marker")) : 0;
      if (start < 0) return error(400, "InvalidParameterValueException", `Invalid marker: ${q.get("marker")}`);
      const limit = Math.min(Number(q.get("limit") ?? 50) || 50, 50);
      const page = list.slice(start, start + limit);
      const next = list[start + limit];
      return Response.json({ JobList: page.map(publicJob), Marker: next ? next.JobId : null });
    }
    const job = kind === "jobs" && id ? vault.jobs.get(id) : undefined;
    if (kind === "jobs" && id && m === "GET") {
      if (!job) return error(404, "ResourceNotFoundException", `The job ID was not found: ${id}`);
      if (!output) {
        count("DescribeJob");
        return Response.json(publicJob(job));
      }
      if (output === "output") {
        count("GetJobOutput");
        if (job.StatusCode !== "Succeeded")
          return error(400, "InvalidParameterValueException", `The job is not currently available for download: ${id}`);
        return new Response(job.output, {
          status: 200,
          headers: {
            "content-type": "application/octet-stream",
            "accept-ranges": "bytes",
            "x-amz-sha256-tree-hash": job.SHA256TreeHash!,
            "x-amz-archive-description": vault.archives.get(job.ArchiveId)?.description ?? "",
          },
        });
      }
    }
    return error(400, "BadRequest", `this fake does not implement ${m} ${url.pathname}`);
  }

  const fake: GlacierFake = {
    endpoint: "",
    refuseExpedited: false,
    calls,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await server.stop(true);
    },
  };
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => route(req, fake) });
  fake.endpoint = `http://127.0.0.1:${server.port}`;
  return fake;
}
