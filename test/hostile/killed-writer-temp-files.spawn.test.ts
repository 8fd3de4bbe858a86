/**
 * Issue 13 item 13: a kill -9 during an upload left a full-size temp file that the next start did
 * not remove (only a start 10 minutes later did). A child process writes an object that never
 * ends into the filesystem store; it is killed with SIGKILL mid-write; creating the store again
 * (what every start-up does) removes that temp file at once, and keeps the temp file of a writer
 * that is still running.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsObjectStore } from "../../src/adapters/local/fs-object-store.ts";

const STORE = join(import.meta.dir, "..", "..", "src", "adapters", "local", "fs-object-store.ts");

let root: string;
let OPTIONS_JSON = "";
const options = () => ({ root, bucket: "inputs", uploadUrl: "http://127.0.0.1/upload/inputs", signingSecret: "s".repeat(40) });
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "gas-killed-writer-"));
  OPTIONS_JSON = JSON.stringify(options());
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A child that puts `key` from a stream that sends 1 MiB, then waits forever. */
function startWriter(key: string) {
  const script = `
    const { createFsObjectStore } = await import(${JSON.stringify(STORE)});
    const store = createFsObjectStore(${OPTIONS_JSON});
    await store.staleTempsRemoved;
    const body = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(1 << 20)); } });
    await store.put(${JSON.stringify(key)}, body);
  `;
  return Bun.spawn(["bun", "-e", script], { stdout: "ignore", stderr: "inherit" });
}

async function tempsIn(folder: string): Promise<string[]> {
  return (await readdir(join(root, folder)).catch(() => [] as string[])).filter((f) => f.endsWith(".tmp-"));
}

async function waitForTemp(folder: string): Promise<string> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await Bun.sleep(50)) {
    const [temp] = await tempsIn(folder);
    if (temp && Bun.file(join(root, folder, temp)).size >= 1 << 20) return temp;
  }
  throw new Error(`no temp file appeared in ${folder}`);
}

describe("hostile: a writer killed mid-upload", () => {
  test("its temp file is removed at the next start; a live writer's is kept", async () => {
    const killed = startWriter("dead/upload.vcf");
    const alive = startWriter("live/upload.vcf");
    try {
      const deadTemp = await waitForTemp("dead");
      const liveTemp = await waitForTemp("live");
      killed.kill("SIGKILL");
      await killed.exited;

      // A start-up right after the crash: well within the 10-minute grace of the mtime rule.
      const store = createFsObjectStore(options());
      expect(await store.staleTempsRemoved).toBe(1);
      expect(await tempsIn("dead")).toEqual([]);
      expect(await tempsIn("live")).toEqual([liveTemp]);
      expect(deadTemp).not.toBe(liveTemp);
    } finally {
      alive.kill("SIGKILL");
      killed.kill("SIGKILL");
      await Promise.all([alive.exited, killed.exited]);
    }
  }, 60_000);
});
