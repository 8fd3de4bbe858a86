/**
 * Regenerates the results browser's screenshots under docs/: the demo job and a 50,000-variant job
 * (bench/generate-vcf.ts: a three-sample trio, 30 % of records drawn from the demo's known
 * variants), each uploaded and annotated through a real GAS (`--role=all`, PGlite) and shown in
 * Debian's chromium. Not a test (it writes tracked files); run it when the page changes:
 *
 *   npx -y bun test/browser/results-screenshots.ts [--variants 50000]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { writeBenchVcf } from "../../bench/generate-vcf.ts";
import { startGas } from "../support/gas-process.ts";

const ROOT = join(import.meta.dir, "..", "..");
const DOCS = join(ROOT, "docs");
const DEMO_VCF = join(ROOT, "data", "demo", "vcf", "test.vcf");
const DEMO_FASTA = join(ROOT, "data", "demo", "fasta", "Homo_sapiens.GRCh38.chr21.test.fa.gz");
const DEMO_KNOWN = join(ROOT, "data", "demo", "known", "known_variants.chr21_25-26Mb.vcf.gz");
const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { variants: { type: "string", default: "50000" } } });
const variants = Number(values.variants);

/** Uploads `file` on the annotate page and returns the job's results URL once it is COMPLETED. */
async function annotate(page: Page, file: string): Promise<string> {
  await page.goto(new URL("/annotate", page.url()).href);
  await page.getByLabel("Select VCF Input File").setInputFiles(file);
  await page.getByRole("button", { name: "Annotate" }).click();
  await page.waitForURL(/\/annotate\/job/);
  await page.locator("main a[href^='/annotations/']").first().click();
  await page.waitForURL(/\/annotations\/[0-9a-f-]{36}$/);
  await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 15 * 60_000 });
  return `${page.url()}/results`;
}

const work = await mkdtemp(join(tmpdir(), "gas-screenshots-"));
// A free account may upload only 150 KB; the screenshot's 50k-variant file is larger.
const gas = await startGas({
  role: "all",
  env: { FREE_MAX_UPLOAD_BYTES: String(1 << 30), FREE_MAX_INPUT_BYTES: "0", FREE_MAX_VARIANTS: "0", FREE_MAX_RESULT_BYTES: "0" },
});
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${gas.url}/login`);
  await page.getByLabel("Email").fill("screenshots@example.org");
  await page.getByLabel("Name").fill("Screenshots");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/profile/);
  await page.getByLabel("Institution/Department").fill("Documentation");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.waitForURL(/\/annotations$/);

  await page.goto(await annotate(page, DEMO_VCF));
  await page.screenshot({ path: join(DOCS, "results-demo.png"), fullPage: true });
  console.log(`wrote docs/results-demo.png`);

  const big = join(work, `bench-${variants}.vcf`);
  const bytes = await writeBenchVcf(big, DEMO_FASTA, variants, { samples: 3, known: DEMO_KNOWN, knownShare: 0.3 });
  console.log(`annotating ${variants} variants (${(bytes / 1e6).toFixed(1)} MB)…`);
  const started = performance.now();
  const results = await annotate(page, big);
  console.log(`annotated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const opened = performance.now();
  await page.goto(results);
  console.log(`results page loaded in chromium in ${Math.round(performance.now() - opened)} ms (first, cold)`);
  // The page's HTML alone, five times each, unfiltered and filtered: the server's share.
  for (const q of ["", "?impact=HIGH,MODERATE&pass=1&sample=NA12878&gt=het&sort=af", "?last=1&sort=gene"]) {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await page.request.get(`${results}${q}`);
      if (!res.ok()) throw new Error(`${results}${q}: ${res.status()}`);
      await res.body();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(`GET results${q}: median ${Math.round(ms[2]!)} ms of 5`);
  }
  await page.screenshot({ path: join(DOCS, `results-${variants / 1000}k.png`), fullPage: true });
  console.log(`wrote docs/results-${variants / 1000}k.png`);
  await page.goto(`${results}?impact=HIGH,MODERATE&pass=1&sample=NA12878&gt=het&sort=af`);
  // The filtered table alone: the charts above it do not change with the filter.
  await page.locator("#results-browser").screenshot({ path: join(DOCS, `results-${variants / 1000}k-filtered.png`) });
  console.log(`wrote docs/results-${variants / 1000}k-filtered.png`);
} finally {
  await browser.close();
  await gas.stop();
  await rm(gas.dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
}
