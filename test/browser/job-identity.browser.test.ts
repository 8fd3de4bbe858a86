/**
 * Issue 17 items 3 and 4 in a real browser (Debian's chromium, as ui.browser.test.ts): a job
 * named and set up on the upload page (per-gene, CSQ only) runs with those settings; the list
 * shows its name, the job page its note, options and manifest (downloadable); "Run again" makes a
 * second job with the same settings; "Delete…" asks, then deletes; the API reference page renders
 * /openapi.json with Swagger UI served by GAS itself, under the site's CSP (no violation logged).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { type GasProcess, startGas } from "../support/gas-process.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const ROOT = join(import.meta.dir, "..", "..");
const DEMO_VCF = join(ROOT, "data", "demo", "vcf", "test.vcf");
const SHOTS = join(ROOT, "test-artifacts", "screenshots");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];

describe.if(hasChromium)("named jobs, manifest, run again, delete, API reference in chromium", () => {
  let dataDir: string;
  let profileDir: string;
  let gas: GasProcess;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), "gas-browser-identity-"));
    profileDir = await mkdtemp(join(tmpdir(), "gas-chromium-identity-"));
    gas = await startGas({ role: "all", dataDir });
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    await page.goto(`${gas.url}/login?next=/annotations`);
    await page.getByLabel("Email").fill("grace@example.org");
    await page.getByLabel("Name").fill("Grace Hopper");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile\?welcome=1/);
    await page.getByLabel("Institution/Department").fill("Harvard Mark I");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (gas && gas.proc.exitCode === null) await gas.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  }, 60_000);

  test("a job named and set up on the upload page runs with its settings; list and page show them with the manifest", async () => {
    await page.goto(`${gas.url}/annotate`);
    await page.getByLabel(/^Name/).fill("Chr21 per gene");
    await page.getByLabel(/^Note/).fill("checking MANE picks");
    await page.getByLabel("Transcripts").selectOption("per-gene");
    await page.getByLabel("Annotation fields").selectOption("csq");
    await page.getByRole("button", { name: "Apply settings" }).click();
    await page.waitForURL(/\/annotate\?.*pick=per-gene/);
    await page.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
    await page.getByRole("button", { name: "Annotate" }).click();
    await page.waitForURL(/\/annotate\/job/);
    await page.locator("main a[href^='/annotations/']").first().click();
    await page.waitForURL(/\/annotations\/[0-9a-f-]{36}$/);
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 90_000 });
    await page.reload(); // the manifest is part of the finished page
    await expect(page.locator("#job-name").textContent()).resolves.toBe("Chr21 per gene");
    await expect(page.locator("#job-note").textContent()).resolves.toBe("checking MANE picks");
    await expect(page.locator("#job-options").textContent()).resolves.toContain("One effect per gene");
    const sha = new Bun.CryptoHasher("sha256").update(await Bun.file(DEMO_VCF).bytes()).digest("hex");
    await expect(page.locator("#manifest-input-sha256").textContent()).resolves.toBe(sha);
    await expect(page.locator("#manifest-command").textContent()).resolves.toBe(
      "gas annotate test.vcf --ref <bundle> --fields csq --per-gene",
    );
    await shot("20-job-named-manifest");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#manifest-download").click()]);
    const manifest = JSON.parse(await Bun.file((await download.path())!).text());
    expect(manifest).toMatchObject({
      job: { name: "Chr21 per gene" },
      input: { sha256: sha },
      options: { pick: "per-gene", fields: ["csq"] },
    });

    await page.goto(`${gas.url}/annotations`);
    await expect(page.locator("tbody a.job-name").allTextContents()).resolves.toEqual(["Chr21 per gene"]);
    await shot("21-jobs-named");
  }, 150_000);

  test("Run again makes a second job with the same settings; Delete asks first, then removes it", async () => {
    await page.locator("tbody a.job-name").first().click();
    const firstUrl = page.url();
    await page.getByRole("button", { name: "Run again" }).click();
    await page.waitForURL((u) => /\/annotations\/[0-9a-f-]{36}$/.test(u.pathname) && u.toString() !== firstUrl);
    await expect(page.locator("#job-name").textContent()).resolves.toBe("Chr21 per gene");
    await expect(page.locator("#job-options").textContent()).resolves.toContain("One effect per gene");
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 90_000 });
    await page.goto(`${gas.url}/annotations`);
    await expect(page.locator("tbody tr").count()).resolves.toBe(2);

    await page.goto(firstUrl);
    await page.getByRole("link", { name: "Delete…" }).click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Delete “Chr21 per gene”?");
    await shot("22-delete-confirm");
    await page.getByRole("link", { name: "Keep it" }).click();
    await expect(page.url()).toBe(firstUrl);
    await page.getByRole("link", { name: "Delete…" }).click();
    await page.getByRole("button", { name: "Delete the job" }).click();
    await page.waitForURL(/\/annotations\?deleted=1$/);
    await expect(page.locator("tbody tr").count()).resolves.toBe(1);
    const gone = await page.goto(firstUrl);
    expect(gone?.status()).toBe(404);
  }, 150_000);

  test("the API reference page renders /openapi.json with the locally served Swagger UI, within the CSP", async () => {
    consoleErrors.length = 0;
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(gas.url) && !r.url().startsWith("data:")) external.push(r.url());
    });
    await page.goto(`${gas.url}/api/reference`);
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 30_000 });
    await expect(page.locator(".swagger-ui .info .title").textContent()).resolves.toContain("GAS");
    await page.locator(".opblock-summary-path", { hasText: "/annotations/{id}/rerun" }).first().waitFor();
    await shot("23-api-reference");
    expect(external).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
  }, 60_000);
});
