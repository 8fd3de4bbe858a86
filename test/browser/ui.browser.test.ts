/**
 * The UI in a real browser: playwright-core drives Debian's chromium (/usr/bin/chromium; CI
 * installs the `chromium` package). A new user signs in (dev sign-in), fills in the profile,
 * uploads the demo VCF, watches the job finish on the job page without reloading (the annotator
 * is started only once the page is open, so the live update is really exercised), browses and
 * filters the results, downloads the annotated VCF and reads the log; an oversized upload as a
 * free user is refused with the upgrade offer. A screenshot of each main page is saved under
 * test-artifacts/screenshots/ (git-ignored).
 *
 * Roles run as separate processes on a throwaway PostgreSQL when its binaries are installed (so
 * the annotator can start later); otherwise `--role=all` on PGlite, where a small job may finish
 * before the page opens.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { createTestDatabase } from "../../src/db/test-database.ts";
import { type GasProcess, startGas } from "../support/gas-process.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "../support/throwaway-postgres.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

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

describe.if(hasChromium)("UI in chromium", () => {
  let pg: ThrowawayPostgres | null = null;
  let db: { url: string; drop(): Promise<void> } | null = null;
  let dataDir: string;
  let profileDir: string;
  let web: GasProcess;
  let annotator: GasProcess | null = null;
  let context: BrowserContext;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), "gas-browser-"));
    profileDir = await mkdtemp(join(tmpdir(), "gas-chromium-profile-"));
    if (findPostgresBinaries()) {
      pg = await startThrowawayPostgres();
      db = await createTestDatabase(pg!.url);
      web = await startGas({ role: "web", dataDir, env: { DATABASE_URL: db.url } });
    } else {
      console.warn("browser test: no PostgreSQL binaries, running --role=all on PGlite");
      web = await startGas({ role: "all", dataDir });
    }
    // A fresh profile folder per run (launchPersistentContext passes it as --user-data-dir).
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
    for (const p of [annotator, web]) if (p && p.proc.exitCode === null) await p.stop();
    await db?.drop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  }, 60_000);

  test("home, sign in, complete the profile", async () => {
    await page.goto(`${web.url}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Genomics Annotation Service");
    await expect(page.getByText("Upload a VCF and get every variant annotated").isVisible()).resolves.toBe(true);
    await shot("01-home");
    await page.getByRole("link", { name: "Sign in to start (free)" }).click();
    await page.getByLabel("Email").fill("ada@example.org");
    await page.getByLabel("Name").fill("Ada Lovelace");
    await shot("02-dev-sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile\?welcome=1/);
    await expect(page.getByText("Please complete your profile").isVisible()).resolves.toBe(true);
    await page.getByLabel("Institution/Department").fill("Analytical Engines");
    await shot("03-profile");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);
    await expect(page.getByText("No annotations found.").isVisible()).resolves.toBe(true);
  }, 60_000);

  test("upload the demo VCF and watch the job finish without reloading", async () => {
    await page.getByRole("link", { name: "Annotate", exact: true }).click();
    await expect(page.locator("#limit-note").textContent()).resolves.toContain("150 KB");
    await page.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
    await shot("04-annotate");
    await page.getByRole("button", { name: "Annotate" }).click();
    await page.waitForURL(/\/annotate\/job/);
    await expect(page.locator("h1").textContent()).resolves.toBe("Annotation Request Received");
    await shot("05-confirm");
    await page.locator("main a[href^='/annotations/']").first().click();
    await page.waitForURL(/\/annotations\/[0-9a-f-]{36}$/);
    // Marks this page: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { gasMarker: number }).gasMarker = 42));
    if (pg) {
      await expect(page.locator("#job-status").textContent()).resolves.toBe("PENDING");
      await shot("06-job-pending");
      annotator = await startGas({ role: "annotator", dataDir, env: { DATABASE_URL: db!.url } });
    }
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 90_000 });
    await page.getByRole("link", { name: "browse and filter the variants" }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { gasMarker?: number }).gasMarker)).toBe(42);
    // Every download, swapped in live: the BGZF VCF, its index, the plain VCF.
    // The download links only: a free user's result also carries its archive deadline and the Premium link.
    await expect(page.locator("#result-download a[download]").allTextContents()).resolves.toEqual([
      "test.annot.vcf.gz",
      "test.annot.vcf.gz.tbi",
      "test.annot.vcf",
    ]);
    await shot("07-job-completed");
  }, 120_000);

  test("browse the results, filter by consequence, download the result, view the log", async () => {
    await page.getByRole("link", { name: "browse and filter the variants" }).click();
    await page.waitForURL(/\/results$/);
    const total = Number((await page.locator("#result-count").textContent())!.replace(/[^0-9].*$/, "").replace(/,/g, ""));
    expect(total).toBeGreaterThan(0);
    await shot("08-results");
    const options = await page
      .locator("#f-consequence option")
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
    const term = options.includes("missense_variant") ? "missense_variant" : options[0]!;
    await page.getByLabel("Most severe consequence", { exact: true }).selectOption(term);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(new RegExp(`consequence=${term}`));
    await expect(page.locator("#result-count").textContent()).resolves.toMatch(/of [\d,]+ variants match/);
    const cells = await page.locator("#results-table tbody tr td:nth-child(5)").allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell.split(", ")).toContain(term);
    await shot("09-results-filtered");

    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a[href$='/result']").first().click()]);
    expect(download.suggestedFilename()).toBe("test.annot.vcf.gz"); // BGZF, as stored
    const vcf = gunzipSync(await Bun.file((await download.path())!).bytes()).toString();
    expect(vcf.startsWith("##fileformat=VCF")).toBe(true);
    expect(vcf).toContain("ANN=");

    await page.getByRole("link", { name: "view the log" }).click();
    await page.waitForURL(/\/log$/);
    await expect(page.locator("#log").textContent()).resolves.toContain("test.vcf");
    await shot("10-log");
  }, 60_000);

  test("jobs list, profile, API tokens, subscribe and a 404 page render", async () => {
    await page.goto(`${web.url}/annotations`);
    await expect(page.locator("tbody tr").count()).resolves.toBe(1);
    await expect(page.locator("tbody .badge").textContent()).resolves.toBe("COMPLETED");
    await shot("11-jobs");
    await page.goto(`${web.url}/account/tokens`);
    await page.getByLabel("Token name").fill("laptop");
    await page.getByRole("button", { name: "Create token" }).click();
    // Once seen failing in CI (no #new-token within 30 s): say what page the browser was on instead.
    const token = await page
      .locator("#new-token")
      .inputValue({ timeout: 20_000 })
      .catch(async (err: unknown) => {
        await shot("12-tokens-failed");
        throw new Error(`no #new-token after "Create token": on ${page.url()}: ${(await page.locator("body").innerText()).slice(0, 600)}`, {
          cause: err,
        });
      });
    expect(token).toMatch(/^gas_/);
    await shot("12-tokens");
    await page.goto(`${web.url}/subscribe`);
    await shot("13-subscribe");
    await page.goto(`${web.url}/no-such-page`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Page not found");
    await shot("14-not-found");
  }, 60_000);

  test("an oversized upload as a free user is refused with the upgrade offer", async () => {
    const big = join(dataDir, "too-big.vcf");
    const demo = await Bun.file(DEMO_VCF).text();
    await Bun.write(
      big,
      demo +
        demo
          .split("\n")
          .filter((l) => l && !l.startsWith("#"))
          .join("\n")
          .repeat(30),
    );
    expect(Bun.file(big).size).toBeGreaterThan(153_600);
    await page.goto(`${web.url}/annotate`);
    await page.getByLabel("Select VCF Input File").setInputFiles(big);
    // In the page: refused before sending, with the upgrade link.
    await page.locator("#too-large").waitFor({ state: "visible" });
    await expect(page.getByRole("button", { name: "Annotate" }).isDisabled()).resolves.toBe(true);
    await expect(page.locator("#too-large a[href='/subscribe']").isVisible()).resolves.toBe(true);
    await shot("15-too-large-in-page");
    // Sent anyway (as a browser without JavaScript would): the server refuses it on the upgrade page.
    await page.evaluate(() => (document.getElementById("upload-form") as HTMLFormElement).submit());
    await page.locator("#too-large-message").waitFor();
    await expect(page.locator("h1").textContent()).resolves.toBe("This file is too large for a free account");
    await expect(page.getByRole("link", { name: "Upgrade to Premium" }).isVisible()).resolves.toBe(true);
    await shot("16-too-large-page");
  }, 60_000);
});
