/**
 * Ansible's copy of the messaging topology: writes roles/aws_topology/vars/messaging_topology.yml
 * from src/ports/messaging-topology.ts, the one definition (the role loads the file first; its
 * tasks and IAM policy templates read these variables and name no topic or queue themselves).
 *
 *   npx -y bun ansible/scripts/messaging-topology-vars.ts
 *
 * Run it after changing the definition and commit both; src/adapters/messaging-topology-drift.test.ts
 * fails while the file is stale.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BUCKET_LIFECYCLE,
  type BucketLifecycleRule,
  GAS_ROLES,
  QUEUE_SETTINGS,
  resourceSuffix,
  resourceTopology,
  roleMessaging,
} from "../../src/ports/messaging-topology.ts";

export const MESSAGING_VARS_PATH = join(import.meta.dir, "..", "roles", "aws_topology", "vars", "messaging_topology.yml");

type Scalar = string | number;
type Flow = Scalar | readonly Flow[] | { readonly [k: string]: Flow };

/** Ansible's lifecycle rule: the keys community.aws.s3_lifecycle's options are named after. */
const lifecycleVars = (r: BucketLifecycleRule) => ({
  rule_id: r.id,
  ...(r.expireAfterDays ? { expiration_days: r.expireAfterDays } : {}),
  abort_incomplete_multipart_upload_days: r.abortIncompleteUploadAfterDays,
});

/** The variables, in file order (names without the prefix, dots as dashes). */
export function messagingTopologyVars() {
  const { topics, queues } = resourceTopology();
  return {
    gas_topics: topics,
    gas_queues: queues.map((q) => ({ name: q.name, topics: q.topics, visibility: q.visibilitySeconds })),
    gas_queue_max_receives: QUEUE_SETTINGS.maxReceives,
    gas_queue_receive_wait_seconds: QUEUE_SETTINGS.receiveWaitSeconds,
    gas_dlq_retention_seconds: QUEUE_SETTINGS.deadLetterRetentionSeconds,
    gas_role_messaging: Object.fromEntries(
      GAS_ROLES.map((role) => {
        const m = roleMessaging(role);
        return [role, { publishes: m.publishes.map(resourceSuffix), consumes: m.consumes.map(resourceSuffix) }];
      }),
    ),
    gas_bucket_lifecycle: { inputs: lifecycleVars(BUCKET_LIFECYCLE.inputs), results: lifecycleVars(BUCKET_LIFECYCLE.results) },
  };
}

const COMMENTS: Record<keyof ReturnType<typeof messagingTopologyVars>, string> = {
  gas_topics: "SNS topics.",
  gas_queues: "SQS queues: the topics each is subscribed to (raw delivery) and its visibility timeout in seconds.",
  gas_queue_max_receives: "Receives before a message moves to its queue's dead-letter queue <name>-dlq (QUEUE_MAX_ATTEMPTS's default).",
  gas_queue_receive_wait_seconds: "Long polling on every queue, in seconds.",
  gas_dlq_retention_seconds: "How long dead letters are kept to inspect and redrive (14 days).",
  gas_role_messaging: "Per GAS role, the topics it publishes on and the queues it reads: the IAM policies' messaging statements.",
  gas_bucket_lifecycle: "The lifecycle rule of the inputs and of the results bucket (`gas aws bootstrap` writes the same).",
};

/** A value in YAML flow style with plain scalars (the names are all [a-z0-9-]: nothing to quote). */
function flow(v: Flow): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") {
    if (!/^[a-z][a-z0-9-]*$/.test(v)) throw new Error(`${JSON.stringify(v)}: not a plain YAML scalar; quote it in the generator`);
    return v;
  }
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  return `{ ${Object.entries(v)
    .map(([k, x]) => `${k}: ${flow(x)}`)
    .join(", ")} }`;
}

/** The file's text: one block per variable, lists and maps one entry a line. */
export function renderMessagingTopologyVars(): string {
  const lines = [
    "---",
    "# Generated from src/ports/messaging-topology.ts by ansible/scripts/messaging-topology-vars.ts: do not edit.",
    "# src/adapters/messaging-topology-drift.test.ts fails while this file is stale. Names are without",
    "# the deployment's prefix, dots as dashes: topic job.requested is <prefix>-job-requested, queue",
    "# annotator is <prefix>-annotator and its dead-letter queue <prefix>-annotator-dlq.",
    "",
  ];
  for (const [name, value] of Object.entries(messagingTopologyVars()) as [keyof typeof COMMENTS, Flow][]) {
    lines.push(`# ${COMMENTS[name]}`);
    if (Array.isArray(value) && value.some((x) => typeof x === "object")) lines.push(`${name}:`, ...value.map((x) => `  - ${flow(x)}`));
    else if (typeof value === "object" && !Array.isArray(value))
      lines.push(`${name}:`, ...Object.entries(value).map(([k, x]) => `  ${k}: ${flow(x)}`));
    else lines.push(`${name}: ${flow(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

if (import.meta.main) {
  const text = renderMessagingTopologyVars();
  const before = await readFile(MESSAGING_VARS_PATH, "utf8").catch(() => null);
  if (before === text) console.log(`${MESSAGING_VARS_PATH}: up to date`);
  else {
    await writeFile(MESSAGING_VARS_PATH, text);
    console.log(`${MESSAGING_VARS_PATH}: written`);
  }
}
