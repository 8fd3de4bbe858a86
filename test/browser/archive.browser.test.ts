/**
 * The result lifecycle in a real browser (playwright-core + Debian's chromium), visible without a
 * reload (issue 17 item 2): a free user's job page says "available until … (free plan)", turns
 * ARCHIVED with "Upgrade to restore" while it is open, the list and the API say so too, a
 * share-link visitor is told the owner's results are archived (not offered Premium); after the
 * upgrade (subscribe page, the local simulated checkout) the open page shows the restore's steps
 * and then the downloads again. A marker set on the page's window proves it was never reloaded.
 * `--role=all` on PGlite with short delays.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type GasProcess, startGas } from "../support/gas-process.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`archive browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const ROOT = join(import.meta.dir, "..", "..");
const DEMO_VCF = join(ROOT, "data", "demo", "vcf", "test.vcf");
const SHOTS = join(ROOT, "test-artifacts", "screenshots");
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** Long enough to read the deadline before the archive; short enough for a test. */
const ARCHIVE_AFTER_SECONDS = 8;

describe.if(hasChromium)("result lifecycle in chromium, without reloads", () => {
  let gas: GasProcess;
  let browser: Browser;
  let owner: BrowserContext;
  let page: Page;
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  /** Set on the window once: still there later means the page was never reloaded or left. */
  const mark = () => page.evaluate(() => Object.assign(window, { __gasNoReload: true }));
  const stillMarked = () => page.evaluate(() => (window as unknown as { __gasNoReload?: boolean }).__gasNoReload === true);

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    gas = await startGas({ env: { ARCHIVE_AFTER_SECONDS: String(ARCHIVE_AFTER_SECONDS), RESTORE_DELAY_SECONDS: "5" } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    owner = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await owner.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (gas) expect(await gas.stop()).toBe(0);
    if (gas) await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("available until → ARCHIVED → upgrade → restoring → available, each seen on an open page", async () => {
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
    const jobId = jobUrl.split("/").pop()!;
    await mark();

    // 1. Finished (live, as before) and, on the free plan, the deadline.
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 90_000 });
    const deadline = page.locator("#result-deadline");
    await deadline.waitFor({ timeout: 10_000 });
    expect(await deadline.textContent()).toMatch(/available until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \(free plan\)/);
    const plainVcf = page.locator("#result-download li[data-download='vcf'] a");
    expect(await plainVcf.count()).toBe(1);
    await shot(page, "20-result-available-until");

    // A share link, made while the results are available (a form post: the one navigation here).
    await page.getByRole("button", { name: "Create share link" }).click();
    const shareUrl = await page.locator("#share-url").inputValue();
    await mark();

    // 2. The archiver moves the result while the page is open: ARCHIVED with the upgrade, no reload.
    await page.locator("#job-result-state", { hasText: "ARCHIVED" }).waitFor({ timeout: ARCHIVE_AFTER_SECONDS * 1000 + 30_000 });
    expect(await stillMarked()).toBe(true);
    expect(await page.locator("#result-archived").textContent()).toContain("Upgrade to restore");
    expect(await plainVcf.count()).toBe(0);
    expect(await page.locator("#job-live-region").textContent()).toBe("The results were archived.");
    await shot(page, "21-result-archived");

    // The list and the API say the same.
    const list = await owner.newPage();
    await list.goto(`${gas.url}/annotations`);
    expect(await list.locator("td.result-state").first().textContent()).toContain("ARCHIVED upgrade to restore");
    await shot(list, "21b-list-archived");
    const api = (await (await list.request.get(`${gas.url}/annotations/${jobId}`, { headers: { accept: "application/json" } })).json()) as {
      job_status: string;
      result_state: string;
      result_url: string | null;
    };
    expect(api).toMatchObject({ job_status: "COMPLETED", result_state: "archived", result_url: null });

    // A share-link visitor (no session) is told the owner's results are archived, not offered Premium.
    const visitor = await browser.newContext();
    const visit = await visitor.newPage();
    const res = await visit.goto(shareUrl);
    expect(res?.status()).toBe(409);
    const said = await visit.locator("main").textContent();
    expect(said).toContain("The owner's results are archived");
    expect(said).not.toContain("Upgrade to Premium");
    await shot(visit, "21c-shared-archived");
    await visitor.close();

    // 3. Upgrade: the subscribe page and the simulated checkout, in another tab.
    await list.goto(`${gas.url}/subscribe`);
    await list.getByRole("button", { name: "Subscribe (your credit card will not be billed)" }).click();
    await list.waitForURL(/\/checkout\/local\//);
    await list.getByRole("button", { name: "Pay (simulated)" }).click();
    await list.waitForURL(/\/subscribe\/confirm/);
    await list.locator("h1", { hasText: "Subscription Succeeded" }).waitFor({ timeout: 15_000 });

    // 4. The open job page (never reloaded) shows the restore under way, then the downloads.
    await page.locator("#restore-progress").waitFor({ timeout: 20_000 });
    expect(await stillMarked()).toBe(true);
    expect(Number(await page.locator("#restore-progress").getAttribute("value"))).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#restore-steps li[aria-current='step']").count()).toBe(1);
    await shot(page, "25-result-restoring");
    await plainVcf.waitFor({ timeout: 40_000 });
    expect(await stillMarked()).toBe(true);
    expect(await page.locator("#job-detail").getAttribute("data-result-state")).toBe("available");
    // Premium now: no deadline, and the page stops listening.
    expect(await page.locator("#result-deadline").count()).toBe(0);
    await shot(page, "26-result-restored");
    const [download] = await Promise.all([page.waitForEvent("download"), plainVcf.click()]);
    expect(await Bun.file((await download.path())!).text()).toContain("ANN=");
  }, 240_000);
});
