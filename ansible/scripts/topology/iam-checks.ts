/**
 * IAM checks: one role per GAS role, trusted by EC2 only, with an instance profile of the same
 * name, its inline policy and the SSM managed policy, and least privilege: for each role, requests
 * it must be allowed and requests it must not be (the notifier cannot write to any bucket, the web
 * role cannot read a queue, …), evaluated over every policy attached to the role.
 */
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { deadLetterQueueName, QUEUES, type QueueName, resourceSuffix, roleMessaging } from "../../../src/ports/messaging-topology.ts";
import { type CheckLog, expectEqual, GAS_ROLES, type GasRole, type TopologySpec, topologyNames } from "./topology-spec.ts";

const SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
/** A job id in the table's example keys. */
const JOB = "6f1c2e4a-0000-4000-8000-000000000000";

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Condition?: unknown;
}
export interface PolicyDocument {
  Statement?: Statement | Statement[];
}

/** Condition keys a request carries and their values, e.g. a ListObjectsV2's `s3:prefix`. */
export type RequestContext = Record<string, string>;

/** [action, resource ARN, the call of the code that makes it (named in the report), its condition keys] */
export type Request = [action: string, resource: string, call?: string, context?: RequestContext];

/** IAM wildcards (* and ?) as a whole-string pattern; actions match case-insensitively. */
const pattern = (p: string, ignoreCase: boolean) =>
  new RegExp(
    `^${p
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    ignoreCase ? "i" : "",
  );

/**
 * Whether a statement's Condition holds for a request with these condition keys: StringEquals and
 * StringLike, plain or ForAllValues: (what the role policies use on requests that carry keys;
 * a request here carries one value per key). A key the request lacks fails a plain operator and
 * passes ForAllValues:, as on AWS. Any other operator is refused rather than guessed at.
 */
function conditionHolds(condition: unknown, context: RequestContext): boolean {
  for (const [qualified, keys] of Object.entries(condition as Record<string, Record<string, string | string[]>>)) {
    const forAll = qualified.startsWith("ForAllValues:");
    const operator = forAll ? qualified.slice("ForAllValues:".length) : qualified;
    if (operator !== "StringEquals" && operator !== "StringLike")
      throw new Error(`a statement's condition uses ${qualified}, which this checker does not evaluate`);
    for (const [key, values] of Object.entries(keys)) {
      const value = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (value === undefined) {
        if (forAll) continue;
        return false;
      }
      if (![values].flat().some((v) => (operator === "StringLike" ? pattern(v, false).test(value) : v === value))) return false;
    }
  }
  return true;
}

/**
 * Whether the policies allow the request: an Allow matches it and no Deny does. Written here
 * because the SDK has no evaluator and moto no SimulatePrincipalPolicy. A request that names its
 * condition keys (the 4th element) has conditions evaluated (conditionHolds); for one that does
 * not, a conditioned Allow counts as allowing and a conditioned Deny as not denying, so "must not
 * allow" errs towards failing. NotAction/NotResource are refused rather than guessed at.
 */
export function policiesAllow(docs: PolicyDocument[], [action, resource, , context]: Request | [string, string]): boolean {
  let allowed = false;
  for (const s of docs.flatMap((d) => [d.Statement ?? []].flat())) {
    if (s.NotAction !== undefined || s.NotResource !== undefined)
      throw new Error("a statement uses NotAction/NotResource, which this checker does not evaluate");
    const actionMatches = [s.Action ?? []].flat().some((a) => pattern(a, true).test(action));
    const resourceMatches = [s.Resource ?? []].flat().some((r) => pattern(r, false).test(resource));
    if (!actionMatches || !resourceMatches) continue;
    if (s.Condition !== undefined) {
      if (!context) {
        if (s.Effect === "Allow") allowed = true;
        continue;
      }
      if (!conditionHolds(s.Condition, context)) continue;
    }
    if (s.Effect === "Deny") return false;
    if (s.Effect === "Allow") allowed = true;
  }
  return allowed;
}

/** IAM returns policy documents URL-encoded (GetRole, GetRolePolicy); the SDK passes them through. */
const decodeDocument = (doc: string | undefined): PolicyDocument =>
  JSON.parse(doc?.trimStart().startsWith("{") ? doc : decodeURIComponent(doc ?? "{}"));

/**
 * What each role must and must not be allowed to do (DESIGN's role duties). The queues and topics
 * follow the messaging topology: a role reads exactly the queues it consumes and publishes on
 * exactly its topics; the rest is written out here.
 */
function privileges(spec: TopologySpec, account: string): Record<GasRole, { allow: Request[]; deny: Request[] }> {
  const n = topologyNames(spec);
  const r = spec.region;
  const obj = (bucket: string, key = "x") => `arn:aws:s3:::${bucket}/${key}`;
  const group = (role: string) =>
    `arn:aws:autoscaling:${r}:${account}:autoScalingGroup:0a1b2c3d-0000-4000-8000-000000000000:autoScalingGroupName/${spec.prefix}-${role}`;
  const bucket = (name: string) => `arn:aws:s3:::${name}`;
  const queue = (q: string) => `arn:aws:sqs:${r}:${account}:${n.queue(resourceSuffix(q))}`;
  const topic = (t: string) => `arn:aws:sns:${r}:${account}:${n.topic(resourceSuffix(t))}`;
  const table = `arn:aws:dynamodb:${r}:${account}:table/${n.table}`;
  const release: Request = ["s3:GetObject", obj(n.releaseBucket, "releases/0.1.0/gas")];
  // /readyz of the roles that send mail: is SES_FROM's address (or its domain) a verified identity.
  const sesReadiness: Request = [
    "ses:GetEmailIdentity",
    `arn:aws:ses:${r}:${account}:identity/example.org`,
    "/readyz: the sender identity is verified",
  ];
  const allQueues = (Object.keys(QUEUES) as QueueName[]).flatMap((q) => [q, deadLetterQueueName(q)]).map(queue);
  const allTopics = spec.topics.map(topic);
  const messaging = (role: GasRole) => {
    const m = roleMessaging(role);
    const reads = m.consumes.map(queue);
    const publishes = m.publishes.map(topic);
    return {
      // Reading includes re-sending an early delayed message; publishing looks the topic's ARN up.
      allow: [
        // What sqs-messaging.ts calls on a queue it reads: the annotator's dead-letter queue included.
        ...reads.flatMap((q): Request[] =>
          [
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
            "sqs:SendMessage",
          ].map((a): Request => [a, q, "reading its queue"]),
        ),
        ...publishes.map((t): Request => ["sns:Publish", t]),
        ...(publishes.length > 0 ? [["sns:ListTopics", "*"] as Request] : []),
      ],
      deny: [
        ...allQueues.filter((q) => !reads.includes(q)).map((q): Request => ["sqs:ReceiveMessage", q]),
        ...allTopics.filter((t) => !publishes.includes(t)).map((t): Request => ["sns:Publish", t]),
      ],
    };
  };
  const duties: Record<GasRole, { allow: Request[]; deny: Request[] }> = {
    web: {
      allow: [
        release,
        ["s3:PutObject", obj(n.inputsBucket), 'the upload form (a presigned POST), and the copy of an input "run again" makes'],
        ["s3:GetObject", obj(n.inputsBucket), 'HeadObject of the uploaded input at submit; reading it for "run again"'],
        ["s3:ListBucket", bucket(n.inputsBucket), "HeadObject of an input not uploaded answers 404, not 403"],
        ["s3:GetObject", obj(n.resultsBucket)],
        ["dynamodb:PutItem", table],
        ["dynamodb:Query", `${table}/index/user_id_index`, "a user's jobs, and their usage at submit (stored-results quota)"],
        // /metrics reports every queue's and dead-letter queue's depth (gas_queue_messages).
        ...allQueues.flatMap((q) => ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"].map((a): Request => [a, q, "queue depths for /metrics"])),
        ["dynamodb:GetItem", table, "job counts for /metrics (the status counter items)"],
        ["dynamodb:UpdateItem", table, "the status counters a submit adds to"],
        ["ses:SendEmail", "*", "the address verification email, sent while the user waits (from SES_FROM only)"],
        sesReadiness,
      ],
      deny: [
        ["dynamodb:Scan", table],
        ["s3:PutObject", obj(n.resultsBucket)],
        // Deleting a job is the archiver's (the job.delete queue): the web role only marks it.
        ["s3:DeleteObject", obj(n.inputsBucket)],
        ["s3:DeleteObject", obj(n.resultsBucket)],
        ["dynamodb:DeleteItem", table],
        ["iam:PassRole", "*"],
      ],
    },
    annotator: {
      allow: [
        release,
        ["s3:GetObject", obj(n.inputsBucket), "HeadObject/GetObject of the input"],
        ["s3:ListBucket", bucket(n.inputsBucket), "HeadObject of an absent input answers 404, not 403"],
        ["s3:PutObject", obj(n.resultsBucket), "uploading results"],
        ["s3:GetObject", obj(n.resultsBucket), "HeadObject after each upload"],
        // A split job's chunk files, removed by the annotator that merges it (split-job.ts removeSplitFiles).
        ["s3:ListBucket", bucket(n.resultsBucket), "ListObjectsV2 of a split job's chunk files", { "s3:prefix": `split/${JOB}/` }],
        ["s3:DeleteObject", obj(n.resultsBucket, `split/${JOB}/in/0.vcf`), "deleting a split job's chunk files after the merge"],
        ["s3:ListBucket", bucket(n.releaseBucket), "user-data: aws s3 sync of reference/", { "s3:prefix": "reference/" }],
        ["s3:GetObject", obj(n.releaseBucket, "reference/manifest.json"), "user-data: aws s3 sync of reference/"],
        ["dynamodb:GetItem", table],
        ["dynamodb:UpdateItem", table],
        [
          "dynamodb:DeleteItem",
          table,
          "removing a split's records once merged, failed or deleted (dynamo-split-store.ts delete)",
          { "dynamodb:LeadingKeys": `#split#${JOB}#0` },
        ],
        ["dynamodb:Query", `${table}/index/user_id_index`, "the user's usage before each claim (fair turns, running-jobs cap)"],
        ["cloudwatch:PutMetricData", "*"],
        ["autoscaling:DescribeAutoScalingGroups", "*"],
        ["autoscaling:SetInstanceProtection", group("annotator"), "scale-in protection while a job runs"],
      ],
      deny: [
        ["autoscaling:SetInstanceProtection", group("web")],
        ["s3:PutObject", obj(n.inputsBucket)],
        ["s3:PutObject", obj(n.releaseBucket)],
        ["ses:SendEmail", "*"],
        // A job's own item is the archiver's to delete; the annotators only their splits' records.
        ["dynamodb:DeleteItem", table, "a job's item", { "dynamodb:LeadingKeys": JOB }],
        // Only split/ of the results bucket: a user's result is the archiver's to delete, nothing else the annotator's to list.
        ["s3:DeleteObject", obj(n.resultsBucket, `u1/${JOB}~in.vcf.annot.vcf.gz`)],
        ["s3:ListBucket", bucket(n.resultsBucket), "listing results outside split/", { "s3:prefix": "u1/" }],
        ["s3:ListBucket", bucket(n.releaseBucket), "listing the release bucket outside reference/", { "s3:prefix": "releases/" }],
      ],
    },
    archiver: {
      allow: [
        release,
        ["s3:GetObject", obj(n.resultsBucket), "HeadObject/GetObject of results and archives"],
        ["s3:ListBucket", bucket(n.resultsBucket), "the restore check's HeadObject of an absent object answers 404, not 403"],
        ["s3:PutObject", obj(n.resultsBucket)],
        ["s3:DeleteObject", obj(n.resultsBucket)],
        ["s3:RestoreObject", obj(n.resultsBucket)],
        ["dynamodb:GetItem", table, "the job each message names"],
        ["dynamodb:Query", `${table}/index/user_id_index`, "restoring a user's archives on upgrade"],
        ["dynamodb:UpdateItem", table, "a deleted job: marked deleted (and FAILED if it had not finished)"],
        ["s3:DeleteObject", obj(n.inputsBucket), "a deleted job's input"],
        ["dynamodb:DeleteItem", table, "a deleted job's item, last"],
        // ARCHIVE_VAULT=glacier (glacier-archive-vault.ts): archive, restore by retrieval job, delete.
        ...(spec.archiveVault === "glacier"
          ? ["UploadArchive", "InitiateJob", "ListJobs", "DescribeJob", "GetJobOutput", "DeleteArchive"].map(
              (a): Request => [`glacier:${a}`, `arn:aws:glacier:${r}:${account}:vaults/${n.archiveVault}`, "the Glacier archive vault"],
            )
          : []),
      ],
      deny: [
        ["s3:PutObject", obj(n.inputsBucket)],
        ["s3:GetObject", obj(n.inputsBucket)],
        ["ses:SendEmail", "*"],
      ],
    },
    notifier: {
      allow: [release, ["ses:SendEmail", "*"], sesReadiness, ["dynamodb:GetItem", table]],
      deny: [
        ["s3:PutObject", obj(n.inputsBucket)],
        ["s3:PutObject", obj(n.resultsBucket)],
        ["s3:PutObject", obj(n.releaseBucket)],
        ["s3:GetObject", obj(n.resultsBucket)],
        ["dynamodb:UpdateItem", table],
      ],
    },
  };
  // Each role reads its own environment parameter (user-data, at boot) and no other role's: the
  // web role's holds the session, upload-form, sign-in and Stripe secrets (issue 14 item 4).
  const environment = (role: GasRole) => `arn:aws:ssm:${r}:${account}:parameter/${spec.prefix}/${role}/env`;
  const withMessaging = (role: GasRole) => {
    const m = messaging(role);
    const others = GAS_ROLES.filter((o) => o !== role).map((o): Request => ["ssm:GetParameter", environment(o)]);
    return {
      allow: [
        ...duties[role].allow,
        ...m.allow,
        ["ssm:GetParameter", environment(role), "user-data: its environment"] as Request,
        ...(["logs:CreateLogStream", "logs:PutLogEvents"] as const).map(
          (a): Request => [
            a,
            `arn:aws:logs:${r}:${account}:log-group:/${spec.prefix}/${role}:log-stream:i-0123456789abcdef0`,
            "the CloudWatch agent",
          ],
        ),
      ],
      deny: [...duties[role].deny, ...m.deny, ...others],
    };
  };
  return {
    web: withMessaging("web"),
    annotator: withMessaging("annotator"),
    archiver: withMessaging("archiver"),
    notifier: withMessaging("notifier"),
  };
}

/**
 * The requests the checker expects `role`'s code to make, each with the call that makes it: the
 * table test/aws-iam.e2e.test.ts compares every call the role's process actually made with, so a
 * call the code gains fails there until it is written here (and then here fails the policy that
 * lacks it).
 */
export function requiredRequests(role: GasRole, spec: TopologySpec, account: string): Request[] {
  return privileges(spec, account)[role].allow;
}

/**
 * Least privilege of one role's policies: each request the role's code makes that they refuse
 * ("cannot …", naming the call), each it must not make that they allow. Also run on the rendered
 * templates without AWS (test/iam-policies.test.ts).
 */
export function privilegeProblems(role: GasRole, docs: PolicyDocument[], spec: TopologySpec, account: string): string[] {
  const problems: string[] = [];
  const { allow, deny } = privileges(spec, account)[role];
  const keys = (req: Request) =>
    req[3]
      ? ` with ${Object.entries(req[3])
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")}`
      : "";
  for (const req of allow)
    if (!policiesAllow(docs, req)) problems.push(`cannot ${req[0]} on ${req[1]}${keys(req)}${req[2] ? ` (${req[2]})` : ""}`);
  for (const req of deny) if (policiesAllow(docs, req)) problems.push(`can ${req[0]} on ${req[1]}${keys(req)} (should not)`);
  return problems;
}

/** Role, instance profile, attached policies and least privilege for every GAS role. */
export async function checkIam(iam: IAMClient, spec: TopologySpec, log: CheckLog): Promise<void> {
  const names = topologyNames(spec);
  for (const role of GAS_ROLES) {
    const roleName = names.role(role);
    await log.check("iam", `role ${roleName}: EC2 trust, instance profile, inline + SSM policies, least privilege`, async () => {
      const problems: string[] = [];
      const r = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
      const account = r.Arn!.split(":")[4]!;
      const trust = [decodeDocument(r.AssumeRolePolicyDocument).Statement ?? []].flat() as {
        Principal?: { Service?: string | string[] };
      }[];
      expectEqual(
        problems,
        "trusted services",
        trust.flatMap((s) => [s.Principal?.Service ?? []].flat()),
        ["ec2.amazonaws.com"],
      );
      const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: roleName }))).InstanceProfile!;
      expectEqual(
        problems,
        "instance profile roles",
        profile.Roles?.map((x) => x.RoleName),
        [roleName],
      );

      const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
      expectEqual(problems, "inline policies", inline, [roleName]);
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
      expectEqual(
        problems,
        "managed policies",
        attached.map((p) => p.PolicyArn),
        [SSM_CORE],
      );

      const docs: PolicyDocument[] = [];
      for (const name of inline)
        docs.push(decodeDocument((await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument));
      for (const p of attached) {
        const version = (await iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn }))).Policy?.DefaultVersionId;
        docs.push(
          decodeDocument(
            (await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: version }))).PolicyVersion?.Document,
          ),
        );
      }
      problems.push(...privilegeProblems(role, docs, spec, account));
      return problems;
    });
  }
}
