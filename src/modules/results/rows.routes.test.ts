/**
 * GET /annotations/{id}/rows and /shared/{token}/rows through the real app (app.request(), PGlite,
 * the filesystem stores): the demo's 132 records annotated by the engine, its VCF and results store
 * put where the annotator leaves them. Every export is checked against the store and the VCF.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import ExcelJS from "exceljs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEMO_VCF_DIR, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { startWebHarness, type WebClient, type WebHarness } from "../../../test/support/web-harness.ts";
import { annotateFile, DEFAULT_BUNDLE_DIR, openReference } from "../annotator/index.ts";
import { BGZF_EOF_BLOCK, deflateBgzfBlocks } from "../annotator/io/bgzf-codec.ts";
import { resultKeys } from "../jobs/job-keys.ts";
import type { VariantRow } from "./results-store.ts";
import { createInProcessQueries } from "./store-queries.ts";

let h: WebHarness;
let ada: WebClient;
let adaId: string;
let vcfText: string;
let storeBytes: Uint8Array;
let legacyJson: Uint8Array;
/** Every variant of the demo store, position order (the in-process reader: the oracle). */
let all: VariantRow[];

beforeAll(async () => {
  const root = tempDir("gas-rows-routes-");
  const reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
  const storePath = join(root, "out.sqlite");
  const vcf = join(root, "out.annot.vcf");
  const json = join(root, "out.annot.json");
  try {
    await annotateFile({ input: join(DEMO_VCF_DIR, "test.vcf"), reference, outputs: { store: storePath, vcf, json } });
  } finally {
    await reference.close();
  }
  vcfText = await readFile(vcf, "utf8");
  storeBytes = new Uint8Array(await readFile(storePath));
  legacyJson = new Uint8Array(await readFile(json));
  const local = createInProcessQueries();
  all = [];
  for (let after: string | undefined; ; ) {
    const page = await local.run(storePath, "page", [{ limit: 1000, ...(after ? { after } : {}) }]);
    all.push(...page.rows);
    if (!page.next) break;
    after = page.next;
  }
  await local.close();
  h = await startWebHarness();
  ada = h.client();
  adaId = await ada.signIn("ada@example.org", "Ada");
}, 120_000);

afterAll(() => h?.close());

/** A completed job of `userId` with the demo's store and its annotated VCF (BGZF when `bgzf`), as the annotator leaves them. */
async function demoJob(userId: string, opts: { bgzf?: boolean; legacy?: boolean } = {}) {
  const { jobStore, results, inputs } = h.container.ports;
  const id = crypto.randomUUID();
  const inputKey = `${userId}/${id}~test.vcf`;
  await inputs.put(inputKey, "##fileformat=VCFv4.2\n");
  await jobStore.create({ id, userId, inputFileName: "test.vcf", inputKey, submitTime: new Date() });
  if ((await jobStore.claim(id, "t", 60)).outcome !== "claimed") throw new Error("claim failed");
  const keys = resultKeys(userId, id, "test.vcf");
  // A job from before the store has only its .annot.json (converted on first open).
  if (opts.legacy) await results.put(keys.json, legacyJson);
  else await results.put(keys.store, storeBytes);
  await results.put(keys.log, "Total: 132\n");
  let resultKey = keys.vcf;
  if (opts.bgzf) {
    // Many small blocks, as the engine writes them: a reader that stops at the first gzip member fails.
    const blocks: Uint8Array[] = [];
    const bytes = new TextEncoder().encode(vcfText);
    for (let i = 0; i < bytes.length; i += 4096)
      deflateBgzfBlocks(bytes.subarray(i, i + 4096), { level: 1, library: "libdeflate" }, blocks);
    blocks.push(BGZF_EOF_BLOCK);
    resultKey = `${keys.vcf}.gz`;
    await results.put(resultKey, new Blob(blocks as BlobPart[]));
  } else await results.put(resultKey, vcfText);
  const summary = { records: 132, alleles: 132, known: 0, novel: 0, skipped: 0, byMostSevere: {}, byConsequence: {}, byImpact: {} };
  await jobStore.complete(id, "t", {
    resultKey,
    logKey: keys.log,
    rowsKey: opts.legacy ? keys.json : keys.store,
    summary: { ...summary, warnings: [], warningsTotal: 0, seconds: 1, variantsPerSecond: 132 },
  });
  return (await jobStore.get(id))!;
}

const json = { accept: "application/json" };
const dataLines = (text: string) => text.split("\n").filter((l) => l && !l.startsWith("#"));

describe("GET /annotations/{id}/rows (JSON)", () => {
  test("a page with its total and cursors; the next page continues it", async () => {
    const job = await demoJob(adaId);
    const res = await ada.request(`/annotations/${job.id}/rows?limit=10`, { headers: json });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { view: string; total: number; rows: VariantRow[]; next: string; prev: null };
    expect(page).toMatchObject({ view: "variants", total: all.length, prev: null });
    expect(page.rows.map((r) => r.vid)).toEqual(all.slice(0, 10).map((r) => r.vid));
    const second = (await (
      await ada.request(`/annotations/${job.id}/rows?limit=10&after=${page.next}`, { headers: json })
    ).json()) as typeof page;
    expect(second.rows.map((r) => r.vid)).toEqual(all.slice(10, 20).map((r) => r.vid));
  });

  test("filters apply and count: impact and gene lists", async () => {
    const job = await demoJob(adaId);
    const high = all.filter((r) => r.impact === "HIGH" || r.impact === "MODERATE");
    expect(high.length).toBeGreaterThan(0);
    const page = (await (await ada.request(`/annotations/${job.id}/rows?impact=HIGH,MODERATE&limit=1000`, { headers: json })).json()) as {
      total: number;
      rows: VariantRow[];
    };
    expect(page.total).toBe(high.length);
    expect(page.rows.map((r) => r.vid)).toEqual(high.map((r) => r.vid));
  });

  test("the transcripts view pages effects", async () => {
    const job = await demoJob(adaId);
    const page = (await (await ada.request(`/annotations/${job.id}/rows?view=transcripts&limit=1000`, { headers: json })).json()) as {
      view: string;
      rows: { vid: number }[];
    };
    expect(page.view).toBe("transcripts");
    expect(page.rows.length).toBe(all.reduce((n, r) => n + r.transcripts, 0));
  });

  test("a filter the store refuses is a 400 naming it", async () => {
    const job = await demoJob(adaId);
    const res = await ada.request(`/annotations/${job.id}/rows?consequence=not_a_term`, { headers: json });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('unknown consequence "not_a_term"');
    const region = await ada.request(`/annotations/${job.id}/rows?region=chr21:9-1&format=tsv`, { headers: json });
    expect(region.status).toBe(400);
    expect(await region.text()).toContain("start must be ≥ 1 and ≤ end");
  });

  test("an API token reads it; another user and an unknown job are 404; archived is 402", async () => {
    const job = await demoJob(adaId);
    const { token } = await h.container.accounts.createApiToken(adaId, "rows");
    const viaToken = await ada.request(`/annotations/${job.id}/rows?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(viaToken.status).toBe(200);
    expect(((await viaToken.json()) as { total: number }).total).toBe(all.length);
    const bob = h.client();
    await bob.signIn("bob@example.org", "Bob");
    expect((await bob.request(`/annotations/${job.id}/rows`, { headers: json })).status).toBe(404);
    await h.container.ports.jobStore.moveResult(job.id, { state: "AVAILABLE", archiveId: null }, { state: "ARCHIVED", archiveId: "a1" });
    const archived = await ada.request(`/annotations/${job.id}/rows`, { headers: json });
    expect(archived.status).toBe(402);
    expect(((await archived.json()) as { message: string }).message).toContain("Upgrade to Premium");
  });
});

describe("exports", () => {
  test("TSV per variant: exactly the filtered set, with a file name", async () => {
    const job = await demoJob(adaId);
    const res = await ada.request(`/annotations/${job.id}/rows?impact=MODERATE,LOW&format=tsv&sort=gene&dir=desc`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/tab-separated-values");
    expect(res.headers.get("content-disposition")).toContain('filename="test.filtered.variants.tsv"');
    const text = await res.text();
    const [header, ...lines] = text.trimEnd().split("\n");
    const cols = header!.slice(1).split("\t");
    const expected = all.filter((r) => r.impact === "MODERATE" || r.impact === "LOW");
    expect(expected.length).toBeGreaterThan(5);
    expect(lines).toHaveLength(expected.length);
    const at = (line: string, name: string) => line.split("\t")[cols.indexOf(name)]!;
    expect(new Set(lines.map((l) => at(l, "impact")))).toEqual(new Set(expected.map((r) => r.impact)));
    // Sorted by gene, descending (the store's NOCASE order).
    const genes = lines.map((l) => at(l, "gene").toLowerCase());
    expect(genes).toEqual([...genes].sort().reverse());
  });

  test("TSV per effect (view=transcripts): every effect of the filtered variants", async () => {
    const job = await demoJob(adaId);
    const text = await (await ada.request(`/annotations/${job.id}/rows?impact=HIGH,MODERATE&format=tsv&view=transcripts`)).text();
    const expected = all.filter((r) => r.impact === "HIGH" || r.impact === "MODERATE").reduce((n, r) => n + r.transcripts, 0);
    expect(text.startsWith("#line\tchrom")).toBe(true);
    expect(dataLines(text)).toHaveLength(expected);
  });

  test("VCF: the annotated header and exactly the filtered records, from a plain and a BGZF VCF", async () => {
    const header = vcfText.split("\n").filter((l) => l.startsWith("#"));
    const records = dataLines(vcfText);
    const wanted = all.filter((r) => r.impact === "HIGH" || r.impact === "MODERATE");
    const recs = [...new Set(wanted.map((r) => r.rec!))].sort((a, b) => a - b);
    expect(recs.length).toBeGreaterThan(1);
    for (const bgzf of [false, true]) {
      const job = await demoJob(adaId, { bgzf });
      // The sort is ignored: a VCF is in file order.
      const res = await ada.request(`/annotations/${job.id}/rows?format=vcf&impact=HIGH,MODERATE&sort=gene`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toContain('filename="test.filtered.annot.vcf"');
      const text = await res.text();
      expect(text.split("\n").filter((l) => l.startsWith("#"))).toEqual(header);
      expect(dataLines(text)).toEqual(recs.map((r) => records[r]!));
    }
  });

  test("Excel: a workbook with a header row and exactly the filtered rows, per variant and per effect", async () => {
    const job = await demoJob(adaId);
    const res = await ada.request(`/annotations/${job.id}/rows?format=xlsx&impact=MODERATE,LOW`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("content-disposition")).toContain('filename="test.filtered.variants.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.getWorksheet("variants")!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const expected = all.filter((r) => r.impact === "MODERATE" || r.impact === "LOW");
    expect(ws.rowCount).toBe(expected.length + 1);
    const col = (name: string) => header.indexOf(name) + 1;
    expect(ws.getRow(2).getCell(col("pos")).value).toBe(expected[0]!.pos);
    expect(ws.getRow(2).getCell(col("gene")).value).toBe(expected[0]!.gene);
    expect(ws.getRow(expected.length + 1).getCell(col("hgvsC")).value).toBe(expected.at(-1)!.hgvsC || null);
    const effects = new ExcelJS.Workbook();
    await effects.xlsx.load(
      Buffer.from(await (await ada.request(`/annotations/${job.id}/rows?format=xlsx&view=transcripts`)).arrayBuffer()) as never,
    );
    expect(effects.getWorksheet("effects")!.rowCount).toBe(all.reduce((n, r) => n + r.transcripts, 0) + 1);
  });

  test("an old job's converted results: TSV works, VCF is a 409 saying why (no record ordinals)", async () => {
    const job = await demoJob(adaId, { legacy: true });
    const tsv = await ada.request(`/annotations/${job.id}/rows?format=tsv`);
    expect(tsv.status).toBe(200);
    expect(dataLines(await tsv.text())).toHaveLength(all.length);
    const vcf = await ada.request(`/annotations/${job.id}/rows?format=vcf`, { headers: json });
    expect(vcf.status).toBe(409);
    expect(((await vcf.json()) as { message: string }).message).toContain("did not record where each variant is in the VCF");
  });

  test("VCF of an empty filter result is the header alone", async () => {
    const job = await demoJob(adaId);
    const text = await (await ada.request(`/annotations/${job.id}/rows?format=vcf&region=chr1:1-2`)).text();
    expect(text.startsWith("##fileformat=VCF")).toBe(true);
    expect(dataLines(text)).toEqual([]);
  });
});

describe("GET /shared/{token}/rows", () => {
  test("anyone with the link reads and exports; a bad token is 404", async () => {
    const job = await demoJob(adaId);
    const { token } = await h.container.shares.create(adaId, job.id, 7);
    const anon = h.client();
    const page = await anon.request(`/shared/${token}/rows?limit=5`, { headers: json });
    expect(page.status).toBe(200);
    expect(((await page.json()) as { total: number }).total).toBe(all.length);
    const tsv = await anon.request(`/shared/${token}/rows?format=tsv`);
    expect(dataLines(await tsv.text())).toHaveLength(all.length);
    expect((await anon.request(`/shared/${"x".repeat(40)}/rows`, { headers: json })).status).toBe(404);
  });
});

describe("/openapi.json", () => {
  test("documents the rows API and its query", async () => {
    const doc = (await (await ada.request("/openapi.json", { headers: json })).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
    };
    for (const path of ["/annotations/{id}/rows", "/shared/{token}/rows"]) {
      const names = doc.paths[path]?.get?.parameters?.map((p) => p.name) ?? [];
      expect(names).toEqual(expect.arrayContaining(["format", "impact", "gene", "region", "after", "view"]));
    }
  });
});
