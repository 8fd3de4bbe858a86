import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  STALE_TEMP_AFTER_MS,
  WRITER_TAG,
  processStartTime,
  removeStaleTempFiles,
  startStaleTempSweep,
  writerIsAlive,
} from "./stale-temp-files.ts";

/** Write `path` with its mtime `ageMs` in the past (a writer that stopped then). */
async function writeAged(path: string, ageMs: number, body = "half-written") {
  await Bun.write(path, body);
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
}

/** An age safely past the grace period, and one safely within it. */
const STALE_AGE_MS = STALE_TEMP_AFTER_MS + 60_000;
const FRESH_AGE_MS = 5_000;

const isTemp = (f: string) => f.endsWith(".tmp");
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gas-stale-temps-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("removeStaleTempFiles", () => {
  test("removes temp files unchanged for longer than the grace period, keeps fresh ones and everything else", async () => {
    await writeAged(join(dir, "a.tmp"), STALE_AGE_MS);
    await writeAged(join(dir, "b.tmp"), FRESH_AGE_MS);
    await writeAged(join(dir, "data.eml"), STALE_AGE_MS * 10, "real");
    await mkdir(join(dir, "folder.tmp")); // a folder with a temp-like name is never removed
    await utimes(join(dir, "folder.tmp"), new Date(0), new Date(0));

    expect(await removeStaleTempFiles({ dir, isTemp })).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(["b.tmp", "data.eml", "folder.tmp"]);
    expect(await removeStaleTempFiles({ dir, isTemp })).toBe(0);
  });

  test("looks in subfolders only when asked to", async () => {
    await mkdir(join(dir, "u1", "j1"), { recursive: true });
    await writeAged(join(dir, "u1", "j1", "x.tmp"), STALE_AGE_MS);
    expect(await removeStaleTempFiles({ dir, isTemp })).toBe(0);
    expect(await removeStaleTempFiles({ dir, isTemp, recursive: true })).toBe(1);
    expect(await readdir(join(dir, "u1", "j1"))).toEqual([]);
  });

  test("olderThanMs moves the cut-off", async () => {
    await writeAged(join(dir, "a.tmp"), 60_000);
    expect(await removeStaleTempFiles({ dir, isTemp })).toBe(0);
    expect(await removeStaleTempFiles({ dir, isTemp, olderThanMs: 30_000 })).toBe(1);
  });

  test("a folder that does not exist yet is 0, not an error", async () => {
    expect(await removeStaleTempFiles({ dir: join(dir, "missing"), isTemp, recursive: true })).toBe(0);
  });

  test("a folder that cannot be read rejects for whoever awaits, without an unhandled rejection", async () => {
    const notAFolder = join(dir, "file");
    await Bun.write(notAFolder, "x");
    const sweep = startStaleTempSweep({ dir: notAFolder, isTemp });
    await Bun.sleep(10); // an unhandled rejection would fail this test here
    await expect(sweep).rejects.toThrow(/ENOTDIR|not a directory/i);
  });
});

describe("temp files that name their writer (issue 13: kill -9 mid-upload)", () => {
  const writerOf = (f: string) => /\.(\d+-\d+)\.tmp$/.exec(f)?.[1] ?? null;

  test("a dead writer's file goes at once, however fresh; a live writer's stays, however old", async () => {
    const child = Bun.spawn(["true"]);
    await child.exited; // its pid is free now
    const dead = `x.${child.pid}-${processStartTime(process.pid) ?? 1}.tmp`;
    const live = `y.${WRITER_TAG}.tmp`;
    await writeAged(join(dir, dead), FRESH_AGE_MS);
    await writeAged(join(dir, live), STALE_AGE_MS);
    expect(await removeStaleTempFiles({ dir, isTemp, writerOf })).toBe(1);
    expect(await readdir(dir)).toEqual([live]);
  });

  test("a reused pid is not the writer: its start time differs", () => {
    const [pid, start] = WRITER_TAG.split("-");
    expect(writerIsAlive(WRITER_TAG)).toBe(true);
    if (Number(start) > 0) expect(writerIsAlive(`${pid}-${Number(start) - 1}`)).toBe(false); // /proc present
  });
});
