/**
 * The results page's routes through app.request() on the real container, over a real results
 * store: the engine annotates the results fixture (the demo VCF with FILTER values, a second
 * sample and two skipped records) and the store is put where the annotator leaves it. Checks
 * what the server renders: one row per variant, filters, sorting and keyset paging, counts,
 * export links carrying the filter, the variant page and its fragment, the skipped records, and
 * refused input as the page with a message (400), not a 500.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { resultsFixtureVcf } from "../../../test/support/results-fixture.ts";
import { type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import { type AnnotateSummary, DEFAULT_BUNDLE_DIR, annotateFile, openReference } from "../annotator/index.ts";
import { ResultsStore } from "../results/results-store.ts";
import { resultKeys } from "./job-keys.ts";

/** The positions (chrom:pos) of the variant table's rows, in order. */
const positionsOf = (html: string) =>
  [...html.matchAll(/<tr id="v\d+" data-vid="\d+"><th scope="row" class="fw-normal"><span class="pos">([^<]+)<\/span>/g)].map((m) => m[1]!);
const countLine = (html: string) => /<p role="status" id="result-count"[^>]*><strong>([^<]+)<\/strong>/.exec(html)?.[1];

describe("results page", () => {
  let h: WebHarness;
  let ada: WebClient;
  let jobId: string;
  let base: string;
  let summary: AnnotateSummary;
  let storePath: string;
  let skippedLines: number[];

  beforeAll(async () => {
    const dir = tempDir("gas-results-page-");
    const fixture = resultsFixtureVcf();
    skippedLines = fixture.skippedLines;
    writeFileSync(join(dir, "in.vcf"), fixture.text);
    storePath = join(dir, "out.sqlite");
    const reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
    try {
      summary = await annotateFile({ input: join(dir, "in.vcf"), reference, outputs: { store: storePath } });
    } finally {
      await reference.close();
    }
    h = await startWebHarness();
    ada = h.client();
    const adaId = await ada.signIn("ada@example.org", "Ada");
    jobId = await h.completedJob(adaId, { summary: { ...summary, warnings: summary.warnings, warningsTotal: summary.warningsTotal } });
    await h.container.ports.results.put(resultKeys(adaId, jobId, "test.vcf").store, readFileSync(storePath));
    base = `/annotations/${jobId}/results`;
  }, 120_000);
  afterAll(() => h?.close());

  const get = async (q = "", headers: Record<string, string> = {}) => {
    const res = await ada.request(`${base}${q ? `?${q}` : ""}`, { headers });
    return { status: res.status, html: await res.text() };
  };

  test("one row per variant, most severe effect, total count, charts from the summary", async () => {
    const { status, html } = await get();
    expect(status).toBe(200);
    expect(countLine(html)).toBe(`${summary.alleles} variants`);
    expect(positionsOf(html)).toHaveLength(50);
    expect(html).toContain("Variants by most severe consequence");
    expect(html).toContain("variant × transcript rows");
    expect(html).toContain("log scale");
    // Bars are links that filter.
    expect(html).toMatch(/<a href="\/annotations\/[^"]+\/results\?consequence=missense_variant"[^>]*class="chart-link"/);
    expect(html).toContain('aria-sort="ascending"');
    expect(html).toContain('<th scope="col"');
    expect(html).toContain('id="impact-legend"');
    // HGVS wraps only at its separators.
    expect(html).toMatch(/<span class="hgvs">[^<]*c\.<wbr\/?>/);
  });

  test("filters combine and the count says how many of how many match", async () => {
    const store = ResultsStore.open(storePath);
    try {
      const expect_ = (f: Parameters<ResultsStore["count"]>[0]) => store.count(f);
      const moderate = await get("impact=MODERATE,HIGH");
      expect(countLine(moderate.html)).toBe(`${expect_({ impacts: ["MODERATE", "HIGH"] })} of ${summary.alleles} variants match`);
      const region = await get("region=21:25,600,000-25,700,000&known=known");
      const n = expect_({ region: "21:25600000-25700000", known: true });
      expect(n).toBeGreaterThan(0);
      expect(countLine(region.html)).toBe(`${n} of ${summary.alleles} variants match`);
      for (const p of positionsOf(region.html)) {
        const pos = Number(p.split(":")[1]!.replaceAll(",", ""));
        expect(pos >= 25_600_000 && pos <= 25_700_000).toBe(true);
      }
      const gene = await get("gene=APP");
      expect(countLine(gene.html)).toBe(`${expect_({ genes: ["APP"] })} of ${summary.alleles} variants match`);
    } finally {
      store.close();
    }
  });

  test("sorting on a column both ways, and keyset paging first/next/prev/last", async () => {
    const first = await get("limit=25");
    const next = /<a class="page-link" href="([^"]+)" rel="next"/.exec(first.html)![1]!.replaceAll("&amp;", "&");
    expect(next).toContain("after=");
    const second = await ada.request(next);
    const secondHtml = await second.text();
    expect(positionsOf(secondHtml)).toHaveLength(25);
    expect(positionsOf(secondHtml)[0]).not.toBe(positionsOf(first.html)[0]);
    const prev = /<a class="page-link" href="([^"]+)" rel="prev"/.exec(secondHtml)![1]!.replaceAll("&amp;", "&");
    expect(positionsOf(await (await ada.request(prev)).text())).toEqual(positionsOf(first.html));
    const last = await get("limit=25&last=1");
    // A keyset's last page is the last `limit` rows, ending with the last variant.
    const store = ResultsStore.open(storePath);
    const final = store.page({ sort: "position", descending: true, limit: 1 }).rows[0]!;
    store.close();
    expect(positionsOf(last.html)).toHaveLength(25);
    expect(positionsOf(last.html).at(-1)).toBe(`${final.chrom}:${final.pos.toLocaleString("en-US")}`);
    expect(last.html).not.toMatch(/rel="next"/);
    expect(last.html).toMatch(/rel="prev"/);
    const up = positionsOf((await get("sort=impact")).html);
    const down = positionsOf((await get("sort=impact&dir=desc")).html);
    expect(up[0]).not.toBe(down[0]);
    expect((await get("sort=impact&dir=desc")).html).toContain('aria-sort="descending"');
  });

  test("export links carry exactly the current filter", async () => {
    const { html } = await get("impact=HIGH,MODERATE&known=novel&sort=gene&limit=25");
    const tsv = /href="([^"]+format=tsv)"/.exec(html)![1]!.replaceAll("&amp;", "&");
    const u = new URL(tsv, "http://x");
    expect(u.pathname).toBe(`/annotations/${jobId}/rows`);
    expect(u.searchParams.get("impact")).toBe("HIGH,MODERATE");
    expect(u.searchParams.get("known")).toBe("novel");
    expect(u.searchParams.get("sort")).toBe("gene");
    expect(u.searchParams.has("limit")).toBe(false);
    expect(html).toMatch(/format=vcf/);
    expect(html).toMatch(/format=xlsx/);
  });

  test("a variant's page lists every effect; the fragment is its table alone", async () => {
    const store = ResultsStore.open(storePath);
    const vid = store.page({ sort: "impact", limit: 1 }).rows[0]!.vid;
    const effects = store.transcripts(vid).length;
    store.close();
    const page = await ada.request(`${base}/variants/${vid}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<html");
    expect([...html.matchAll(/<span class="badge impact/g)].length).toBe(effects);
    const fragment = await (await ada.request(`${base}/variants/${vid}`, { headers: { "x-gas-fragment": "1" } })).text();
    expect(fragment.startsWith('<div class="variant-detail">')).toBe(true);
    expect(fragment).not.toContain("<html");
    expect(fragment).toContain("NA12878: ");
    expect((await ada.request(`${base}/variants/999999`)).status).toBe(404);
    // The row's link carries the results state, and the variant page's back link returns to it.
    const filtered = (await get("impact=MODERATE&sort=gene")).html;
    const link = /<a href="([^"]+)" class="variant-expand"/.exec(filtered)![1]!.replaceAll("&amp;", "&");
    expect(link).toMatch(/\/variants\/\d+\?impact=MODERATE&sort=gene$/);
    const back = await (await ada.request(link)).text();
    expect(back).toContain(`href="${base}?impact=MODERATE&amp;sort=gene">← back to the results</a>`);
  });

  test("the per-transcript view shows every effect of the page's variants", async () => {
    const { status, html } = await get("view=transcripts&limit=25");
    expect(status).toBe(200);
    expect(html).toContain('data-view="transcripts"');
    expect(html).toMatch(/transcript rows on this page/);
    const rows = (h: string) => (/<tbody>([\s\S]*?)<\/tbody>/.exec(h)?.[1] ?? "").split("<tr>").length - 1;
    expect(rows(html)).toBe(25); // the store's pages of effect rows
    // Another sort: every effect of a page of variants, in that order.
    const byGene = await get("view=transcripts&limit=5&sort=gene");
    expect(byGene.status).toBe(200);
    expect(rows(byGene.html)).toBeGreaterThanOrEqual(5);
  });

  test("the skipped records are listed with their line numbers", async () => {
    const { html } = await get();
    expect(html).toContain("Records skipped or warned about");
    for (const line of skippedLines) expect(html).toMatch(new RegExp(`<th scope="row" class="fw-normal num">${line}</th>`));
    // From the store's issues table: each with its position.
    expect(html).toContain("<td>21:25600000</td>");
    expect(html).toContain("<td>chrUn_gas_test:100</td>");
  });

  test("bad input is the page with a message naming the field (400), never a 500", async () => {
    const bad = await get("region=not a region at all:x-y");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("The filter was not applied");
    expect(bad.html).toMatch(/region/);
    expect(bad.html).toContain('id="results-filters"');
    const term = await get("consequence=no_such_term");
    expect(term.status).toBe(400);
    expect(term.html).toContain("no_such_term");
    // The demo's gene models tag no canonical transcript: no box on the form, and the URL's filter is refused by name.
    const canonical = await get("canonical=1");
    expect(canonical.status).toBe(400);
    expect(canonical.html).toContain("the canonical filter cannot apply");
    expect(canonical.html).not.toContain('id="f-canonical"');
    const af = await get("af_min=abc&impact=HIGH");
    expect(af.status).toBe(400);
    expect(af.html).toContain("af_min must be a number");
    expect(af.html).toContain('value="abc"'); // what was typed is shown back
    expect(af.html).toMatch(/id="f-impact-HIGH" checked/);
  });

  test("the fragment request returns only the browser part", async () => {
    const { html } = await get("impact=HIGH", { "x-gas-fragment": "1" });
    expect(html.startsWith('<div id="results-browser"')).toBe(true);
    expect(html).not.toContain("<html");
  });

  test("a share link shows the same browser read-only, with its own export and variant links", async () => {
    const created = await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "7" });
    const path = new URL(/id="share-url" value="([^"]+)"/.exec(await created.text())![1]!).pathname;
    const anon = h.client();
    const res = await anon.request(`${path}?impact=HIGH`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(countLine(html)).toMatch(/ of \d+ variants match$/);
    expect(html).toContain(`href="${path}/rows?impact=HIGH&amp;format=tsv"`);
    const vid = /data-vid="(\d+)"/.exec(html)![1]!;
    expect((await anon.request(`${path}/variants/${vid}`)).status).toBe(200);
    expect(html).not.toContain(`/annotations/${jobId}`);
  });
});
