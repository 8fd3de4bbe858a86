/**
 * The results service on the real container (PGlite, the filesystem object store): a demo job's
 * store (annotateFile on the demo's 132 records) is put where the annotator leaves it, then opened,
 * queried, and refused when it should be.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ContainerHarness, startContainerHarness } from "../../../test/support/container-harness.ts";
import { DEMO_VCF_DIR, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { annotateFile, DEFAULT_BUNDLE_DIR, openReference } from "../annotator/index.ts";
import { resultKeys } from "../jobs/job-keys.ts";
import { createResultsService } from "./job-results.ts";
import { createStoreCache } from "./store-cache.ts";
import { createInProcessQueries } from "./store-queries.ts";

let h: ContainerHarness;
let storeBytes: Uint8Array;
/** The engine's own `.annot.json` of the demo (what jobs before the store kept). */
let legacyJson: Uint8Array;
let user: { id: string };

beforeAll(async () => {
  const root = tempDir("gas-job-results-");
  const reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
  const store = join(root, "out.sqlite");
  const json = join(root, "out.annot.json");
  try {
    await annotateFile({ input: join(DEMO_VCF_DIR, "test.vcf"), reference, outputs: { store, json } });
  } finally {
    await reference.close();
  }
  storeBytes = new Uint8Array(await readFile(store));
  legacyJson = new Uint8Array(await readFile(json));
  h = await startContainerHarness();
  const signedIn = await h.container.accounts.signIn({
    subject: `dev:${crypto.randomUUID()}`,
    email: "results@example.org",
    name: "Results",
    institution: null,
    tokens: null,
  });
  user = { id: signedIn.user.id };
});

afterAll(() => h?.close());

async function jobWithStore() {
  const id = await h.completedJob(user.id);
  const job = (await h.container.ports.jobStore.get(id))!;
  await h.container.ports.results.put(resultKeys(user.id, id, job.inputFileName).store, storeBytes);
  return job;
}

describe("ResultsService", () => {
  test("opens a job's store and answers summary, count, pages, a variant and its transcripts", async () => {
    const job = await jobWithStore();
    const r = await h.container.results.open(job, user);
    const summary = await r.summary();
    expect(summary.variants).toBeGreaterThan(100);
    expect(await r.count({})).toBe(summary.variants as number);
    const high = await r.count({ impacts: ["HIGH"] });
    expect(high).toBeGreaterThan(0);
    expect(high).toBeLessThan(summary.variants as number);
    const first = await r.page({ limit: 10 });
    expect(first.rows).toHaveLength(10);
    expect(first.prev).toBeNull();
    const second = await r.page({ limit: 10, after: first.next! });
    expect(second.rows[0]!.vid).toBe(first.rows[9]!.vid + 1);
    const v = await r.variant(first.rows[0]!.vid);
    const { vid, chrom, pos, ref, alt, gene, consequence, impact } = first.rows[0]!;
    expect(v).toMatchObject({ vid, chrom, pos, ref, alt, gene, consequence, impact });
    expect((await r.transcripts(v!.vid)).length).toBe(v!.transcripts);
  });

  test("a query the store refuses is INVALID_INPUT naming the problem", async () => {
    const r = await h.container.results.open(await jobWithStore(), user);
    await expect(r.page({ filter: { consequences: ["not_a_term"] } })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: 'unknown consequence "not_a_term"',
    });
    await expect(r.page({ after: "garbage" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  test("another user's job, an unfinished job and a job without a store are NOT_FOUND", async () => {
    const job = await jobWithStore();
    await expect(h.container.results.open(job, { id: "someone-else" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(h.container.results.open({ ...job, status: "RUNNING" }, user)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("RUNNING"),
    });
    const bare = (await h.container.ports.jobStore.get(await h.completedJob(user.id)))!;
    await expect(h.container.results.open({ ...bare, rowsKey: null }, user)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `Job ${bare.id} has no results to browse`,
    });
  });
});

describe("jobs from before the results store", () => {
  /** A COMPLETED job whose rowsKey is its `.annot.json`, with no store beside it. */
  async function legacyJob(json: Uint8Array | string = legacyJson) {
    const id = await h.completedJob(user.id);
    const job = (await h.container.ports.jobStore.get(id))!;
    expect(job.rowsKey).toEndWith(".annot.json");
    await h.container.ports.results.put(job.rowsKey!, json);
    return job;
  }

  test("are converted once (concurrent opens share it), the store uploaded and recorded on the job", async () => {
    const { ports } = h.container;
    const logged: string[] = [];
    const queries = createInProcessQueries();
    const service = createResultsService({
      results: ports.results,
      jobs: ports.jobStore,
      cache: createStoreCache({ dir: join(tempDir("gas-legacy-cache-"), "cache"), maxBytes: 1 << 30, results: ports.results }),
      queries,
      log: { info: (msg) => logged.push(msg), warn: (msg) => logged.push(msg) },
    });
    try {
      const job = await legacyJob();
      const opened = await Promise.all([service.open(job, user), service.open(job, user), service.open(job, user)]);
      expect(logged.filter((m) => m.startsWith("converted"))).toHaveLength(1);
      const key = resultKeys(user.id, job.id, job.inputFileName).store;
      expect(await ports.results.head(key)).not.toBeNull();
      expect((await ports.jobStore.get(job.id))?.rowsKey).toBe(key);
      // The converted store answers as the engine's own does (rec aside: the JSON never had it).
      const fresh = await h.container.results.open(await jobWithStore(), user);
      expect(await opened[0]!.count({})).toBe(await fresh.count({}));
      expect(await opened[1]!.count({ impacts: ["HIGH"] })).toBe(await fresh.count({ impacts: ["HIGH"] }));
      const [a, b] = [await opened[2]!.page({ limit: 5, sort: "gene" }), await fresh.page({ limit: 5, sort: "gene" })];
      expect(a.rows.map((r) => [r.chrom, r.pos, r.alt, r.gene, r.consequence])).toEqual(
        b.rows.map((r) => [r.chrom, r.pos, r.alt, r.gene, r.consequence]),
      );
      expect(a.rows[0]!.rec).toBeNull();
      // Opened again (the job record now names the store): no second conversion.
      await service.open((await ports.jobStore.get(job.id))!, user);
      expect(logged.filter((m) => m.startsWith("converted"))).toHaveLength(1);
    } finally {
      await queries.close();
    }
  });

  test("through the container's query threads too; a file that is not the engine's is UNAVAILABLE naming it", async () => {
    const job = await legacyJob();
    expect(await (await h.container.results.open(job, user)).count({})).toBeGreaterThan(100);
    const broken = await legacyJob('{"format":"something-else/1","rows":[\n');
    const err = await h.container.results.open(broken, user).catch((e) => e);
    expect(err).toMatchObject({ code: "UNAVAILABLE" });
    expect(err.message).toContain("could not be converted");
    expect(err.message).toContain("is not a gas-annotations/1 file");
  });
});
