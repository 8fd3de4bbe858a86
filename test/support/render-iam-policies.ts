/**
 * The four roles' IAM policies as the playbook renders them (roles/aws_topology/tasks/iam.yml):
 * the same templates, role defaults, generated messaging vars and inventories/aws values, rendered
 * by ansible-playbook itself on localhost (no AWS call). Returns null without ansible-playbook.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyDocument } from "../../ansible/scripts/topology/iam-checks.ts";
import type { GasRole } from "../../ansible/scripts/topology/topology-spec.ts";

const ANSIBLE_DIR = join(import.meta.dir, "..", "..", "ansible");
export const GAS_ROLES: GasRole[] = ["web", "annotator", "archiver", "notifier"];

export interface RenderOptions {
  accountId: string;
  accountSuffix: string;
  region: string;
  prefix?: string;
}

export async function renderIamPolicies(o: RenderOptions): Promise<Record<GasRole, PolicyDocument> | null> {
  const playbook = Bun.which("ansible-playbook");
  if (!playbook) return null;
  const work = await mkdtemp(join(tmpdir(), "gas-policies-"));
  try {
    const role = join(ANSIBLE_DIR, "roles", "aws_topology");
    const play = [
      "- hosts: localhost",
      "  gather_facts: false",
      "  connection: local",
      "  vars_files:",
      `    - ${join(role, "defaults", "main.yml")}`,
      `    - ${join(role, "vars", "messaging_topology.yml")}`,
      `    - ${join(ANSIBLE_DIR, "inventories", "aws", "group_vars", "all.yml")}`,
      "  tasks:",
      // debug runs on the controller: no module, no remote Python.
      "    - ansible.builtin.debug:",
      `        msg: "{{ lookup('ansible.builtin.template', '${join(role, "templates")}/policy-' + item + '.json.j2', template_vars={'gas_role': item}) }}"`,
      "      loop: [web, annotator, archiver, notifier]",
      "",
    ].join("\n");
    await writeFile(join(work, "render.yml"), play);
    const extra = {
      gas_aws_account_id: o.accountId,
      gas_aws_account_suffix: o.accountSuffix,
      gas_aws_region: o.region,
      gas_aws_prefix: o.prefix ?? "gas",
    };
    const p = Bun.spawn([playbook, "-i", "localhost,", join(work, "render.yml"), "-e", JSON.stringify(extra)], {
      cwd: ANSIBLE_DIR,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_STDOUT_CALLBACK: "json",
        ANSIBLE_LOCALHOST_WARNING: "false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING: "false",
      },
    });
    const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
    if (code !== 0) throw new Error(`rendering the IAM policies failed (exit ${code}):\n${out.slice(-3000)}\n${err.slice(-2000)}`);
    const task = (JSON.parse(out) as { plays: { tasks: { hosts: { localhost: { results: { item: GasRole; msg: unknown }[] } } }[] }[] })
      .plays[0]!.tasks[0]!;
    const docs = {} as Record<GasRole, PolicyDocument>;
    for (const r of task.hosts.localhost.results) docs[r.item] = typeof r.msg === "string" ? JSON.parse(r.msg) : (r.msg as PolicyDocument);
    return docs;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A copy of `doc` without `action` in the statements naming a resource that matches `resource` (a statement left empty is dropped). */
export function withoutAction(doc: PolicyDocument, action: string, resource: RegExp): PolicyDocument {
  const statements = [doc.Statement ?? []].flat().flatMap((s) => {
    if (![s.Resource ?? []].flat().some((r) => resource.test(r))) return [s];
    const actions = [s.Action ?? []].flat().filter((a) => a !== action);
    return actions.length > 0 ? [{ ...s, Action: actions }] : [];
  });
  return { ...doc, Statement: statements };
}
