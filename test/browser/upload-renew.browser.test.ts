/**
 * The upload form renews itself (issue 17 item 1): the signed policy lives UPLOAD_POLICY_SECONDS
 * (4 s here); a page left open longer still uploads, because upload-form-renew.js fetched a fresh
 * policy, either ahead of the deadline (its timer) or when the expired form is submitted (timers
 * held still with playwright's clock, so only the submit can renew). Without JavaScript the store
 * refuses the expired form with a page that offers "Open the upload page again", and that works.
 * Debian's chromium through playwright-core; `--role=all` on PGlite.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type GasProcess, startGas } from "../support/gas-process.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`upload renewal browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const DEMO_VCF = join(import.meta.dir, "..", "..", "data", "demo", "vcf", "test.vcf");
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const POLICY_SECONDS = 4;
/** Past the first form's expiry, with a second to spare. */
const OUTLIVE_MS = (POLICY_SECONDS + 1.5) * 1000;

describe.if(hasChromium)("the upload form renews itself", () => {
  let gas: GasProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const policyOf = (p: Page) => p.locator("#upload-form input[name=policy]").inputValue();

  async function submitAndExpectJob(p: Page) {
    await p.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
    await p.getByRole("button", { name: "Annotate" }).click();
    await p.waitForURL(/\/annotate\/job/);
    await expect(p.locator("h1").textContent()).resolves.toBe("Annotation Request Received");
  }

  beforeAll(async () => {
    gas = await startGas({ env: { UPLOAD_POLICY_SECONDS: String(POLICY_SECONDS) } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${gas.url}/login`);
    await page.getByLabel("Email").fill("katherine@example.org");
    await page.getByLabel("Name").fill("Katherine Johnson");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile/);
    await page.getByLabel("Institution/Department").fill("Flight Research");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (gas) await gas.stop();
    if (gas) await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("left open past its expiry, the form was renewed ahead of time and uploads", async () => {
    await page.goto(`${gas.url}/annotate`);
    const first = await policyOf(page);
    const shownExpiry = await page.locator("#form-expires-at").getAttribute("datetime");
    await page.waitForTimeout(OUTLIVE_MS);
    expect(Number(await page.locator("#upload-form").getAttribute("data-renewed"))).toBeGreaterThanOrEqual(1);
    expect(await policyOf(page)).not.toBe(first);
    expect(await page.locator("#form-expires-at").getAttribute("datetime")).not.toBe(shownExpiry);
    await submitAndExpectJob(page);
  }, 60_000);

  test("an expired form is renewed when it is submitted (timers held still)", async () => {
    const p = await context.newPage();
    try {
      await p.clock.install();
      await p.goto(`${gas.url}/annotate`);
      await p.locator("#upload-form[data-expires-in]").waitFor({ state: "attached" });
      // From here no page timer fires: the renewal timer cannot run, only the submit can renew.
      await p.clock.pauseAt(Date.now() + 100);
      const first = await policyOf(p);
      await p.waitForTimeout(OUTLIVE_MS);
      await p.clock.setSystemTime(Date.now()); // the page's clock catches up, still firing nothing
      expect(await policyOf(p)).toBe(first);
      expect(await p.locator("#upload-form").getAttribute("data-renewed")).toBeNull();
      await submitAndExpectJob(p);
    } finally {
      await p.close();
    }
  }, 60_000);

  test("without JavaScript an expired form is refused with a way back, which works", async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    try {
      const p = await plain.newPage();
      await p.goto(`${gas.url}/annotate`);
      await p.waitForTimeout(OUTLIVE_MS);
      await p.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
      await p.getByRole("button", { name: "Annotate" }).click();
      await p.locator("#upload-refused-message").waitFor();
      await expect(p.locator("h1").textContent()).resolves.toBe("This upload form has expired");
      await expect(p.locator("#upload-refused-message").textContent()).resolves.toContain("the policy expired");
      await p.getByRole("link", { name: "Open the upload page again" }).click();
      await p.waitForURL(/\/annotate$/);
      await submitAndExpectJob(p);
    } finally {
      await plain.close();
    }
  }, 60_000);
});
