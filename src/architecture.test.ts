/** Dependency rules (STYLE.md §c): domain modules never import adapters; only container.ts does. */
import { describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";

const SRC = import.meta.dir;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { recursive: true })) as string[];
  return entries.filter((f) => /\.(ts|tsx)$/.test(f)).map((f) => join(dir, f));
}

/** Every relative import/export specifier in a file, resolved against the file's folder. */
async function importsOf(file: string): Promise<string[]> {
  const text = await Bun.file(file).text();
  const specs = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(join(file, ".."), s)));
}

describe("architecture", () => {
  test("src/modules/** never imports src/adapters/**", async () => {
    const offenders: string[] = [];
    for (const f of await sourceFiles(join(SRC, "modules"))) {
      for (const target of await importsOf(f)) if (target.startsWith("adapters/")) offenders.push(`${relative(SRC, f)} → ${target}`);
    }
    expect(offenders).toEqual([]);
  });

  test("only container.ts (and adapter tests) import adapters outside src/adapters", async () => {
    const offenders: string[] = [];
    for (const f of await sourceFiles(SRC)) {
      const rel = relative(SRC, f);
      if (rel.startsWith("adapters/") || rel === "container.ts") continue;
      for (const target of await importsOf(f)) if (target.startsWith("adapters/")) offenders.push(`${rel} → ${target}`);
    }
    expect(offenders).toEqual([]);
  });

  test("ports depend on nothing but other ports and shared", async () => {
    const offenders: string[] = [];
    for (const f of await sourceFiles(join(SRC, "ports"))) {
      for (const target of await importsOf(f)) if (!target.startsWith("ports/") && !target.startsWith("shared/")) offenders.push(`${relative(SRC, f)} → ${target}`);
    }
    expect(offenders).toEqual([]);
  });
});
