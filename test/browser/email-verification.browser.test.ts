/**
 * Address verification in a real browser (issue 13 item 10), as ui.browser.test.ts drives the
 * UI (playwright-core, Debian's chromium): a signed-in user changes the email address on the
 * profile, sees the banner on every page, opens the link from the email (the outbox folder's .eml,
 * read by mailparser as a mail client would), confirms, and the banner is gone. The web role
 * alone on PGlite: the link is mailed by the web role itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { type GasProcess, startGas } from "../support/gas-process.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

describe.if(hasChromium)("address verification in chromium", () => {
  let dataDir: string;
  let profileDir: string;
  let web: GasProcess;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gas-browser-verify-"));
    profileDir = await mkdtemp(join(tmpdir(), "gas-chromium-profile-"));
    web = await startGas({ role: "web", dataDir });
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (web && web.proc.exitCode === null) await web.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  }, 60_000);

  /** The verification link mailed to `address`, once the outbox has it. */
  async function linkMailedTo(address: string): Promise<string> {
    const outbox = join(dataDir, "outbox");
    for (let i = 0; i < 50; i++) {
      for (const f of ((await readdir(outbox).catch(() => [])) as string[]).filter((n) => n.endsWith(".eml"))) {
        const mail = await simpleParser(await Bun.file(join(outbox, f)).text());
        const to = mail.to && !Array.isArray(mail.to) ? mail.to.text : "";
        const link = /https?:\/\/\S+\/profile\/verify-email\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? "")?.[0];
        if (to === address && link) return link;
      }
      await Bun.sleep(100);
    }
    throw new Error(`no verification link mailed to ${address}`);
  }

  test("change the address, see the banner, confirm from the email's link, banner gone", async () => {
    await page.goto(`${web.url}/login`);
    await page.getByLabel("Email").fill("ada@example.org");
    await page.getByLabel("Name").fill("Ada Lovelace");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile\?welcome=1/);
    await page.getByLabel("Institution/Department").fill("Analytical Engines");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);
    // The dev sign-in vouched for ada@: no banner.
    expect(await page.locator("#verify-email-banner").count()).toBe(0);

    await page.goto(`${web.url}/profile`);
    await page.getByLabel("Email").fill("ada.new@example.org");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/profile\?updated=1&verification=sent/);
    await expect(page.getByText("We sent a link to ada.new@example.org").isVisible()).resolves.toBe(true);
    await page.goto(`${web.url}/annotations`);
    await expect(page.locator("#verify-email-banner").textContent()).resolves.toContain("Verify your address to get emails");

    await page.goto(await linkMailedTo("ada.new@example.org"));
    await expect(page.getByText("Send this account's job notifications to").isVisible()).resolves.toBe(true);
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/profile\?verified=1/);
    await expect(page.getByText("Your email address is verified").isVisible()).resolves.toBe(true);
    expect(await page.locator("#verify-email-banner").count()).toBe(0);
    await expect(page.locator("#email-status").textContent()).resolves.toContain("Verified");
  }, 60_000);
});
