/**
 * The single artifact: `bun run build` (scripts/build-binary.ts) compiles dist/gas; this test
 * builds it once into a temp folder and runs it from a folder outside the repository, so nothing
 * is read from the source tree or node_modules except the reference bundle it is pointed at
 * (REFERENCE_DIR: the reference ships beside the binary by design, see scripts/build-binary.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BACKGROUND_COMPRESSION_AFTER } from "../src/modules/annotator/io/atomic-writer.ts";
import { createClient, type GasProcess, parseUploadForm, postUpload, startGas, waitForJob } from "./support/gas-process.ts";

const ROOT = join(import.meta.dir, "..");
const DEMO = join(ROOT, "data", "demo");
const DEMO_VCF = join(DEMO, "vcf", "test.vcf");

let work: string;
let bin: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "gas-bin-"));
  bin = join(work, "gas");
  const t0 = performance.now();
  const build = Bun.spawn(["bun", join(ROOT, "scripts", "build-binary.ts"), "--outfile", bin], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([build.exited, new Response(build.stdout).text(), new Response(build.stderr).text()]);
  if (code !== 0) throw new Error(`build failed (${code}):\n${out}\n${err}`);
  console.log(`compiled-binary: built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(Bun.file(bin).size / 1e6).toFixed(0)} MB)`);
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function run(args: string[], cwd = work) {
  const r = Bun.spawnSync([bin, ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: work } });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe("compiled binary", () => {
  test("--version names the package version and the commit", () => {
    const t0 = performance.now();
    const r = run(["--version"]);
    const ms = performance.now() - t0;
    console.log(`compiled-binary: --version in ${ms.toFixed(0)} ms`);
    expect(r.code).toBe(0);
    const pkg = require("../package.json") as { version: string };
    expect(r.stdout.trim()).toMatch(
      new RegExp(`^gas ${pkg.version.replaceAll(".", "\\.")} \\(commit [0-9a-f]{12}(-dirty)?, built \\d{4}-\\d\\d-\\d\\dT`),
    );
  });

  describe("--role=all on PGlite: upload → COMPLETED → download, then a restart", () => {
    let gas: GasProcess;
    let dataDir: string;
    const env = { REFERENCE_DIR: DEMO };
    beforeAll(async () => {
      dataDir = join(work, "data");
      // A first start: the binary creates PGlite and applies its embedded migrations.
      gas = await startGas({ command: [bin], cwd: work, dataDir, env, freshDatabase: true });
    }, 120_000);
    afterAll(async () => {
      if (gas && gas.proc.exitCode === null) await gas.stop();
    }, 60_000);

    test("a browser's job completes and its result downloads", async () => {
      expect(await (await fetch(`${gas.url}/readyz`)).json()).toEqual({ status: "ready" });
      const home = await fetch(`${gas.url}/`);
      expect(home.status).toBe(200);

      const browser = createClient(gas.url);
      await browser.signIn("ada@example.org", "Ada");
      const page = await browser.request("/annotate", { headers: { accept: "text/html" } });
      const { action, fields } = parseUploadForm(await page.text());
      const upload = await postUpload(browser, action, fields, new File([await Bun.file(DEMO_VCF).arrayBuffer()], "test.vcf"));
      expect(upload.status).toBe(303);
      const redirect = new URL(upload.headers.get("location")!);
      const html = await (await browser.request(redirect.pathname + redirect.search, { headers: { accept: "text/html" } })).text();
      const jobId = /was received \(ID <span class="font-monospace">([0-9a-f-]{36})<\/span>/.exec(html)?.[1];
      expect(jobId).toBeTruthy();

      const done = await waitForJob(browser, jobId!);
      expect(done.job_status).toBe("COMPLETED");
      const result = await browser.request(`/annotations/${jobId}/result.vcf`);
      expect(result.status).toBe(200);
      const vcf = await result.text();
      expect(vcf.startsWith("##fileformat=VCF")).toBe(true);
      expect(vcf).toContain("ANN=");
      // The results store was written on the binary's store thread and is read on its query
      // threads: both are entrypoints of their own in a compiled binary (scripts/build-binary.ts).
      const results = await browser.request(`/annotations/${jobId}/results`, { headers: { accept: "text/html" } });
      expect(results.status).toBe(200);
      const resultsPage = await results.text();
      expect(resultsPage).toContain("132 variants (ALT alleles)");
      expect(resultsPage).toContain(`id="v1" data-vid="1"`);
      const tsv = await browser.request(`/annotations/${jobId}/rows?format=tsv&impact=HIGH,MODERATE`);
      expect(tsv.status).toBe(200);
      expect((await tsv.text()).split("\n").length).toBeGreaterThan(2);
    }, 120_000);

    test("restarts on its data folder well under a second to /healthz", async () => {
      expect(await gas.stop()).toBe(0);
      const t0 = performance.now();
      gas = await startGas({ command: [bin], cwd: work, dataDir, env, role: "web" });
      while (!(await fetch(`${gas.url}/healthz`).catch(() => null))?.ok) await Bun.sleep(10);
      const ms = performance.now() - t0;
      console.log(`compiled-binary: --role=web on an existing PGlite folder answered /healthz ${ms.toFixed(0)} ms after spawn`);
      // Under a second on an idle machine (~300 ms measured); the bound leaves room for a loaded CI box.
      expect(ms).toBeLessThan(5_000);
    }, 60_000);
  });

  test("gas annotate --threads 2 on a >1 MB input matches --threads 1", async () => {
    // The demo records repeated until the file passes 1 MB: under 1 MiB the CLI uses one thread, and the worker would never load.
    const text = await Bun.file(DEMO_VCF).text();
    const lines = text.split("\n").filter(Boolean);
    const header = lines.filter((l) => l.startsWith("#"));
    const body = lines.filter((l) => !l.startsWith("#"));
    const reps = Math.ceil(1_100_000 / body.join("\n").length);
    const input = join(work, "big.vcf");
    await Bun.write(input, `${[...header, ...Array.from({ length: reps }, () => body).flat()].join("\n")}\n`);
    expect(Bun.file(input).size).toBeGreaterThan(1 << 20); // the CLI's PARALLEL_MIN_BYTES: below it, one thread

    const two = run(["annotate", input, "-o", join(work, "two.vcf"), "--threads", "2", "--ref", DEMO, "--quiet"]);
    expect(two.stderr).toBe("");
    expect(two.code).toBe(0);
    const one = run(["annotate", input, "-o", join(work, "one.vcf"), "--threads", "1", "--ref", DEMO, "--quiet"]);
    expect(one.code).toBe(0);
    const records = async (p: string) => (await Bun.file(p).text()).split("\n").filter((l) => !l.startsWith("##"));
    const [a, b] = await Promise.all([records(join(work, "two.vcf")), records(join(work, "one.vcf"))]);
    expect(a.length).toBe(body.length * reps + 2); // #CHROM line + records + final empty string
    expect(a.filter((l) => l.includes("ANN=")).length).toBeGreaterThan(body.length * reps * 0.9);
    expect(a).toEqual(b);

    // Past 16 MiB a BGZF output is compressed on a thread of its own (annotator/io/bgzf-compressor.ts),
    // whose module is an entrypoint of the binary too: the .vcf.gz holds the same VCF.
    expect(Bun.file(join(work, "one.vcf")).size).toBeGreaterThan(BACKGROUND_COMPRESSION_AFTER);
    const gz = run(["annotate", input, "-o", join(work, "one.vcf.gz"), "--threads", "1", "--ref", DEMO, "--quiet"]);
    expect(gz.stderr).toBe("");
    expect(gz.code).toBe(0);
    const withoutCommand = (t: string) => t.replace(/^##GAS_command=.*\n/m, "");
    const unzipped = withoutCommand(gunzipSync(readFileSync(join(work, "one.vcf.gz"))).toString("utf8"));
    expect(unzipped === withoutCommand(readFileSync(join(work, "one.vcf"), "utf8"))).toBe(true); // (not toEqual: a 30 MB diff is no help)
  }, 120_000);
});
