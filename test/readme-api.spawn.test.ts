/**
 * The README's "API in 5 minutes" runs as written (issue 17 item 4): its ```bash blocks are taken
 * from README.md and run in order, in one bash (`set -euo pipefail`), against a started GAS
 * (`--role=all`), with GAS and TOKEN set to it and a token of the README's scopes. The block's
 * `export GAS=… TOKEN=gas_…` line is the reader's to fill in, so it is left out here. Needs curl
 * and jq; skipped with a message without them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type GasProcess, startGas } from "./support/gas-process.ts";

const ROOT = join(import.meta.dir, "..");
const tools = ["curl", "jq", "bash"].filter((t) => !Bun.which(t));
if (tools.length) console.warn(`README API test skipped: ${tools.join(", ")} not installed (apt-get install ${tools.join(" ")})`);

/** The ```bash blocks of the README section `heading`, in order. */
export function bashBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe.if(tools.length === 0)("README: the API in 5 minutes", () => {
  let gas: GasProcess;
  let dir: string;
  beforeAll(async () => {
    gas = await startGas({ role: "all" });
    dir = await mkdtemp(join(tmpdir(), "gas-readme-api-"));
    await symlink(join(ROOT, "data"), join(dir, "data")); // the blocks send data/demo/vcf/test.vcf
  }, 120_000);
  afterAll(async () => {
    await gas?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("every curl example runs and does what the text says", async () => {
    const blocks = bashBlocks(await Bun.file(join(ROOT, "README.md")).text(), "### The API in 5 minutes");
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const browser = createClient(gas.url);
    await browser.signIn("readme@example.org", "Reader");
    const res = await browser.json("/account/tokens", {
      method: "POST",
      body: JSON.stringify({ name: "readme", scopes: ["read", "submit", "manage"] }),
    });
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    const script = ["set -euo pipefail", ...blocks.map((b) => b.replace(/^export GAS=.*$/m, ""))].join("\n");
    const run = Bun.spawn(["bash", "-c", script], {
      cwd: dir,
      env: { ...process.env, GAS: gas.url, TOKEN: token },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const lines = out.trim().split("\n");
    const [jobId] = lines;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out).toContain('"job_status": "COMPLETED"');
    expect(out).toContain('"sha256"');
    expect(lines.at(-2)).toMatch(/^[0-9a-f-]{36}$/); // the rerun's new job
    expect(lines.at(-1)).toBe("204"); // deleted
    expect((await Bun.file(join(dir, "trio.annot.vcf.gz")).bytes()).subarray(0, 2)).toEqual(new Uint8Array([0x1f, 0x8b]));
    const gone = await createClient(gas.url, { token }).json(`/annotations/${jobId}`);
    expect(gone.status).toBe(404);
  }, 180_000);
});
