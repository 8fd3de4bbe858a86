/**
 * The IAM action (and, for S3 and SQS, the resource) a recorded AWS request is authorized as on
 * AWS, from the request alone: the signing service in SigV4's credential scope, then the
 * operation as each protocol carries it (X-Amz-Target for the JSON protocols, Action= for the
 * query protocol, the method and path for S3's and SES v2's REST APIs). Used by
 * test/aws-iam.e2e.test.ts to show that every call a role's process made is one the topology
 * checker's table (ansible/scripts/topology/iam-checks.ts) expects of that role: a new call in the
 * code that the table (and so the rendered policy it is checked against) lacks fails the test.
 *
 * What it cannot name it returns as `<service>:?<method> <path>`, which matches no table entry:
 * an unknown call fails the check rather than passing unseen.
 */
import type { RecordedRequest } from "./refusal-recorder.ts";

export interface RequestAction {
  /** e.g. "s3:GetObject" (IAM's spelling; SQS's batch calls as the single call that authorizes them). */
  action: string;
  /** S3: arn:aws:s3:::bucket or arn:aws:s3:::bucket/key; SQS: the queue's name; otherwise absent. */
  resource?: string;
  /** The operation as sent, for messages ("DeleteMessageBatch", "HEAD /bucket/key"). */
  call: string;
}

/** SigV4 signing names whose IAM prefix differs. */
const IAM_PREFIX: Record<string, string> = { monitoring: "cloudwatch", email: "ses" };

/** Calls AWS authorizes as another action (SQS developer guide, "Amazon SQS API permissions"). */
const AUTHORIZED_AS: Record<string, string> = {
  "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
  "sqs:SendMessageBatch": "sqs:SendMessage",
  "s3:HeadObject": "s3:GetObject",
  "s3:ListObjectsV2": "s3:ListBucket",
  "s3:HeadBucket": "s3:ListBucket",
  "s3:DeleteObjects": "s3:DeleteObject",
};

const SES_V2: [method: string, path: RegExp, operation: string][] = [
  ["POST", /^\/v2\/email\/outbound-emails$/, "SendEmail"],
  ["GET", /^\/v2\/email\/account$/, "GetAccount"],
  ["GET", /^\/v2\/email\/identities\/[^/]+$/, "GetEmailIdentity"],
  ["GET", /^\/v2\/email\/identities$/, "ListEmailIdentities"],
];

function s3Operation(method: string, path: string, query: URLSearchParams): [string, string] {
  const [bucket = "", ...rest] = path.replace(/^\//, "").split("/");
  const key = rest.map(decodeURIComponent).join("/");
  const resource = key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
  if (!key) {
    if (method === "GET" && query.has("location")) return ["GetBucketLocation", resource];
    if (method === "GET" && query.has("tagging")) return ["GetBucketTagging", resource];
    if (method === "GET" && query.has("lifecycle")) return ["GetLifecycleConfiguration", resource];
    if (
      method === "GET" &&
      [...query.keys()].every((k) =>
        ["list-type", "prefix", "max-keys", "continuation-token", "delimiter", "x-id", "start-after"].includes(k),
      )
    )
      return ["ListObjectsV2", resource];
    if (method === "HEAD") return ["HeadBucket", resource];
    if (method === "POST" && query.has("delete")) return ["DeleteObjects", resource];
    return [`?${method} ${path}?${query}`, resource];
  }
  if (query.has("tagging")) return [method === "GET" ? "GetObjectTagging" : "PutObjectTagging", resource];
  if (method === "GET") return ["GetObject", resource];
  if (method === "HEAD") return ["HeadObject", resource];
  if (method === "PUT") return ["PutObject", resource];
  if (method === "DELETE" && query.has("uploadId")) return ["AbortMultipartUpload", resource];
  if (method === "DELETE") return ["DeleteObject", resource];
  if (method === "POST" && query.has("restore")) return ["RestoreObject", resource];
  if (method === "POST" && (query.has("uploads") || query.has("uploadId"))) return ["PutObject", resource];
  return [`?${method} ${path}?${query}`, resource];
}

/** The actions a request is authorized as (a copy is a PutObject and a GetObject of its source). */
export function iamActionsOf(r: RecordedRequest): RequestAction[] {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(r.headers.authorization ?? "")?.[1] ?? "unsigned";
  const prefix = IAM_PREFIX[scope] ?? scope;
  const url = new URL(r.url, "http://x");
  const named = (operation: string, resource?: string, call = operation): RequestAction => {
    const action = `${prefix}:${operation}`;
    return { action: AUTHORIZED_AS[action] ?? action, resource, call };
  };

  if (prefix === "s3") {
    const [operation, resource] = s3Operation(r.method, url.pathname, url.searchParams);
    const out = [named(operation, resource, `${r.method} ${decodeURIComponent(url.pathname)}`)];
    const source = r.headers["x-amz-copy-source"];
    if (source) out.push(named("GetObject", `arn:aws:s3:::${decodeURIComponent(source).replace(/^\//, "")}`, "copy source"));
    return out;
  }
  const target = r.headers["x-amz-target"];
  if (target) {
    const operation = target.slice(target.lastIndexOf(".") + 1);
    let resource: string | undefined;
    if (prefix === "sqs") {
      const queueUrl = JSON.parse(r.body || "{}") as { QueueUrl?: string; QueueName?: string };
      resource = queueUrl.QueueUrl?.slice(queueUrl.QueueUrl.lastIndexOf("/") + 1) ?? queueUrl.QueueName;
    }
    return [named(operation, resource)];
  }
  const cbor = /\/service\/[^/]+\/operation\/([^/?]+)/.exec(url.pathname)?.[1];
  if (cbor) return [named(cbor)];
  const queryAction = new URLSearchParams(r.body).get("Action") ?? url.searchParams.get("Action");
  if (queryAction) {
    let resource: string | undefined;
    if (prefix === "sqs") {
      const q = new URLSearchParams(r.body).get("QueueUrl") ?? url.pathname;
      resource = q.slice(q.lastIndexOf("/") + 1);
    }
    return [named(queryAction, resource)];
  }
  if (prefix === "ses") {
    const hit = SES_V2.find(([m, p]) => m === r.method && p.test(url.pathname));
    if (hit) return [named(hit[2])];
  }
  return [named(`?${r.method} ${url.pathname}`)];
}

/** The part of a resource ARN a table entry and a call are compared on: S3's bucket, SQS's queue. */
export function resourceScope(action: string, resource: string | undefined): string | undefined {
  if (!resource) return undefined;
  if (action.startsWith("s3:")) return resource.replace(/^arn:aws:s3:::/, "").split("/")[0];
  if (action.startsWith("sqs:")) return resource.slice(resource.lastIndexOf(":") + 1);
  return undefined;
}
