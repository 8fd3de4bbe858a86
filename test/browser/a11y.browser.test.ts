/**
 * Accessibility of the main pages (issue 17 item 1, "axe-core finds no serious violations on the
 * main pages"): axe-core's own source is injected into each page in Debian's chromium
 * (playwright-core) and run there; any violation of impact "serious" or "critical" fails the
 * test, listed with its rule id, the elements it names and axe's help text. Less severe findings
 * are printed, not failed on.
 *
 * The pages: home, sign-in, the upload page, the jobs list, a completed job, the results (variants
 * and transcripts views), a variant, the profile, the API tokens, subscribe, a share-link page and
 * an error page. `--role=all` on PGlite; one user, one job of the demo VCF. No rule is disabled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type GasProcess, startGas } from "../support/gas-process.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`a11y browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const ROOT = join(import.meta.dir, "..", "..");
const DEMO_VCF = join(ROOT, "data", "demo", "vcf", "test.vcf");
const AXE_SOURCE = hasChromium ? await Bun.file(createRequire(import.meta.url).resolve("axe-core/axe.min.js")).text() : "";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

type AxeNode = { target: unknown[]; failureSummary?: string };
type AxeViolation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] };
const FAILING = new Set(["serious", "critical"]);

/** Runs axe-core on the page as it is now; its violations, each node's target joined. */
async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not as a <script> tag: the site's CSP (script-src
  // 'self') rightly refuses inline scripts, and the pages are checked under their real CSP.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  // WCAG 2.x A and AA plus axe's best practices: what "accessible markup" means in the issue.
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

function describeViolations(page: string, vs: AxeViolation[]): string {
  return vs
    .map(
      (v) =>
        `${page}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 8)
          .map((n) => `    ${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`)
          .join("\n") +
        (v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more` : ""),
    )
    .join("\n");
}

describe.if(hasChromium)("axe-core on the main pages", () => {
  let gas: GasProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let jobUrl = "";
  let shareUrl = "";
  const serious: string[] = [];

  /** Opens `path` (or keeps the page if null), runs axe, records serious/critical violations. */
  async function check(name: string, path: string | null, p: Page = page) {
    if (path !== null) await p.goto(path.startsWith("http") ? path : `${gas.url}${path}`);
    const vs = await axe(p);
    const bad = vs.filter((v) => FAILING.has(v.impact ?? ""));
    const minor = vs.filter((v) => !FAILING.has(v.impact ?? ""));
    if (minor.length) console.info(`a11y (not failing):\n${describeViolations(name, minor)}`);
    if (bad.length) serious.push(describeViolations(name, bad));
    return bad;
  }

  beforeAll(async () => {
    gas = await startGas({ role: "all" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (gas) await gas.stop();
    if (gas) await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("signed out: home, sign-in, an error page", async () => {
    serious.length = 0;
    await check("home", "/");
    await check("sign-in", "/login");
    await check("error page (404)", "/no-such-page");
    expect(serious.join("\n\n")).toBe("");
  }, 60_000);

  test("keyboard: the first Tab reaches a visible skip link; focused controls show a focus ring", async () => {
    await page.goto(`${gas.url}/`);
    await page.keyboard.press("Tab");
    const skip = page.locator(":focus");
    await expect(skip.textContent()).resolves.toBe("Skip to content");
    const box = await skip.boundingBox();
    expect(box && box.width > 0 && box.height > 0 && box.y >= 0).toBe(true);
    // The next stops: each shows an outline or a box-shadow while focused (not colour alone).
    const unringed: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      const seen = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const st = getComputedStyle(el);
        const ring = (st.outlineStyle !== "none" && st.outlineWidth !== "0px") || st.boxShadow !== "none";
        return { name: `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 40)}"`, ring };
      });
      if (seen && !seen.ring) unringed.push(seen.name);
    }
    expect(unringed).toEqual([]);
  }, 60_000);

  test("signed in: profile, upload, job, results, variant, list, tokens, subscribe, share link", async () => {
    serious.length = 0;
    await page.goto(`${gas.url}/login`);
    await page.getByLabel("Email").fill("grace@example.org");
    await page.getByLabel("Name").fill("Grace Hopper");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile/);
    await check("profile (welcome)", null);
    await page.getByLabel("Institution/Department").fill("Compilers");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);
    await check("jobs list (empty)", null);

    await check("upload page", "/annotate");
    // A form the store refuses (its policy tampered with): the page that offers a fresh form.
    await page.locator("#upload-form input[name=policy]").evaluate((el) => ((el as HTMLInputElement).value = "e30="));
    await page.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
    await page.getByRole("button", { name: "Annotate" }).click();
    await page.locator("#upload-refused-message").waitFor();
    await check("upload refused", null);
    await page.getByRole("link", { name: "Open the upload page again" }).click();
    await page.waitForURL(/\/annotate$/);
    await page.getByLabel("Select VCF Input File").setInputFiles(DEMO_VCF);
    await page.getByRole("button", { name: "Annotate" }).click();
    await page.waitForURL(/\/annotate\/job/);
    await check("upload confirmation", null);
    await page.locator("main a[href^='/annotations/']").first().click();
    await page.waitForURL(/\/annotations\/[0-9a-f-]{36}$/);
    jobUrl = page.url();
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 90_000 });
    await page.getByRole("link", { name: "browse and filter the variants" }).waitFor();
    await check("job page (completed)", null);

    await check("jobs list", "/annotations");
    await check("results (variants)", `${jobUrl}/results`);
    await check("results (transcripts)", `${jobUrl}/results?view=transcripts`);
    await page.goto(`${jobUrl}/results`);
    const variantHref = await page.locator("a.variant-expand").first().getAttribute("href");
    expect(variantHref).toBeTruthy();
    await check("variant page", variantHref!.replace(/#.*$/, ""));
    await check("log", `${jobUrl}/log`);
    await check("profile", "/profile");
    await check("API tokens", "/account/tokens");
    await check("subscribe", "/subscribe");

    await page.goto(jobUrl);
    await page.getByRole("button", { name: "Create share link" }).click();
    shareUrl = await page.locator("#share-url").inputValue();
    expect(shareUrl).toContain("/shared/");
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const v = await visitor.newPage();
      await check("share link (visitor)", shareUrl, v);
      await check("share link results (visitor)", `${shareUrl}/results`, v);
    } finally {
      await visitor.close();
    }
    await check("error page (signed in, 404)", "/annotations/00000000-0000-4000-8000-000000000000");
    expect(serious.join("\n\n")).toBe("");
  }, 180_000);
});
