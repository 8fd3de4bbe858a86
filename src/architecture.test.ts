/**
 * Dependency rules (STYLE.md §c), lowest layer first:
 *   shared, ports, db          → nothing above them
 *   web (the kit: layout, guards, CSRF, negotiation) and metrics (infrastructure)
 *                              → never a module, a role, an adapter or the container
 *   modules (the domain)       → never an adapter, a role or the container
 *   roles (what a process runs; roles/web composes the app) and container.ts (picks adapters)
 * Only container.ts imports adapters outside src/adapters.
 */
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
  const specs = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );
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
      for (const target of await importsOf(f))
        if (!target.startsWith("ports/") && !target.startsWith("shared/")) offenders.push(`${relative(SRC, f)} → ${target}`);
    }
    expect(offenders).toEqual([]);
  });

  /** Relative imports of every non-test file under `dir` whose target starts with one of `forbidden`. */
  async function offendersIn(dir: string, forbidden: string[]): Promise<string[]> {
    const offenders: string[] = [];
    for (const f of await sourceFiles(join(SRC, dir))) {
      if (/\.test\.tsx?$/.test(f)) continue;
      for (const target of await importsOf(f))
        if (forbidden.some((p) => target === p || target.startsWith(p))) offenders.push(`${relative(SRC, f)} → ${target}`);
    }
    return offenders;
  }

  test("the web kit (src/web) imports no module, role, adapter or the container: modules stand on it", async () => {
    expect(await offendersIn("web", ["modules/", "roles/", "adapters/", "container.ts", "metrics/"])).toEqual([]);
  });

  test("metrics is infrastructure: no module, role, adapter or the container", async () => {
    expect(await offendersIn("metrics", ["modules/", "roles/", "adapters/", "container.ts", "web/"])).toEqual([]);
  });

  test("modules import no role and not the container (the composition happens above them)", async () => {
    expect(await offendersIn("modules", ["roles/", "container.ts"])).toEqual([]);
  });

  test("routes live in modules or in roles/web, not in the web kit", async () => {
    const kitRoutes = (await sourceFiles(join(SRC, "web"))).filter((f) => /\.routes\.tsx?$/.test(f)).map((f) => relative(SRC, f));
    expect(kitRoutes).toEqual([]);
  });

  test("the annotation engine is pure: it imports nothing outside src/modules/annotator", async () => {
    const outside = (await offendersIn("modules/annotator", [""])).filter((o) => !o.split(" → ")[1]!.startsWith("modules/annotator/"));
    expect(outside).toEqual([]);
  });

  test("the engine's I/O layer (annotator/io) stands on nothing else of the engine", async () => {
    const outside = (await offendersIn("modules/annotator/io", [""])).filter(
      (o) => !o.split(" → ")[1]!.startsWith("modules/annotator/io/"),
    );
    expect(outside).toEqual([]);
  });
});
