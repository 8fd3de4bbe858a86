/**
 * The web role's local folder of results stores, over the container's real results ObjectStore
 * (the filesystem adapter): one download per key however many ask at once, the size cap kept by
 * deleting the least recently used files nobody holds, held files kept, a restart reusing files.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ContainerHarness, startContainerHarness } from "../../../test/support/container-harness.ts";
import { tempDir } from "../../../test/support/engine/gas-cli-runner.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { createStoreCache } from "./store-cache.ts";

let h: ContainerHarness;
beforeAll(async () => {
  h = await startContainerHarness();
}, 120_000);
afterAll(() => h?.close());

const KB400 = 400 * 1024;

/** The real results store, counting its downloads. */
function counting(results: ObjectStore) {
  const gets: string[] = [];
  return { gets, store: { get: (key: string) => (gets.push(key), results.get(key)) } };
}

async function put(key: string, bytes = KB400) {
  await h.container.ports.results.put(key, new Uint8Array(bytes).fill(key.length));
}

describe("store cache", () => {
  test("concurrent acquires of one key download it once; the file is the object", async () => {
    await put("u/one.results.sqlite");
    const { gets, store } = counting(h.container.ports.results);
    const cache = createStoreCache({ dir: tempDir("gas-cache-"), maxBytes: 1 << 20, results: store });
    const leases = await Promise.all(Array.from({ length: 5 }, () => cache.acquire("u/one.results.sqlite")));
    expect(gets).toEqual(["u/one.results.sqlite"]);
    expect(new Set(leases.map((l) => l.path)).size).toBe(1);
    expect(Bun.file(leases[0]!.path).size).toBe(KB400);
    expect(cache.bytes).toBe(KB400);
    for (const l of leases) l.release();
  });

  test("evict drops an idle copy at once and a held one at its last release; an unknown key is ignored", async () => {
    for (const k of ["e1", "e2"]) await put(`u/${k}.results.sqlite`);
    const evicted: string[] = [];
    const cache = createStoreCache({
      dir: tempDir("gas-cache-"),
      maxBytes: 1 << 30,
      results: h.container.ports.results,
      onEvict: (p) => evicted.push(p),
    });
    const idle = await cache.acquire("u/e1.results.sqlite");
    idle.release();
    const held = await cache.acquire("u/e2.results.sqlite");
    const again = await cache.acquire("u/e2.results.sqlite");
    cache.evict("u/e1.results.sqlite");
    cache.evict("u/e2.results.sqlite");
    cache.evict("u/never.results.sqlite");
    expect(evicted).toEqual([idle.path]);
    expect(cache.bytes).toBe(KB400);
    held.release();
    expect(existsSync(held.path)).toBe(true); // still held once
    again.release();
    expect(evicted).toEqual([idle.path, held.path]);
    expect(cache.bytes).toBe(0);
    await Bun.sleep(50);
    expect(existsSync(idle.path) || existsSync(held.path)).toBe(false);
  });

  test("over the cap, the least recently used idle files go; held ones stay", async () => {
    for (const k of ["a", "b", "c", "d"]) await put(`u/${k}.results.sqlite`);
    const evicted: string[] = [];
    const dir = tempDir("gas-cache-");
    const cache = createStoreCache({ dir, maxBytes: 1 << 20, results: h.container.ports.results, onEvict: (p) => evicted.push(p) });
    const a = await cache.acquire("u/a.results.sqlite");
    const b = await cache.acquire("u/b.results.sqlite");
    b.release();
    a.release();
    // b is now the least recently used; a third file (1.2 MB in all) pushes it out.
    const c = await cache.acquire("u/c.results.sqlite");
    expect(evicted).toEqual([b.path]);
    expect(existsSync(b.path)).toBe(false);
    expect(cache.bytes).toBeLessThanOrEqual(1 << 20);
    // Held files are never deleted: three held exceed the cap, and stay.
    const a2 = await cache.acquire("u/a.results.sqlite");
    const d = await cache.acquire("u/d.results.sqlite");
    expect([a2.path, c.path, d.path].every((p) => existsSync(p))).toBe(true);
    expect(cache.bytes).toBe(3 * KB400);
    for (const l of [a2, c, d]) l.release();
    await Bun.sleep(50); // removals finish after release
    expect(cache.bytes).toBeLessThanOrEqual(1 << 20);
    expect((await readdir(dir)).length).toBe(2);
  });

  test("an absent object is NOT_FOUND, and is asked for again next time", async () => {
    const { gets, store } = counting(h.container.ports.results);
    const cache = createStoreCache({ dir: tempDir("gas-cache-"), maxBytes: 1 << 20, results: store });
    await expect(cache.acquire("u/none.results.sqlite")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await put("u/none.results.sqlite");
    const lease = await cache.acquire("u/none.results.sqlite");
    expect(gets).toHaveLength(2);
    lease.release();
  });

  test("a restart reuses the files it finds and deletes dead downloads' temp files", async () => {
    await put("u/kept.results.sqlite");
    const dir = tempDir("gas-cache-");
    const first = createStoreCache({ dir, maxBytes: 1 << 20, results: h.container.ports.results });
    (await first.acquire("u/kept.results.sqlite")).release();
    const stale = join(dir, "x.sqlite.1.abc.tmp");
    const fresh = join(dir, "y.sqlite.2.def.tmp");
    await writeFile(stale, "partial");
    await writeFile(fresh, "partial");
    const old = new Date(Date.now() - 3600_000);
    await utimes(stale, old, old);
    const { gets, store } = counting(h.container.ports.results);
    const second = createStoreCache({ dir, maxBytes: 1 << 20, results: store });
    (await second.acquire("u/kept.results.sqlite")).release();
    expect(gets).toEqual([]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true); // maybe another live process's download
  });
});
