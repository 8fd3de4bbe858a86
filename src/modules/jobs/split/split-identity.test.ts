/**
 * A job split into chunks gives what the same job gives unsplit (issue 16 item 5): the annotated
 * VCF byte for byte once decompressed, every row of the results store, the summary and the count
 * log (apart from timings), and a tabix index that answers region queries as the unsplit one
 * does. Both run through the annotation worker on the real local ports (PGlite, the PostgreSQL
 * queue, the filesystem object store) and the engine on its thread. The input has three samples,
 * known variants, REF mismatches (warnings with line numbers) and chunks that do not end on a
 * contig or dictionary boundary, so the merge's renumbering is exercised.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { writeBenchVcf } from "../../../../bench/generate-vcf.ts";
import { type WebHarness, startWebHarness } from "../../../../test/support/web-harness.ts";
import { type AnnotationEngine, DEFAULT_BUNDLE_DIR, startEngineThread } from "../../annotator/index.ts";
import { type AnnotatorMessage, createAnnotationWorker } from "../annotation-worker.ts";
import { resultKeys } from "../job-keys.ts";

const DEMO = join(import.meta.dir, "../../../../data/demo");
const FASTA = join(DEMO, "fasta/Homo_sapiens.GRCh38.chr21.test.fa.gz");
const KNOWN = join(DEMO, "known/known_variants.chr21_25-26Mb.vcf.gz");
const VARIANTS = 2000;

describe("split vs unsplit", () => {
  let h: WebHarness;
  let engine: AnnotationEngine;
  let dir: string;
  let input: Uint8Array;
  beforeAll(async () => {
    h = await startWebHarness();
    engine = await startEngineThread({ bundleDir: DEFAULT_BUNDLE_DIR });
    dir = await mkdtemp(join(tmpdir(), "gas-split-"));
    const plain = join(dir, "in.vcf");
    await writeBenchVcf(plain, FASTA, VARIANTS, { samples: 3, known: KNOWN, knownShare: 0.2 });
    // Every 97th record's REF made wrong: warnings that name their input line.
    const lines = (await Bun.file(plain).text()).split("\n");
    let data = 0;
    const edited = lines.map((l) => {
      if (l.startsWith("#") || l === "") return l;
      if (++data % 97 !== 0) return l;
      const f = l.split("\t");
      f[3] = f[3]!.length === 1 ? (f[3] === "A" ? "C" : "A") : f[3]!;
      return f.join("\t");
    });
    input = Bun.gzipSync(Buffer.from(edited.join("\n")));
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Submit the input as a new job and run the annotators until it is finished. */
  async function runJob(userId: string, split: boolean, client?: ReturnType<WebHarness["client"]>) {
    const { ports, config, log } = h.container;
    const id = randomUUID();
    const inputFileName = "genome.vcf.gz";
    const inputKey = `${userId}/${id}~${inputFileName}`;
    await ports.inputs.put(inputKey, input);
    await ports.jobStore.create({ id, userId, inputFileName, inputKey, submitTime: new Date() });
    const queue = ports.queue<AnnotatorMessage>("annotator");
    const worker = createAnnotationWorker({
      jobs: ports.jobStore,
      inputs: ports.inputs,
      results: ports.results,
      topic: ports.topic,
      queue,
      engine,
      workDir: config.backend.workDir,
      visibilitySeconds: 30,
      maxAttempts: 5,
      log,
      splits: ports.splits,
      // Chunks of 700 lines: 3 chunks, the last shorter.
      split: split ? { minVariants: 500, minBytes: 0, chunkVariants: 700 } : null,
    });
    await queue.send({ jobId: id, userId, inputKey, inputFileName, submitTime: new Date().toISOString() });
    const outcomes: string[] = [];
    const seen: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      const [d] = await queue.receive({ waitSeconds: 0 });
      if (!d) break;
      outcomes.push(await worker.handle(d, new AbortController().signal));
      // What the job page and the API show between chunks: chunks done of all, variants/s.
      if (client && outcomes.at(-1) !== "merged") {
        const api = (await (await client.request(`/annotations/${id}`, { headers: { accept: "application/json" } })).json()) as {
          progress: unknown;
        };
        const page = await (await client.request(`/annotations/${id}`)).text();
        seen.push({ api: api.progress, page: /\d+ of \d+ chunks done/.exec(page)?.[0] ?? null });
      }
    }
    const job = (await ports.jobStore.get(id))!;
    return { job, outcomes, seen };
  }

  const objectBytes = async (key: string) =>
    new Uint8Array(await new Response((await h.container.ports.results.get(key))!.stream()).arrayBuffer());

  /** Every table's rows, in key order (sqlite_stat1, ANALYZE's sample, left out). */
  function storeRows(path: string): Record<string, unknown[]> {
    const db = new Database(path, { readonly: true });
    try {
      const tables = db
        .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all();
      return Object.fromEntries(tables.map((t) => [t.name, db.query(`SELECT * FROM "${t.name}" ORDER BY 1, 2`).all()]));
    } finally {
      db.close();
    }
  }
  const withoutTimes = <T extends Record<string, unknown>>(s: T) => ({ ...s, seconds: 0, variantsPerSecond: 0 });

  test("the merged results equal the unsplit run's", async () => {
    const client = h.client();
    const userId = await client.signIn("split@example.org", "Split");
    const whole = await runJob(userId, false);
    const split = await runJob(userId, true, client);
    expect(split.seen).toEqual(
      [0, 1, 2].map((done) => ({
        api: { records: expect.any(Number), chunks_done: done, chunks: 3, variants_per_second: expect.any(Number) },
        page: `${done} of 3 chunks done`,
      })),
    );
    expect(whole.outcomes).toEqual(["completed"]);
    expect(split.outcomes[0]).toBe("split");
    expect(split.outcomes.filter((o) => o === "chunk-done" || o === "merged")).toHaveLength(3);
    expect(split.outcomes.at(-1)).toBe("merged");
    expect(split.job.status).toBe("COMPLETED");

    const a = resultKeys(userId, whole.job.id, "genome.vcf.gz");
    const b = resultKeys(userId, split.job.id, "genome.vcf.gz");
    // The VCF, decompressed, byte for byte.
    const vcfA = gunzipSync(await objectBytes(a.vcfGz));
    const vcfB = gunzipSync(await objectBytes(b.vcfGz));
    expect(vcfB.length).toBe(vcfA.length);
    expect(Buffer.compare(vcfA, vcfB)).toBe(0);

    // The results store, row for row; its summary apart from the engine's timings.
    await Bun.write(join(dir, "a.sqlite"), await objectBytes(a.store));
    await Bun.write(join(dir, "b.sqlite"), await objectBytes(b.store));
    const rowsA = storeRows(join(dir, "a.sqlite"));
    const rowsB = storeRows(join(dir, "b.sqlite"));
    const summaryOf = (rows: Record<string, unknown[]>) =>
      Object.fromEntries(
        (rows.summary as { key: string; value: string }[]).map((r) => {
          const v = JSON.parse(r.value);
          return [r.key, r.key === "engine" ? withoutTimes(v) : v];
        }),
      );
    expect(summaryOf(rowsB)).toEqual(summaryOf(rowsA));
    for (const table of Object.keys(rowsA).filter((t) => t !== "summary"))
      expect({ table, rows: rowsB[table] }).toEqual({ table, rows: rowsA[table] });
    expect((rowsA.variants as unknown[]).length).toBeGreaterThan(VARIANTS * 0.9);
    expect((rowsA.issues as unknown[]).length).toBeGreaterThan(10);
    // The same indexes, in the same order (the chunks' stores have none: the merge builds them all).
    const indexes = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.query("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY rowid").all();
      } finally {
        db.close();
      }
    };
    expect(indexes(join(dir, "b.sqlite"))).toEqual(indexes(join(dir, "a.sqlite")));
    expect(indexes(join(dir, "a.sqlite")).length).toBeGreaterThan(10);
    // Summary values stored with the same key order (the JSON text compared without timings).
    const texts = (rows: Record<string, unknown[]>) =>
      (rows.summary as { key: string; value: string }[]).filter((r) => r.key !== "engine").map((r) => r.value);
    expect(texts(rowsB)).toEqual(texts(rowsA));

    // The job's summary and count log, apart from timings and the stored bytes.
    const { storedBytes: _a, ...sumA } = whole.job.summary!;
    const { storedBytes: _b, ...sumB } = split.job.summary!;
    expect(withoutTimes(sumB)).toEqual(withoutTimes(sumA));
    expect(sumA.warningsTotal).toBeGreaterThan(10);
    const untimed = (log: string) => log.replace(/^(Time|Speed): .*$/gm, "");
    expect(untimed(new TextDecoder().decode(await objectBytes(b.log)))).toBe(untimed(new TextDecoder().decode(await objectBytes(a.log))));

    // The chunks' files are gone; the index exists.
    expect(await h.container.ports.results.list(`split/${split.job.id}/`)).toEqual([]);
    expect(await h.container.ports.results.head(b.tbi)).not.toBeNull();
  }, 180_000);

  test.skipIf(!Bun.which("tabix"))(
    "the merged tabix index answers region queries as the unsplit one (needs tabix: apt-get install tabix)",
    async () => {
      const userId = await h.client().signIn("split2@example.org", "Split");
      const whole = await runJob(userId, false);
      const split = await runJob(userId, true);
      const files: string[] = [];
      for (const [n, job] of [whole.job, split.job].entries()) {
        const k = resultKeys(userId, job.id, "genome.vcf.gz");
        const path = join(dir, `q${n}.vcf.gz`);
        await Bun.write(path, await objectBytes(k.vcfGz));
        await Bun.write(`${path}.tbi`, await objectBytes(k.tbi));
        files.push(path);
      }
      const contig = new TextDecoder()
        .decode(gunzipSync(await Bun.file(files[0]!).bytes()))
        .split("\n")
        .find((l) => l && !l.startsWith("#"))!
        .split("\t")[0]!;
      for (const region of [contig, `${contig}:25000000-25500000`, `${contig}:25900000-26100000`, `${contig}:1-5000000`]) {
        const [x, y] = files.map((f) => Bun.spawnSync(["tabix", f, region]).stdout.toString());
        expect({ region, lines: y!.split("\n").length }).toEqual({ region, lines: x!.split("\n").length });
        expect(y).toBe(x!);
      }
    },
    180_000,
  );
});
