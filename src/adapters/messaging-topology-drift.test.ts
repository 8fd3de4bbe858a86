/**
 * The messaging topology is defined once (src/ports/messaging-topology.ts); this test fails when
 * a copy disagrees with it: Ansible's generated vars (stale, or overridden elsewhere), a topic or
 * queue named in the playbook's tasks and templates (the IAM policies name none: they take each
 * role's from the vars), the topology checker's spec, what `gas aws bootstrap` makes, the
 * PostgreSQL queue's fan-out, and QUEUE_MAX_ATTEMPTS's default against the redrive count.
 * Here rather than in src/ports: it reads the adapters and ansible/, which ports may not import.
 */
import { describe, expect, test } from "bun:test";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { MESSAGING_VARS_PATH, messagingTopologyVars, renderMessagingTopologyVars } from "../../ansible/scripts/messaging-topology-vars.ts";
import { defaultSpec } from "../../ansible/scripts/topology/topology-spec.ts";
import { loadConfig } from "../config.ts";
import { openTestPglite } from "../db/test-database.ts";
import {
  GAS_ROLES,
  QUEUE_SETTINGS,
  QUEUE_SUBSCRIPTIONS,
  QUEUES,
  type QueueName,
  TOPICS,
  deadLetterQueueName,
  resourceSuffix,
  topicNames,
} from "../ports/messaging-topology.ts";
import { messagingLayout } from "./aws/aws-resources.ts";
import { createPgMessaging } from "./local/pg-queue.ts";

const ANSIBLE = join(import.meta.dir, "..", "..", "ansible");
const vars = messagingTopologyVars();
const queueNames = Object.keys(QUEUES) as QueueName[];
/** Every topic, queue and dead-letter queue as AWS and Ansible spell them (without the prefix). */
const knownNames = new Set([...topicNames(), ...queueNames, ...queueNames.map(deadLetterQueueName)].map(resourceSuffix));

async function filesUnder(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = (await readdir(dir, { recursive: true })) as string[];
  return entries.filter((f) => pattern.test(f) && !f.includes(".cache")).map((f) => join(dir, f));
}

describe("the messaging topology, defined once", () => {
  test("every topic feeds a queue, every queue is fed, and a queue's topics exist", () => {
    const fed = new Set(queueNames.flatMap((q) => QUEUES[q].topics));
    expect(topicNames().filter((t) => !fed.has(t))).toEqual([]);
    expect(queueNames.filter((q) => (QUEUES[q].topics as readonly string[]).length === 0)).toEqual([]);
    expect([...fed].filter((t) => !(t in TOPICS))).toEqual([]);
  });

  test("Ansible's vars file is generated from the definition (else run `bun ansible/scripts/messaging-topology-vars.ts`)", async () => {
    const onDisk = await readFile(MESSAGING_VARS_PATH, "utf8");
    expect(onDisk).toBe(renderMessagingTopologyVars());
    expect(Bun.YAML.parse(onDisk)).toEqual(JSON.parse(JSON.stringify(vars)));
  });

  test("no other Ansible vars file sets those variables (the role's include_vars would hide or be hidden)", async () => {
    const generated = Object.keys(vars);
    const offenders: string[] = [];
    for (const file of await filesUnder(ANSIBLE, /(defaults|vars|group_vars|host_vars)\/.*\.ya?ml$/)) {
      if (file === MESSAGING_VARS_PATH) continue;
      const parsed = (Bun.YAML.parse(await readFile(file, "utf8")) ?? {}) as Record<string, unknown>;
      for (const k of generated) if (k in parsed) offenders.push(`${relative(ANSIBLE, file)}: ${k}`);
    }
    expect(offenders).toEqual([]);
    const main = await readFile(join(ANSIBLE, "roles/aws_topology/tasks/main.yml"), "utf8");
    expect(main).toContain("ansible.builtin.include_vars: messaging_topology.yml");
  });

  test("the IAM policies take each role's queues and topics from the vars; tasks and templates name only defined ones", async () => {
    const templates = join(ANSIBLE, "roles/aws_topology/templates");
    const problems: string[] = [];
    for (const role of GAS_ROLES) {
      const text = await readFile(join(templates, `policy-${role}.json.j2`), "utf8");
      if (text.split("{% include '_messaging-statements.j2' %}").length !== 2)
        problems.push(`policy-${role}.json.j2 does not include _messaging-statements.j2 once`);
      for (const m of text.matchAll(/arn:aws:(?:sqs|sns):[^"]*?\}\}-([a-z][a-z0-9-]*)/g))
        problems.push(`policy-${role}.json.j2 names ${m[1]}`);
    }
    const statements = await readFile(join(templates, "_messaging-statements.j2"), "utf8");
    expect(statements).toContain("gas_role_messaging[gas_role]");
    expect(await readFile(join(ANSIBLE, "roles/aws_topology/tasks/iam.yml"), "utf8")).toContain("template_vars={'gas_role': item}");
    // Anything else naming a queue or topic (an alarm on one queue, say) names one that exists.
    for (const file of await filesUnder(ANSIBLE, /\.(ya?ml|j2)$/)) {
      const text = await readFile(file, "utf8");
      for (const m of text.matchAll(/(?:arn:aws:(?:sqs|sns):[^"]*?|QueueName: "\{\{ gas_aws_prefix )\}\}-([a-z][a-z0-9-]*)"/g)) {
        if (!knownNames.has(m[1]!)) problems.push(`${relative(ANSIBLE, file)} names ${m[1]}, which the topology does not define`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("the topology checker expects what the definition says", () => {
    const spec = defaultSpec();
    expect(spec.topics).toEqual(vars.gas_topics);
    expect(spec.queues).toEqual(vars.gas_queues.map(({ name, topics, visibility }) => ({ name, topics, visibilitySeconds: visibility })));
    expect([spec.maxReceives, spec.receiveWaitSeconds, spec.deadLetterRetentionSeconds]).toEqual([
      vars.gas_queue_max_receives,
      vars.gas_queue_receive_wait_seconds,
      vars.gas_dlq_retention_seconds,
    ]);
  });

  test("gas aws bootstrap makes the same topics and queues with the same settings", () => {
    const layout = messagingLayout("gas");
    expect(layout.topics.map((t) => t.name)).toEqual(vars.gas_topics.map((t) => `gas-${t}`));
    expect(layout.queues.map((q) => ({ name: q.name, dlq: q.deadLetterName, topics: q.topics, visibility: q.visibilitySeconds }))).toEqual(
      vars.gas_queues.map((q) => ({
        name: `gas-${q.name}`,
        dlq: `gas-${q.name}-dlq`,
        topics: q.topics.map((t) => `gas-${t}`),
        visibility: q.visibility,
      })),
    );
  });

  test("QUEUE_MAX_ATTEMPTS's default is the queues' redrive count (the SQS adapter relies on it)", () => {
    expect(loadConfig({}).queue.maxAttempts).toBe(QUEUE_SETTINGS.maxReceives);
  });

  test("the PostgreSQL queue delivers each topic to exactly the queues subscribed to it", async () => {
    const database = await openTestPglite();
    const m = createPgMessaging(database, { visibilitySeconds: 30, maxAttempts: 3, retryBaseSeconds: 1, pollMs: 200 });
    try {
      for (const topic of topicNames()) await m.topic.publish(topic, { topic } as never);
      const received: Record<string, string[]> = {};
      for (const q of queueNames) {
        const got = await m.queue<{ topic: string }>(q).receive({ max: 10 });
        received[q] = got.map((d) => d.message.topic).sort();
      }
      expect(received).toEqual(Object.fromEntries(queueNames.map((q) => [q, [...QUEUE_SUBSCRIPTIONS[q]].sort()])));
    } finally {
      await m.close();
      await database.close();
    }
  });
});
