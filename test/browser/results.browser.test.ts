/**
 * The results browser in a real browser: playwright-core drives Debian's chromium against GAS
 * (`--role=all` on PGlite). A user uploads the results fixture (the demo VCF with FILTER values, a
 * second sample whose genotypes cycle het / hom-alt / hom-ref / missing, and two records the
 * engine skips) and browses it: the per-variant view and its inline expander, every filter kind
 * (each checked against what the rows show, or against counts the fixture fixes), sorting and
 * paging, JavaScript filtering that does not reload the page, the same form without JavaScript,
 * the export of a filtered set (TSV, VCF and Excel, downloaded and counted), and the skipped
 * records with their lines.
 * Screenshots go to test-artifacts/screenshots/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type GasProcess, startGas } from "../support/gas-process.ts";
import { SECOND_SAMPLE, filterOf, resultsFixtureVcf, secondSampleGt } from "../support/results-fixture.ts";

const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`results browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const ROOT = join(import.meta.dir, "..", "..");
const SHOTS = join(ROOT, "test-artifacts", "screenshots");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** "12 of 132 variants match" → {matched: 12, total: 132}; "132 variants" → {132, 132}. */
function parseCount(text: string): { matched: number; total: number } {
  const num = (s: string) => Number(s.replaceAll(",", ""));
  const of = /([\d,]+) of ([\d,]+) variants/.exec(text);
  if (of) return { matched: num(of[1]!), total: num(of[2]!) };
  const all = /([\d,]+) variants/.exec(text);
  if (!all) throw new Error(`no count in "${text}"`);
  return { matched: num(all[1]!), total: num(all[1]!) };
}

describe.if(hasChromium)("results browser in chromium", () => {
  let gas: GasProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let workDir: string;
  let resultsUrl: string;
  let total: number;
  const fixture = resultsFixtureVcf();
  const dataRecords = fixture.records - 2; // the two skipped ones are not variants
  // The viewport only: a full-page shot of the long results page took seconds on a loaded machine
  // (docs/ has the full pages, from results-screenshots.ts).
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  const count = async (p: Page = page) => parseCount((await p.locator("#result-count strong").textContent()) ?? "");
  /** Cells of column `n` (1-based, counting the row header) of the variant table. */
  const column = (n: number, p: Page = page) => p.locator(`#results-table > tbody > tr > :nth-child(${n})`).allTextContents();

  /**
   * Waits until results-browser.js has swapped in a new #results-browser: `act` runs after the
   * current one is marked, so an answer for the old state cannot be mistaken for the new one.
   */
  async function swapped(act: () => Promise<unknown>) {
    await page.evaluate(() => document.getElementById("results-browser")!.setAttribute("data-stale", ""));
    await act();
    await page.locator("#results-browser:not([data-stale])[aria-busy=false]").waitFor();
  }

  /** Clears the form in place (one request per filter instead of a Reset first), defaults kept. */
  const clearForm = () =>
    page.evaluate(() => {
      const form = document.getElementById("results-filters") as HTMLFormElement;
      for (const el of Array.from(form.elements)) {
        if (el instanceof HTMLInputElement) {
          if (el.type === "checkbox") el.checked = false;
          else if (el.type === "hidden") el.remove();
          else el.value = "";
        } else if (el instanceof HTMLSelectElement) {
          if (el.multiple) for (const o of Array.from(el.options)) o.selected = false;
          else if (el.name === "limit") el.value = "50";
          else el.selectedIndex = 0;
        }
      }
    });

  /** Clears the filters, lets `fill` set the form, submits it, and waits for the new table (no reload). */
  async function filterWith(fill: () => Promise<void>, expectInUrl: RegExp) {
    if (!page.url().startsWith(resultsUrl)) await page.goto(resultsUrl);
    else await clearForm();
    await fill();
    await swapped(() => page.locator("#results-filters button[type=submit]").click());
    expect(page.url()).toMatch(expectInUrl);
    return count();
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    workDir = await mkdtemp(join(tmpdir(), "gas-results-browser-"));
    const input = join(workDir, "panel.vcf");
    await writeFile(input, fixture.text);
    gas = await startGas({ role: "all" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    await page.goto(`${gas.url}/login`);
    await page.getByLabel("Email", { exact: true }).fill("rosalind@example.org");
    await page.getByLabel("Name", { exact: true }).fill("Rosalind");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/profile/);
    await page.getByLabel("Institution/Department", { exact: true }).fill("Crystallography");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/annotations$/);
    await page.goto(`${gas.url}/annotate`);
    await page.getByLabel("Select VCF Input File", { exact: true }).setInputFiles(input);
    await page.getByRole("button", { name: "Annotate" }).click();
    await page.waitForURL(/\/annotate\/job/);
    await page.locator("main a[href^='/annotations/']").first().click();
    await page.waitForURL(/\/annotations\/[0-9a-f-]{36}$/);
    await page.locator("#job-status", { hasText: "COMPLETED" }).waitFor({ timeout: 60_000 });
    resultsUrl = `${page.url()}/results`;
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (gas) await gas.stop();
    if (gas) await rm(gas.dataDir, { recursive: true, force: true });
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  test("the job page's charts link to the filtered results", async () => {
    const bar = page.locator("#job-chart-impact a").first();
    await expect(bar.getAttribute("href")).resolves.toMatch(/\/results\?impact=/);
    await bar.click();
    await page.waitForURL(/\/results\?impact=/);
    expect((await count()).matched).toBeGreaterThan(0);
  }, 30_000);

  test("one row per variant; a row expands inline to every effect, and collapses", async () => {
    await page.goto(resultsUrl);
    ({ total } = await count());
    expect(total).toBe(dataRecords);
    expect(await page.locator("#results-table > tbody > tr").count()).toBe(50);
    expect(await page.locator("#record-issues-table").isVisible()).toBe(true);
    await shot("30-results");
    const first = page.locator("#results-table > tbody > tr").first();
    const expander = first.locator("a.variant-expand");
    const effects = Number(/^(\d+)/.exec((await expander.textContent())!)![1]);
    const url = page.url();
    await expander.focus();
    await page.keyboard.press("Enter");
    const controls = (await expander.getAttribute("aria-controls"))!;
    const inserted = page.locator(`#${controls}`);
    await inserted.waitFor();
    expect(page.url()).toBe(url); // inline: no navigation
    await expect(expander.getAttribute("aria-expanded")).resolves.toBe("true");
    expect(await inserted.locator("tbody tr").count()).toBe(effects);
    await shot("31-results-expanded");
    await expander.click();
    await inserted.waitFor({ state: "detached" });
    await expect(expander.getAttribute("aria-expanded")).resolves.toBe("false");
  }, 30_000);

  test("HGVS wraps only at its separators", async () => {
    await page.goto(resultsUrl);
    const html = await page.locator("#results-table td.hgvs-cell .hgvs").first().innerHTML();
    expect(html).toMatch(/[.:]<wbr>/);
    const style = await page
      .locator("#results-table td.hgvs-cell .hgvs")
      .first()
      .evaluate((el) => [getComputedStyle(el).wordBreak, getComputedStyle(el).overflowWrap]);
    expect(style).toEqual(["keep-all", "normal"]);
  });

  test("filter: impact (several) and consequence (several)", async () => {
    const impacts = await filterWith(async () => {
      await page.getByLabel("HIGH", { exact: true }).check();
      await page.getByLabel("LOW", { exact: true }).check();
    }, /impact=HIGH%2CLOW|impact=HIGH&impact=LOW/);
    expect(impacts.matched).toBeGreaterThan(0);
    expect(impacts.matched).toBeLessThan(total);
    for (const cell of await column(6)) expect(["HIGH", "LOW"]).toContain(cell.trim());
    const options = await page.locator("#f-consequence option").evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    const chosen = options.slice(0, 2);
    const terms = await filterWith(
      () =>
        page
          .locator("#f-consequence")
          .selectOption(chosen)
          .then(() => {}),
      /consequence=/,
    );
    expect(terms.matched).toBeGreaterThan(0);
    for (const cell of await column(5)) expect(chosen).toContain(cell.split(",")[0]!.trim());
  }, 30_000);

  test("filter: genes (list and prefix), biotype, free text", async () => {
    const genes = await filterWith(() => page.getByLabel("Genes", { exact: true }).fill("APP, JAM2"), /gene=/);
    expect(genes.matched).toBeGreaterThan(0);
    expect(genes.matched).toBeLessThan(total);
    // A gene filter finds every variant touching the gene, also where another gene's effect is the most severe.
    const prefix = await filterWith(() => page.getByLabel("Genes", { exact: true }).fill("JAM*"), /gene=JAM/);
    expect(prefix.matched).toBeGreaterThan(0);
    expect(prefix.matched).toBeLessThan(total);
    expect((await column(4)).some((cell) => cell.startsWith("JAM2"))).toBe(true);
    const biotypes = await page.locator("#f-biotype option").evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    const biotype = biotypes.at(-1)!;
    await filterWith(
      () =>
        page
          .locator("#f-biotype")
          .selectOption(biotype)
          .then(() => {}),
      /biotype=/,
    );
    for (const cell of await column(7)) expect(cell.trim()).toBe(biotype);
    const text = await filterWith(() => page.getByLabel("Search", { exact: true }).fill("rs1135618"), /q=rs1135618/);
    expect(text.matched).toBe(1);
    await expect(page.locator("#results-table td.ids").first().textContent()).resolves.toBe("rs1135618");
  }, 30_000);

  test("filter: region, known/novel, FILTER=PASS", async () => {
    await filterWith(() => page.getByLabel("Region", { exact: true }).fill("21:25,600,000-25,700,000"), /region=/);
    for (const cell of await page.locator("#results-table th .pos").allTextContents()) {
      const pos = Number(cell.split(":")[1]!.replaceAll(",", ""));
      expect(pos).toBeGreaterThanOrEqual(25_600_000);
      expect(pos).toBeLessThanOrEqual(25_700_000);
    }
    const novel = await filterWith(
      () =>
        page
          .getByLabel("Known / novel", { exact: true })
          .selectOption("novel")
          .then(() => {}),
      /known=novel/,
    );
    const known = await filterWith(
      () =>
        page
          .getByLabel("Known / novel", { exact: true })
          .selectOption("known")
          .then(() => {}),
      /known=known/,
    );
    expect(novel.matched + known.matched).toBe(total);
    const lowQual = Array.from({ length: dataRecords }, (_, i) => filterOf(i)).filter((f) => f !== "PASS").length;
    const pass = await filterWith(() => page.getByLabel("FILTER = PASS only", { exact: true }).check(), /pass=1/);
    expect(pass.matched).toBe(total - lowQual);
    for (const cell of await column(12)) expect(cell.trim()).toBe("PASS");
  }, 30_000);

  test("filter: allele frequency, global and per population; ClinVar", async () => {
    const af = await filterWith(async () => {
      await page.getByLabel("from", { exact: true }).fill("0.01");
      await page.getByLabel("to", { exact: true }).fill("0.5");
    }, /af_min=0.01/);
    expect(af.matched).toBeGreaterThan(0);
    for (const cell of await column(10)) {
      const v = Number(cell.trim().split(/\s/)[0]);
      expect(v >= 0.01 && v <= 0.5).toBe(true);
    }
    const populations = await page.locator("#f-af-field option").evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(populations).toContain("EUR_AF");
    const eur = await filterWith(async () => {
      await page.getByLabel("in", { exact: true }).selectOption("EUR_AF");
      await page.getByLabel("from", { exact: true }).fill("0.1");
    }, /af_field=EUR_AF/);
    expect(eur.matched).toBeGreaterThan(0);
    const eurCells = await page.locator("#results-table td.num div").allTextContents();
    for (const cell of eurCells) expect(Number(cell.replace("EUR_AF ", ""))).toBeGreaterThanOrEqual(0.1);
    // A ClinVar class the job has (the list shows counts from the summary).
    const clin = await page
      .locator("#f-clin-sig option")
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value + "|" + e.textContent));
    const present = clin.find((o) => /\(\d/.test(o) && !o.startsWith("other"))?.split("|")[0];
    if (present) {
      const cv = await filterWith(
        () =>
          page
            .locator("#f-clin-sig")
            .selectOption(present)
            .then(() => {}),
        /clin_sig=/,
      );
      expect(cv.matched).toBeGreaterThan(0);
      for (const cell of await column(11)) expect(cell.trim()).not.toBe("–");
    } else console.warn("results browser test: the demo's known variants carry no ClinVar class; ClinVar filter not exercised");
  }, 30_000);

  test("filter: sample genotype (het, hom-alt, any non-ref) and canonical", async () => {
    const expected = (pred: (gt: string) => boolean) =>
      Array.from({ length: dataRecords }, (_, i) => secondSampleGt(i)).filter(pred).length;
    const het = await filterWith(async () => {
      await page.getByLabel("sample", { exact: true }).selectOption(SECOND_SAMPLE);
      await page.getByLabel("has", { exact: true }).selectOption("het");
    }, /sample=NA12878/);
    expect(het.matched).toBe(expected((g) => g === "0/1"));
    const hom = await filterWith(async () => {
      await page.getByLabel("sample", { exact: true }).selectOption(SECOND_SAMPLE);
      await page.getByLabel("has", { exact: true }).selectOption("hom_alt");
    }, /gt=hom_alt/);
    expect(hom.matched).toBe(expected((g) => g === "1/1"));
    const any = await filterWith(async () => {
      await page.getByLabel("sample", { exact: true }).selectOption(SECOND_SAMPLE);
      await page.getByLabel("has", { exact: true }).selectOption("non_ref");
    }, /gt=non_ref/);
    expect(any.matched).toBe(expected((g) => g === "0/1" || g === "1/1"));
    if (await page.locator("#f-canonical").count()) {
      const canonical = await filterWith(() => page.locator("#f-canonical").check(), /canonical=1/);
      expect(canonical.matched).toBeGreaterThan(0);
    } else console.warn("results browser test: the demo gene models tag no canonical transcripts; the canonical box is (rightly) absent");
  }, 30_000);

  test("bad input shows the page with a message naming the field", async () => {
    await filterWith(() => page.getByLabel("Region", { exact: true }).fill("chr21:9-1"), /region=/);
    await expect(page.locator("#results-error").textContent()).resolves.toMatch(/region/);
    await expect(page.locator("#f-region").inputValue()).resolves.toBe("chr21:9-1");
  }, 30_000);

  test("filtering, sorting and paging with JavaScript do not reload the page", async () => {
    await page.goto(resultsUrl);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    await page.getByLabel("MODERATE", { exact: true }).check();
    await swapped(() => page.locator("#results-filters button[type=submit]").click());
    expect(page.url()).toContain("impact=MODERATE");
    const moderate = await count();
    expect(moderate.matched).toBeLessThan(total);
    await swapped(() => page.locator("#results-table thead a", { hasText: "Gene" }).click());
    expect(page.url()).toContain("sort=gene");
    // The clicked header is gone with the old table: focus lands on the count of what is shown.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("result-count");
    await expect(page.locator("#results-table th[aria-sort=ascending]").textContent()).resolves.toContain("Gene");
    const firstPage = await column(1);
    await swapped(() => page.locator(".results-pager a[rel=next]").click());
    expect(page.url()).toContain("after=");
    expect(await column(1)).not.toEqual(firstPage);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    expect((await count()).matched).toBe(moderate.matched);
    await shot("32-results-js-filtered");
  }, 30_000);

  test("without JavaScript the form is a plain GET and the expander a link", async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 1000 } });
    try {
      await plain.addCookies(await context.cookies());
      const p = await plain.newPage();
      await p.goto(resultsUrl);
      await p.getByLabel("HIGH", { exact: true }).check();
      await p.getByLabel("MODERATE", { exact: true }).check();
      await Promise.all([p.waitForURL(/impact=HIGH&impact=MODERATE/), p.locator("#results-filters button[type=submit]").click()]);
      const c = await count(p);
      expect(c.matched).toBeGreaterThan(0);
      for (const cell of await column(6, p)) expect(["HIGH", "MODERATE"]).toContain(cell.trim());
      await Promise.all([p.waitForURL(/\/results\/variants\/\d+\?impact=/), p.locator("a.variant-expand").first().click()]);
      await expect(p.locator("h1").textContent()).resolves.toMatch(/^Variant /);
      // Back to the same filtered results.
      await Promise.all([p.waitForURL(/\/results\?impact=HIGH/), p.getByRole("link", { name: "← back to the results" }).click()]);
      expect((await count(p)).matched).toBe(c.matched);
    } finally {
      await plain.close();
    }
  }, 30_000);

  test("exports download exactly the filtered set", async () => {
    const c = await filterWith(async () => {
      await page.getByLabel("FILTER = PASS only", { exact: true }).check();
      await page.getByLabel("MODERATE", { exact: true }).check();
    }, /pass=1/);
    expect(c.matched).toBeGreaterThan(0);
    const [tsv] = await Promise.all([page.waitForEvent("download"), page.locator("#results-exports a", { hasText: "TSV" }).click()]);
    const lines = (await Bun.file((await tsv.path())!).text()).trimEnd().split("\n");
    if (lines.length - 1 !== c.matched) console.warn(tsv.url(), lines.slice(0, 3));
    expect(lines.length - 1).toBe(c.matched); // a header line, then one line per variant
    const [vcf] = await Promise.all([page.waitForEvent("download"), page.locator("#results-exports a", { hasText: "VCF" }).click()]);
    const vcfText = await Bun.file((await vcf.path())!).text();
    expect(vcfText.startsWith("##fileformat=VCF")).toBe(true);
    const records = vcfText.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(records.length).toBe(c.matched); // the fixture has one ALT per record
    for (const r of records) expect(r.split("\t")[6]).toBe("PASS");
    const [xlsx] = await Promise.all([page.waitForEvent("download"), page.locator("#results-exports a", { hasText: "Excel" }).click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await xlsx.path())!);
    expect(book.worksheets[0]!.actualRowCount - 1).toBe(c.matched); // a header row, then one per variant
  }, 30_000);

  test("the skipped records are listed with their input lines", async () => {
    await page.goto(resultsUrl);
    const lines = await page.locator("#record-issues-table tbody th").allTextContents();
    for (const l of fixture.skippedLines) expect(lines).toContain(String(l));
    await expect(page.locator("#record-issues-table").textContent()).resolves.toContain("<DEL>");
  });
});
