/**
 * docs/operations.md followed to the letter on the emulators (issue 14: "followed step by step on
 * the emulators in a test, with no step guessed"): every shell block the document marks
 * `<!-- moto rehearsal -->` (building the artifact, starting moto, provisioning with the playbook,
 * uploading the reference bundle, the topology checker, the jobs table moto's gap leaves out), in
 * the document's order, runs as one `bash -euo pipefail` script in a fresh clone of this repository
 * (`git clone --shared`: HEAD as an operator would check it out; the working tree is not touched).
 *
 * The only changes to the text are mechanical and said here: moto's port 5000 becomes a free port
 * (5000 may be taken on a shared machine), the PID of each process a line starts in the background
 * (`… &`) is recorded so the test can stop it, and each block first reopens the output files the
 * test reads (rehearsalScript says why). The script gets no AWS profile or config
 * of the machine (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point nowhere): whatever the
 * commands need, the document must say. Ansible's mitogen strategy is passed through the
 * environment when installed, for speed only (test/support/provision-playbook.ts).
 *
 * Marking the steps for it found three guesses the old text left to the operator: it called moto
 * without waiting for it to answer, set no region (the AWS CLI refuses without one), and gave no
 * command for the reference bundle, which it asked for "before the first run", in the bucket that
 * run makes. About 80 s here (bun install from the cache, the build, one playbook run, the checker).
 *
 * The document's other shell blocks cannot run on the emulators; NOT_ON_MOTO below names each
 * (by a line of it) with the reason, and a test fails when a block is neither marked nor named
 * there, so a new step is either rehearsed or says why not. Commands given inline in the text
 * (not in a block) and run elsewhere: the switch of a queue off alias/aws/sqs (`aws sqs
 * set-queue-attributes … KmsMasterKeyId=,SqsManagedSseEnabled=true`: test/provision-aws.test.ts
 * makes the same call and the checker then passes the queue); the Glacier vault (made by the
 * playbook since gas_archive_vault: glacier has a task: test/provision-aws.test.ts, run 3); the
 * DLQ runbook (the annotator's own DLQ consumer: test/aws-iam.e2e.test.ts); the rest (describe-*,
 * set-desired-capacity, start-instance-refresh, logs start-query) act on a running fleet, which
 * moto does not run.
 *
 * Skips with a message without git, curl, the AWS CLI (`pip install awscli`), moto_server or
 * ansible-playbook with boto3.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/free-port.ts";
import { mitogenStrategy, playbookMissing } from "./support/provision-playbook.ts";

const ROOT = join(import.meta.dir, "..");
const DOC = join(ROOT, "docs", "operations.md");

/** The marked ```sh blocks of `markdown`, in order. */
export function rehearsalBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const re = /<!-- moto rehearsal -->\s*\n```sh\n([\s\S]*?)\n```/g;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}

/**
 * The script: the blocks with moto's port replaced and each background process's PID recorded.
 * Each block starts by reopening the output files: bun leaves the descriptors it shares with the
 * script non-blocking, and ansible-playbook refuses to run on non-blocking ones.
 */
export function rehearsalScript(blocks: string[], port: number): string {
  const lines = blocks
    .map((b) => `exec >>"$GAS_DOC_OUT" 2>>"$GAS_DOC_ERR"\n${b}`)
    .join("\n")
    .replaceAll("moto_server -p 5000", `moto_server -p ${port}`)
    .replaceAll("127.0.0.1:5000", `127.0.0.1:${port}`)
    .split("\n")
    .flatMap((line) => (/&\s*(#.*)?$/.test(line) && !/&&\s*(#.*)?$/.test(line) ? [line, 'echo $! >> "$GAS_DOC_PIDS"'] : [line]));
  return ["set -euo pipefail", ...lines, ""].join("\n");
}

/** Each unmarked ```sh block of the document, by a line of it, and why it cannot run on the emulators. */
const NOT_ON_MOTO: [line: string, why: string][] = [
  [
    "ansible-vault create inventories/local/group_vars/all/vault.yml",
    "one box: needs a Debian/Ubuntu host with systemd and an interactive vault password (test/ansible.test.ts applies site.yml in render mode)",
  ],
  [
    "export AWS_PROFILE=gas-admin",
    "a real account: an operator's profile, a vault file with --ask-vault-pass, an AMI; the marked block runs the same playbook on moto",
  ],
  ["--suffix <gas_aws_account_suffix>", "the general form; the marked block runs it with --suffix moto"],
  ["put-account-details", "SES's account (sandbox) calls: moto 5.2 has no GetAccount or PutAccountDetails"],
  [
    "gas aws recount-jobs",
    "`gas` as installed on an instance; the recount itself is tested on dynalite (src/adapters/aws/dynamo-job-store.test.ts)",
  ],
];

/** Every ```sh block of `markdown` with whether `<!-- moto rehearsal -->` marks it. */
export function shellBlocks(markdown: string): { text: string; marked: boolean }[] {
  const blocks: { text: string; marked: boolean }[] = [];
  const re = /(<!-- moto rehearsal -->\s*\n)?```sh\n([\s\S]*?)\n```/g;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push({ text: m[2]!, marked: !!m[1] });
  return blocks;
}

const tools = ["git", "curl", "aws"].filter((t) => !Bun.which(t));
const missing = tools.length ? `${tools.join(", ")} not on PATH` : playbookMissing();
if (missing)
  console.warn(
    `operations-doc.test.ts: SKIPPED — ${missing}. Install with: pip install ansible "moto[server]" awscli; apt-get install git curl`,
  );

describe("the marked steps of docs/operations.md", () => {
  test("the rehearsal is marked: building, moto, the playbook, the bundle, the checker, the table", async () => {
    const script = rehearsalScript(rehearsalBlocks(await readFile(DOC, "utf8")), 5999);
    for (const step of [
      "bun run build",
      "moto_server -p 5999 &",
      'echo $! >> "$GAS_DOC_PIDS"',
      "ansible-playbook -i inventories/aws -i inventories/moto playbooks/provision_aws.yml",
      "aws s3 sync data/demo/ s3://gas-releases-moto/reference/",
      "check-topology.ts --suffix moto",
      "aws dynamodb create-table --table-name gas-annotations",
      "aws sesv2 create-email-identity --region us-east-1 --email-identity example.org",
    ])
      expect(script).toContain(step);
    expect(script).not.toContain("5000");
  });

  test("every other shell block is one the emulators cannot run, and says why", async () => {
    const unmarked = shellBlocks(await readFile(DOC, "utf8")).filter((b) => !b.marked);
    const unexplained = unmarked.filter((b) => !NOT_ON_MOTO.some(([line]) => b.text.includes(line))).map((b) => b.text.split("\n")[0]);
    expect(unexplained).toEqual([]);
    // And each reason still names a block of the document.
    const stale = NOT_ON_MOTO.filter(([line]) => !unmarked.some((b) => b.text.includes(line))).map(([line]) => line);
    expect(stale).toEqual([]);
  });
});

describe.skipIf(!!missing)("docs/operations.md followed on moto", () => {
  let work: string;
  let pidFile: string;
  let run: { code: number; out: string; seconds: number };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "gas-ops-doc-"));
    pidFile = join(work, "pids");
    const clone = join(work, "gas");
    const cloned = Bun.spawnSync(["git", "clone", "-q", "--shared", ROOT, clone]);
    if (cloned.exitCode !== 0) throw new Error(`git clone: ${cloned.stderr.toString()}`);
    const script = rehearsalScript(rehearsalBlocks(await readFile(join(clone, "docs", "operations.md"), "utf8")), await freePort());
    await writeFile(join(work, "rehearsal.sh"), script);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
    const started = performance.now();
    // Output to files, not pipes (moto, started in the background, would hold a pipe open), opened
    // by bash itself: ansible refuses the non-blocking descriptors Bun hands a child for a file.
    const [out, err] = [join(work, "rehearsal.out"), join(work, "rehearsal.err")];
    const p = Bun.spawn(
      ["bash", "-c", 'exec >"$GAS_DOC_OUT" 2>"$GAS_DOC_ERR" </dev/null; exec bash "$1"', "rehearsal", join(work, "rehearsal.sh")],
      {
        cwd: clone,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "ignore",
        env: {
          ...env,
          ...mitogenStrategy(),
          GAS_DOC_PIDS: pidFile,
          GAS_DOC_OUT: out,
          GAS_DOC_ERR: err,
          AWS_CONFIG_FILE: join(work, "no-aws-config"),
          AWS_SHARED_CREDENTIALS_FILE: join(work, "no-aws-credentials"),
          ANSIBLE_NOCOLOR: "1",
          NO_COLOR: "1",
        },
      },
    );
    const code = await p.exited;
    run = { code, out: `${await readFile(out, "utf8")}\n${await readFile(err, "utf8")}`, seconds: (performance.now() - started) / 1000 };
    console.log(`docs/operations.md rehearsal: exit ${code} in ${run.seconds.toFixed(0)} s`);
  }, 1_200_000);

  afterAll(async () => {
    const pids = (await readFile(pidFile, "utf8").catch(() => "")).split("\n").filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  test("every step succeeds, in order", () => {
    if (run.code !== 0) throw new Error(`the rehearsal stopped (exit ${run.code}):\n${run.out.slice(-5000)}`);
  });

  test("the artifact built, the playbook converged, the checker found nothing wrong, the table and the SES identity are there", () => {
    expect(run.out).toMatch(/gas \d+\.\d+\.\d+ \(commit [0-9a-f]{12}/);
    expect(run.out).toMatch(/localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(run.out).toMatch(/\d+ ok, 0 failed, \d+ skipped/);
    expect(run.out).toMatch(/^ACTIVE$/m);
    // The SES identity made in "Verify the SES identity" (DKIM not started: moto sees no DNS).
    expect(run.out).toContain('"NOT_STARTED"');
  });
});
