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
    ])
      expect(script).toContain(step);
    expect(script).not.toContain("5000");
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

  test("the artifact built, the playbook converged, the checker found nothing wrong, the table is there", () => {
    expect(run.out).toMatch(/gas \d+\.\d+\.\d+ \(commit [0-9a-f]{12}/);
    expect(run.out).toMatch(/localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(run.out).toMatch(/\d+ ok, 0 failed, \d+ skipped/);
    expect(run.out).toMatch(/^ACTIVE$/m);
  });
});
