/**
 * ansible/: every playbook passes `ansible-playbook --syntax-check`, the tree is `ansible-lint`
 * clean, and the host roles (common, gas_units, web_tls) applied by site.yml in render mode
 * (gas_render_only=true, gas_root=<throwaway folder>: files only, no users, packages or systemctl)
 * write the units, the environment file and the TLS proxy, which `systemd-analyze verify` accepts.
 * Skips with a message when the ansible tools are not installed (`pip install ansible ansible-lint`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ANSIBLE_DIR = join(import.meta.dir, "..", "ansible");
const playbook = Bun.which("ansible-playbook");
const lint = Bun.which("ansible-lint");
const systemdAnalyze = Bun.which("systemd-analyze");
const ROLES = ["web", "annotator", "archiver", "notifier"];

/** The collections the playbooks name (the `ansible` pip package bundles them; Debian's ansible 2.14 lacks amazon.aws). */
const COLLECTIONS = ["amazon.aws", "community.aws", "community.postgresql"];

/** Why this file skips, or null: a tool missing, or a collection its playbooks use. */
function missingTools(): string | null {
  if (!playbook) return "ansible-playbook is not on PATH";
  if (!lint) return "ansible-lint is not on PATH";
  const galaxy = Bun.which("ansible-galaxy");
  if (!galaxy) return "ansible-galaxy is not on PATH";
  const listed = Bun.spawnSync([galaxy, "collection", "list"], { env: { ...process.env, ANSIBLE_NOCOLOR: "1" } }).stdout.toString();
  const absent = COLLECTIONS.filter((c) => !new RegExp(`^${c.replace(".", "\\.")}\\s`, "m").test(listed));
  return absent.length ? `the ansible collection(s) ${absent.join(", ")} are not installed` : null;
}
const missing = missingTools();
if (missing) {
  console.warn(
    `ansible.test.ts: SKIPPED — ${missing}. ` +
      "Install with: pip install ansible ansible-lint (the ansible package bundles amazon.aws, community.aws, community.postgresql)",
  );
}

async function run(cmd: string[], cwd = ANSIBLE_DIR) {
  const p = Bun.spawn(cmd, {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  const [code, stdout, stderr] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, stdout, stderr, out: `${stdout}\n${stderr}` };
}

describe.skipIf(!!missing)("ansible", () => {
  let root: string;
  let lintRun: ReturnType<typeof run>;
  let python: string;

  beforeAll(async () => {
    // ansible-lint is the slowest step (~12 s): started first, awaited in its own test.
    lintRun = run([lint!, "--offline", "-q"]);
    root = await mkdtemp(join(tmpdir(), "gas-ansible-"));
    // The interpreter ansible itself runs on: discovery may pick a python without ansible's deps.
    const version = await run([playbook!, "--version"]);
    python = /python version = .*\((\/[^)]+)\)\s*$/m.exec(version.stdout)?.[1] ?? "auto_silent";
  }, 30_000);
  afterAll(async () => {
    await lintRun?.catch(() => {});
    if (root) await rm(root, { recursive: true, force: true });
  });

  test("--syntax-check passes for every playbook", async () => {
    const [site, provision] = await Promise.all([
      run([playbook!, "--syntax-check", "-i", "inventories/local", "playbooks/site.yml"]),
      run([playbook!, "--syntax-check", "-i", "localhost,", "playbooks/provision_aws.yml"]),
    ]);
    expect(site.out).toContain("playbook: playbooks/site.yml");
    expect(site.code).toBe(0);
    expect(provision.out).toContain("playbook: playbooks/provision_aws.yml");
    expect(provision.code).toBe(0);
  }, 60_000);

  test("the AWS role stops when every role's pool at its group's maximum exceeds RDS's max_connections", async () => {
    // Only the budget's tasks (roles/aws_topology/tasks/database.yml with gas_rds off: no AWS call).
    const play = join(root, "budget.yml");
    await writeFile(
      play,
      [
        "- hosts: localhost",
        "  connection: local",
        "  gather_facts: false",
        `  vars_files: [${join(ANSIBLE_DIR, "roles/aws_topology/defaults/main.yml")}]`,
        "  tasks:",
        `    - ansible.builtin.import_tasks: ${join(ANSIBLE_DIR, "roles/aws_topology/tasks/database.yml")}`,
        "",
      ].join("\n"),
    );
    const budget = (...extra: string[]) =>
      run([playbook!, play, "-e", "gas_rds=false", "-e", `ansible_python_interpreter=${python}`, ...extra], root);
    const [fits, over] = await Promise.all([budget(), budget("-e", "gas_rds_max_connections=150")]);
    expect(fits.code).toBe(0);
    expect(fits.stdout).toContain("180 + 10 reserved ≤ 250 max_connections");
    expect(over.code).not.toBe(0);
    expect(over.stdout).toContain("the roles open 180 connections (web 10 × (10 + 1), annotator 10 × (4 + 1)");
    expect(over.stdout).toContain("over gas_rds_max_connections 150");
  }, 60_000);

  test("the AWS instances' user data is valid bash that rotates, caps and ships the role's log", async () => {
    const play = join(root, "user-data.yml");
    const out = join(root, "user-data");
    await writeFile(
      play,
      [
        "- hosts: localhost",
        "  connection: local",
        "  gather_facts: false",
        `  vars_files: [${join(ANSIBLE_DIR, "roles/aws_topology/defaults/main.yml")}, ${join(ANSIBLE_DIR, "inventories/aws/group_vars/all.yml")}]`,
        "  tasks:",
        "    - ansible.builtin.copy:",
        `        content: "{{ lookup('ansible.builtin.template', '${join(ANSIBLE_DIR, "roles/aws_topology/templates/user-data.sh.j2")}', template_vars={'gas_role': 'annotator', 'gas_unit': '[Unit]'}) }}"`,
        `        dest: ${out}`,
        "        mode: '0644'",
        "",
      ].join("\n"),
    );
    const r = await run([playbook!, play, "-e", `ansible_python_interpreter=${python}`], root);
    if (r.code !== 0) throw new Error(`rendering user-data.sh.j2 failed:\n${r.out.slice(-3000)}`);
    const syntax = await run(["bash", "-n", out], root);
    expect(syntax.out.trim()).toBe("");
    expect(syntax.code).toBe(0);
    const text = await readFile(out, "utf8");
    expect(text).toContain("rotate 14");
    expect(text).toContain("SystemMaxUse=500M");
    expect(text).toContain('"file_path": "/var/log/gas/annotator.log", "log_group_name": "/gas/annotator"');
    expect(JSON.parse(text.slice(text.indexOf("<<'AGENT'\n") + 9, text.indexOf("\nAGENT\n")))).toMatchObject({
      logs: {
        logs_collected: { files: { collect_list: [{ log_stream_name: "{instance_id}" }, { log_stream_name: "{instance_id}/boot" }] } },
      },
    });
    expect(text).toContain('until aws s3api head-object --bucket "gas-releases-example" --key reference/manifest.json');
  }, 60_000);

  test("site.yml renders hardened units, a 0600 environment file, log rotation and the TLS proxy", async () => {
    const r = await run([
      playbook!,
      "-i",
      "inventories/local",
      "playbooks/site.yml",
      "-e",
      "gas_render_only=true",
      "-e",
      `gas_root=${root}`,
      "-e",
      `ansible_python_interpreter=${python}`,
    ]);
    if (r.code !== 0) throw new Error(`site.yml (render mode) failed:\n${r.out.slice(-3000)}`);
    expect(r.stdout).toMatch(/failed=0/);

    for (const role of ROLES) {
      const unit = await readFile(join(root, "etc/systemd/system", `gas-${role}.service`), "utf8");
      expect(unit).toContain(`ExecStart=/opt/gas/current/gas --role=${role}`);
      for (const line of [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "Restart=on-failure",
        "ReadWritePaths=/var/lib/gas /var/log/gas",
        "EnvironmentFile=/etc/gas/gas.env",
        `EnvironmentFile=-/etc/gas/${role}.env`,
        "User=gas",
      ]) {
        expect(unit).toContain(line);
      }
      expect(unit).toContain("After=network-online.target postgresql.service"); // one box: local PostgreSQL
    }
    const envFile = join(root, "etc/gas/gas.env");
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    const env = await readFile(envFile, "utf8");
    expect(env).toMatch(/^DATABASE_URL=postgresql:\/\/gas:.+@127\.0\.0\.1:5432\/gas$/m);
    expect(env).toContain("REFERENCE_DIR=/opt/gas/reference/demo");
    expect(env).toContain("PUBLIC_URL=https://");
    // Secrets per role: the web role's reach only gas-web (issue 14 item 4); gas.env has none.
    expect(env).not.toMatch(/SECRET/);
    const web = join(root, "etc/gas/web.env");
    expect((await stat(web)).mode & 0o777).toBe(0o600);
    expect(await readFile(web, "utf8")).toMatch(/^SESSION_SECRET=.{32,}\n[\s\S]*^UPLOAD_SIGNING_SECRET=.{32,}$/m);
    for (const worker of ["annotator", "archiver", "notifier"]) {
      expect(await readFile(join(root, `etc/gas/${worker}.env`), "utf8")).not.toMatch(/SECRET/);
    }
    expect(await readFile(join(root, "etc/nginx/conf.d/gas.conf"), "utf8")).toMatch(
      /listen 4433 ssl;[\s\S]*proxy_pass http:\/\/127\.0\.0\.1:3000;/,
    );
    expect(await readFile(join(root, "etc/logrotate.d/gas"), "utf8")).toMatch(/\/var\/log\/gas\/\*\.log \{[\s\S]*copytruncate/);
  }, 150_000); // ~20 s on a quiet machine; a loaded one (other test files running) took over 60 s

  test.skipIf(!systemdAnalyze)(
    "systemd-analyze verify accepts the rendered units",
    async () => {
      // verify resolves dependencies (sysinit.target, …) and ExecStart inside --root: give the
      // throwaway root the system's unit folder and an executable where the release would be.
      await mkdir(join(root, "usr/lib/systemd"), { recursive: true });
      await cp("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
      await mkdir(join(root, "opt/gas/releases/0.1.0"), { recursive: true });
      await writeFile(join(root, "opt/gas/releases/0.1.0/gas"), "#!/bin/sh\n", { mode: 0o755 });
      const units = ROLES.map((role) => join(root, "etc/systemd/system", `gas-${role}.service`));
      const r = await run([systemdAnalyze!, "verify", `--root=${root}`, ...units]);
      // verify exits 0 on unknown keys and bad values (it only warns): any line about our units fails.
      const complaints = r.out.split("\n").filter((l) => l.includes("gas-"));
      expect(complaints).toEqual([]);
      expect(r.code).toBe(0);
    },
    60_000,
  );

  test("ansible-lint is clean", async () => {
    const r = await lintRun;
    if (r.code !== 0) throw new Error(`ansible-lint:\n${r.out.slice(-4000)}`);
    expect(r.code).toBe(0);
  }, 60_000);
});
