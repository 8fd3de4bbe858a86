/**
 * The result lifecycle in a real browser (playwright-core + Debian's chromium): a free user's job
 * page goes available → archived (with the upgrade offer) → restoring → available, the upgrade
 * going through the subscribe page and the local (simulated) checkout. `--role=all` on PGlite
 * with short delays. The restoring page refreshes itself, so the last step needs no reload.
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
if (!hasChromium) console.warn(`archive browser test skipped: no chromium at ${CHROMIUM}`);

const ROOT = join(import.meta.dir, "..", "..");
const DEMO_VCF = join(ROOT, "data", "demo", "vcf", "test.vcf");
const SHOTS = join(ROOT, "test-artifacts", "screenshots");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

describe.if(hasChromium)("result lifecycle in chromium", () => {
  let gas: GasProcess;
  let profileDir: string;
  let context: BrowserContext;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const state = () => page.locator("#result-download").getAttribute("data-result-state");

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    profileDir = await mkdtemp(join(tmpdir(), "gas-chromium-profile-"));
    gas = await startGas({ env: { ARCHIVE_AFTER_SECONDS: "4", RESTORE_DELAY_SECONDS: "3" } });
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    if (gas) expect(await gas.stop()).toBe(0);
    if (gas) await rm(gas.dataDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  }, 60_000);

  test("available → archived → (upgrade) → restoring → available", async () => {
    await page.goto(`${gas.url}/login`);
    await page.getByLabel("Email").fill("lin@example.org");
    await page.getByLabel("Name").fill("Lin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile/);
    await page.getByLabel("Institution/Department").fill("Archive Lab");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);

    await page.goto(`${gas.url}/annotate`);
    await page.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
    await page.getByRole("button", { name: "Annotate" }).click();
    await page.waitForURL(/\/annotate\/job/);
    await page.locator("main a[href^='/annotations/']").first().click();
    await page.waitForURL(/\/annotations\/[0-9a-f-]{36}$/);
    const jobUrl = page.url();
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 90_000 });
    // The plain-text VCF (decompressed as it downloads), listed by its file name beside the BGZF copy.
    const plainVcf = page.locator("#result-download li[data-download='vcf'] a");
    await expect(plainVcf.textContent()).resolves.toMatch(/\.annot\.vcf$/);
    await shot("20-result-available");

    // After ARCHIVE_AFTER the page (reloaded, as a user would) offers the upgrade instead.
    for (const deadline = Date.now() + 30_000; (await state()) !== "ARCHIVED"; await page.waitForTimeout(500)) {
      if (Date.now() > deadline) throw new Error("the result was never archived");
      await page.reload();
    }
    await expect(page.locator("#result-download").textContent()).resolves.toContain("Archived — upgrade to Premium to download");
    await shot("21-result-archived");

    await page.locator("#result-download a[href='/subscribe']").click();
    await page.waitForURL(/\/subscribe$/);
    await shot("22-subscribe");
    await page.getByRole("button", { name: "Subscribe (your credit card will not be billed)" }).click();
    await page.waitForURL(/\/checkout\/local\//);
    await shot("23-local-checkout");
    await page.getByRole("button", { name: "Pay (simulated)" }).click();
    await page.waitForURL(/\/subscribe\/confirm/);
    await page.locator("h1", { hasText: "Subscription Succeeded" }).waitFor({ timeout: 15_000 });
    await shot("24-subscription-succeeded");

    await page.goto(jobUrl);
    // The thaw request is picked up within moments; the restore itself takes RESTORE_DELAY.
    for (const deadline = Date.now() + 10_000; (await state()) === "ARCHIVED" && Date.now() < deadline; await page.reload())
      await page.waitForTimeout(200);
    await expect(state()).resolves.toBe("RESTORING");
    await expect(page.locator("#result-download").textContent()).resolves.toContain("being restored");
    await shot("25-result-restoring");
    // The restoring page refreshes itself every few seconds until the result is back.
    await plainVcf.waitFor({ timeout: 30_000 });
    await expect(state()).resolves.toBe("AVAILABLE");
    await shot("26-result-restored");
    const [download] = await Promise.all([page.waitForEvent("download"), plainVcf.click()]);
    expect(await Bun.file((await download.path())!).text()).toContain("ANN=");
  }, 180_000);
});
