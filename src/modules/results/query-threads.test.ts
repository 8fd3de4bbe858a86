/**
 * Results queries on worker threads: the same answers as in-process, a ResultsQueryError still a
 * ResultsQueryError, and the caller's event loop free while a heavy query runs (measured against
 * the same query in-process, which must block it, so the test can tell the difference).
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { DEMO_VCF_DIR, tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import { annotateFile, DEFAULT_BUNDLE_DIR, openReference } from "../annotator/index.ts";
import { createThreadQueries } from "./query-threads.ts";
import { ResultsQueryError, type VariantFilter } from "./results-store.ts";
import { createInProcessQueries } from "./store-queries.ts";

let small: string;
let big: string;
/**
 * A filter that reads every row of the (index-less) big store, and tests each against five
 * patterns (free text that is no HGVS): a known + AF filter scanned it in under 200 ms on a quiet box.
 */
const HEAVY: VariantFilter = { known: true, afMin: 0.0001, text: "zzz" };

beforeAll(async () => {
  const root = tempDir("gas-query-threads-");
  small = join(root, "demo.sqlite");
  const reference = await openReference({ bundleDir: DEFAULT_BUNDLE_DIR });
  try {
    await annotateFile({ input: join(DEMO_VCF_DIR, "test.vcf"), reference, outputs: { store: small } });
  } finally {
    await reference.close();
  }
  // The demo's variants copied 2^13 times (1.08M rows): a store whose full scans take a while.
  big = join(root, "big.sqlite");
  await copyFile(small, big);
  const db = new Database(big);
  db.run("PRAGMA journal_mode = OFF");
  db.run("PRAGMA synchronous = OFF");
  // Without its indexes (every query then scans, which is the point), the copy takes a second.
  for (const { name } of db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string }[])
    db.run(`DROP INDEX ${name}`);
  const others = (db.query("PRAGMA table_info(variants)").all() as { name: string }[]).map((c) => c.name).filter((n) => n !== "vid");
  db.transaction(() => {
    for (let i = 0; i < 13; i++)
      db.run(`INSERT INTO variants SELECT vid + (SELECT max(vid) FROM variants), ${others.join(", ")} FROM variants`);
  })();
  db.close();
}, 120_000);

const threads = createThreadQueries({ threads: 2 });
afterAll(() => threads.close());

/** The longest gap between 5 ms timer ticks while `work` runs. */
async function maxLag<T>(work: () => Promise<T>): Promise<{ lag: number; ms: number; value: T }> {
  let lag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  try {
    // Give the timer a tick before the work so an in-process query's block is measured.
    await Bun.sleep(10);
    const value = await work();
    await Bun.sleep(10);
    return { lag, ms: performance.now() - started, value };
  } finally {
    clearInterval(timer);
  }
}

describe("query threads", () => {
  test("answer as the store does in-process", async () => {
    const local = createInProcessQueries();
    try {
      for (const [method, args] of [
        ["summary", []],
        ["count", [{ impacts: ["HIGH", "MODERATE"] }]],
        ["page", [{ sort: "gene", limit: 5, filter: { known: false } }]],
        ["variant", [3]],
        ["transcripts", [3]],
      ] as const) {
        expect(await threads.run(small, method, args as never)).toEqual(await local.run(small, method, args as never));
      }
    } finally {
      await local.close();
    }
  });

  test("a refused query is a ResultsQueryError naming the problem", async () => {
    const err = await threads.run(small, "page", [{ filter: { region: "chr21:9-1" } }]).catch((e) => e);
    expect(err).toBeInstanceOf(ResultsQueryError);
    expect(err.message).toContain("start must be ≥ 1 and ≤ end");
  });

  test("a heavy query leaves the event loop free (in-process it blocks it)", async () => {
    const local = createInProcessQueries();
    try {
      const blocking = await maxLag(() => local.run(big, "count", [HEAVY]));
      const threaded = await maxLag(() => threads.run(big, "count", [HEAVY]));
      expect(threaded.value).toBe(blocking.value);
      console.log(
        `heavy count: in-process ${blocking.ms.toFixed(0)} ms, lag ${blocking.lag.toFixed(0)} ms; threaded lag ${threaded.lag.toFixed(0)} ms`,
      );
      // The scan takes 0.3–3 s (idle or loaded box): in-process the loop stalls that long; on a thread it ticks on (a loaded
      // 2-core box adds its own gaps, hence a ratio rather than a fixed bound).
      expect(blocking.ms).toBeGreaterThan(100);
      expect(blocking.lag).toBeGreaterThan(blocking.ms * 0.5);
      expect(threaded.lag).toBeLessThan(blocking.lag / 2);
    } finally {
      await local.close();
    }
  }, 60_000);

  test("a query past the timeout fails UNAVAILABLE and its thread is replaced", async () => {
    const impatient = createThreadQueries({ threads: 1, timeoutMs: 200 });
    // A small query answers within the limit once a thread is up (starting one on a loaded box may
    // itself take longer: a few tries).
    const small = async () => {
      for (let i = 0; ; i++) {
        try {
          return await impatient.run(big, "summary", []);
        } catch (err) {
          if (i === 9) throw err;
        }
      }
    };
    try {
      await small();
      // Sorting the whole index-less store: several times the scan, well past the limit.
      const started = performance.now();
      const err = await impatient.run(big, "page", [{ filter: HEAVY, sort: "hgvs_c", last: true }]).catch((e) => e);
      console.log(`stopped after ${(performance.now() - started).toFixed(0)} ms`);
      expect(err).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("took longer than 0 s") });
      expect(await small()).toBeDefined();
    } finally {
      await impatient.close();
    }
  }, 60_000);
});
