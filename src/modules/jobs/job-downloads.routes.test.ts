/**
 * A job's downloads over HTTP (app.request) on the local stores: a job of today (BGZF VCF, .tbi,
 * plain VCF gunzipped on the fly, log, each listed with its size), an old job (plain VCF only),
 * share links, archived results, and the memory a large plain download takes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import type { JobSummary } from "../../ports/job-store.ts";
import { formatBytes } from "../../web/layout.tsx";
import { createVcfWriter } from "../annotator/vcf/vcf-writer.ts";
import { bgzfPlainSize } from "./bgzf-plain-size.ts";
import { resultKeys } from "./job-keys.ts";

const DEMO_VCF = join(import.meta.dir, "../../../data/demo/vcf/test.vcf");
const dir = mkdtempSync(join(tmpdir(), "gas-downloads-"));

const SUMMARY: JobSummary = {
  records: 132,
  alleles: 132,
  known: 1,
  novel: 131,
  skipped: 0,
  byMostSevere: {},
  byConsequence: {},
  byImpact: {},
  warnings: [],
  warningsTotal: 0,
  seconds: 0.5,
  variantsPerSecond: 264,
};

/** Writes `text` as BGZF with its index, as the engine does; returns the paths and plain size. */
async function bgzf(name: string, text: string | ((w: { write(s: string): void }) => void)) {
  const path = join(dir, name);
  const w = await createVcfWriter(path);
  if (typeof text === "string") w.write(text);
  else text(w);
  await w.commit();
  return { vcf: path, tbi: `${path}.tbi`, plainBytes: await bgzfPlainSize(path) };
}

describe("job downloads", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  let plain: string;

  /** A completed job stored as the annotator stores it now. */
  async function bgzfJob(userId: string, files: { vcf: string; tbi: string | null; plainBytes: number }, inputFileName = "test.vcf") {
    const { jobStore, inputs, results } = h.container.ports;
    const id = randomUUID();
    const inputKey = `${userId}/${id}~${inputFileName}`;
    await inputs.put(inputKey, Bun.file(DEMO_VCF));
    await jobStore.create({ id, userId, inputFileName, inputKey, submitTime: new Date() });
    if ((await jobStore.claim(id, "t", 60)).outcome !== "claimed") throw new Error("claim failed");
    const keys = resultKeys(userId, id, inputFileName);
    await results.put(keys.vcfGz, Bun.file(files.vcf));
    if (files.tbi) await results.put(keys.tbi, Bun.file(files.tbi));
    await results.put(keys.log, "Total: 132\n");
    await results.put(keys.store, "SQLite format 3\u0000");
    await jobStore.complete(id, "t", {
      resultKey: keys.vcfGz,
      logKey: keys.log,
      rowsKey: keys.store,
      summary: { ...SUMMARY, plainVcfBytes: files.plainBytes },
    });
    return { id, keys };
  }

  let demo: Awaited<ReturnType<typeof bgzf>>;
  let job: Awaited<ReturnType<typeof bgzfJob>>;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    plain = await Bun.file(DEMO_VCF).text();
    demo = await bgzf("demo.vcf.gz", plain);
    job = await bgzfJob(adaId, demo);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bytesOf = async (key: string) => new Response((await h.container.ports.results.get(key))!.stream()).bytes();

  test("the job page lists the BGZF VCF, its index, the plain VCF and the log, each with its size", async () => {
    const html = await (await ada.request(`/annotations/${job.id}`)).text();
    const items = [...html.matchAll(/<li data-download="([^"]+)"><a href="([^"]+)"[^>]*>([^<]+)<\/a>.*?<\/li>/g)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    const base = `/annotations/${job.id}`;
    expect(items).toEqual([
      ["vcf.gz", `${base}/result`, "test.annot.vcf.gz"],
      ["tbi", `${base}/result.tbi`, "test.annot.vcf.gz.tbi"],
      ["vcf", `${base}/result.vcf`, "test.annot.vcf"],
    ]);
    const gzSize = (await h.container.ports.results.head(job.keys.vcfGz))!.size;
    const tbiSize = (await h.container.ports.results.head(job.keys.tbi))!.size;
    for (const size of [gzSize, tbiSize, demo.plainBytes])
      expect(html).toContain(`<span class="download-size">${formatBytes(size)}</span>`);
    expect(html).toContain(`href="${base}/log.txt" download="">download</a>`);
    expect(html).toContain(`(${formatBytes(11)})`); // "Total: 132\n"
    expect(demo.plainBytes).toBe(Buffer.byteLength(plain));
  });

  test("the API's job detail lists the same downloads, with sizes and URLs", async () => {
    const res = await ada.request(`/annotations/${job.id}`, { headers: { accept: "application/json" } });
    const body = (await res.json()) as {
      result_url: string;
      downloads: { kind: string; file_name: string; size: number | null; url: string }[];
    };
    const base = `http://localhost/annotations/${job.id}`.replace("http://localhost", new URL(body.result_url).origin);
    expect(body.result_url).toBe(`${base}/result`);
    const gzSize = (await h.container.ports.results.head(job.keys.vcfGz))!.size;
    expect(body.downloads).toEqual([
      { kind: "vcf.gz", file_name: "test.annot.vcf.gz", size: gzSize, url: `${base}/result` },
      { kind: "tbi", file_name: "test.annot.vcf.gz.tbi", size: expect.any(Number), url: `${base}/result.tbi` },
      { kind: "vcf", file_name: "test.annot.vcf", size: demo.plainBytes, url: `${base}/result.vcf` },
      { kind: "log", file_name: "test.vcf.count.log", size: 11, url: `${base}/log.txt` },
    ]);
  });

  test("result is the stored BGZF file, result.tbi its index, both attachments under the file names users see", async () => {
    const gz = await ada.request(`/annotations/${job.id}/result`);
    expect(gz.status).toBe(200);
    expect(gz.headers.get("content-type")).toBe("application/gzip");
    expect(gz.headers.get("content-disposition")).toBe(`attachment; filename="test.annot.vcf.gz"; filename*=UTF-8''test.annot.vcf.gz`);
    expect(new Uint8Array(await gz.arrayBuffer())).toEqual(await bytesOf(job.keys.vcfGz));
    const tbi = await ada.request(`/annotations/${job.id}/result.tbi`);
    expect(tbi.headers.get("content-disposition")).toContain('filename="test.annot.vcf.gz.tbi"');
    expect(new Uint8Array(await tbi.arrayBuffer())).toEqual(await bytesOf(job.keys.tbi));
    const log = await ada.request(`/annotations/${job.id}/log.txt`);
    expect(log.headers.get("content-disposition")).toContain('filename="test.vcf.count.log"');
    expect(await log.text()).toBe("Total: 132\n");
  });

  test("result.vcf is the plain VCF, decompressed as it streams, with its length and the name users knew", async () => {
    const res = await ada.request(`/annotations/${job.id}/result.vcf`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("content-disposition")).toContain('filename="test.annot.vcf"');
    expect(res.headers.get("content-length")).toBe(String(demo.plainBytes));
    expect(await res.text()).toBe(plain);
  });

  test("a job whose records could not be indexed offers no .tbi", async () => {
    const j = await bgzfJob(adaId, { ...demo, tbi: null });
    const html = await (await ada.request(`/annotations/${j.id}`)).text();
    expect(html).not.toContain('data-download="tbi"');
    expect(html).toContain('data-download="vcf.gz"');
    const res = await ada.request(`/annotations/${j.id}/result.tbi`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("has no tabix index");
  });

  test("an old job (plain VCF stored) serves it as before, and offers no .gz or .tbi", async () => {
    const old = await h.completedJob(adaId);
    const html = await (await ada.request(`/annotations/${old}`)).text();
    expect([...html.matchAll(/data-download="([^"]+)"/g)].map((m) => m[1])).toEqual(["vcf"]);
    expect(html).toContain(`href="/annotations/${old}/result" class="filename" download="">test.annot.vcf</a>`);
    for (const path of ["result", "result.vcf"]) {
      const res = await ada.request(`/annotations/${old}/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toContain('filename="test.annot.vcf"');
      expect(await res.text()).toStartWith("##fileformat=VCFv4.2\n#CHROM");
    }
    expect((await ada.request(`/annotations/${old}/result.tbi`)).status).toBe(404);
  });

  test("another user's job: every download is a 404", async () => {
    const bob = h.client();
    await bob.signIn("bob@example.org", "Bob");
    for (const path of ["result", "result.tbi", "result.vcf", "log.txt"]) {
      expect((await bob.request(`/annotations/${job.id}/${path}`)).status).toBe(404);
    }
  });

  test("a share link offers the same downloads, until revoked", async () => {
    const created = await ada.submit(`/annotations/${job.id}`, `/annotations/${job.id}/shares`, { days: "7" });
    const path = new URL(/id="share-url" value="([^"]+)"/.exec(await created.text())![1]!).pathname;
    const anon = h.client();
    const gz = await anon.request(`${path}/result`);
    expect(gz.headers.get("x-robots-tag")).toBe("noindex");
    expect(new Uint8Array(await gz.arrayBuffer())).toEqual(await bytesOf(job.keys.vcfGz));
    expect(new Uint8Array(await (await anon.request(`${path}/result.tbi`)).arrayBuffer())).toEqual(await bytesOf(job.keys.tbi));
    expect(await (await anon.request(`${path}/result.vcf`)).text()).toBe(plain);
    expect(await (await anon.request(`${path}/log.txt`)).text()).toBe("Total: 132\n");
    const detail = await (await ada.request(`/annotations/${job.id}`)).text();
    const revoke = /action="(\/annotations\/[^"]+\/shares\/[^"]+\/revoke)"/.exec(detail)![1]!;
    expect((await ada.submit(`/annotations/${job.id}`, revoke, {})).status).toBe(303);
    for (const p of ["result", "result.tbi", "result.vcf", "log.txt"]) expect((await anon.request(`${path}/${p}`)).status).toBe(404);
  });

  test("archived results cannot be downloaded (402), the log still can", async () => {
    const j = await bgzfJob(adaId, demo);
    await h.container.ports.jobStore.moveResult(j.id, { state: "AVAILABLE", archiveId: null }, { state: "ARCHIVED", archiveId: "a1" });
    for (const p of ["result", "result.tbi", "result.vcf"]) expect((await ada.request(`/annotations/${j.id}/${p}`)).status).toBe(402);
    expect((await ada.request(`/annotations/${j.id}/log.txt`)).status).toBe(200);
    const html = await (await ada.request(`/annotations/${j.id}`)).text();
    expect(html).not.toContain("data-download=");
    expect(html).toContain('<a href="/subscribe">Upgrade to restore</a>');
  });

  test("a large plain download streams in bounded memory", async () => {
    // ~420 MB of plain text that compresses ~100x: the web process must not hold it.
    const line = `21\t1\trs1\tA\tG\t50\tPASS\tANN=${"G|missense_variant|MODERATE|APP|ENSG00000142192|transcript|ENST00000346798|protein_coding|".repeat(8)}\n`;
    const count = Math.floor((420 << 20) / line.length);
    const big = await bgzf("big.vcf.gz", (w) => {
      w.write("##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
      for (let i = 0; i < count; i++) w.write(line);
    });
    const j = await bgzfJob(adaId, { ...big, tbi: null });
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    let peak = before;
    const res = await ada.request(`/annotations/${j.id}/result.vcf`);
    const reader = res.body!.getReader();
    let received = 0;
    // What the download holds, not the garbage it leaves: a collection every 32 MB (in this test
    // process, full of PGlite, the collector lets ~0.6 GB of spent chunks pile up otherwise; a
    // standalone Bun process gunzipping 1.6 GB stays within +30 MB without help).
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      received += r.value.length;
      if ((received & 0x1ffffff) < r.value.length) {
        Bun.gc(true);
        peak = Math.max(peak, process.memoryUsage().rss);
      }
    }
    expect(received).toBe(big.plainBytes);
    const grewMb = (peak - before) / 2 ** 20;
    console.log(`plain download of ${(received / 2 ** 20).toFixed(0)} MB: RSS grew ${grewMb.toFixed(0)} MB`);
    expect(grewMb).toBeLessThan(64);
  }, 120_000);
});
