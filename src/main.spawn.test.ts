/** The executable's command line, tested the Bun way: spawn it and look at exit code and stderr. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const MAIN = join(import.meta.dir, "main.ts");
const run = (args: string[], env: Record<string, string> = {}) =>
  Bun.spawnSync(["bun", MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stderr: "pipe", stdout: "pipe" });

describe("gas command line", () => {
  test("an unknown role exits non-zero and names the flag", () => {
    const r = run(["--role=nope"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("--role");
    expect(r.stderr.toString()).toContain('"nope"');
  });

  test("an unknown flag exits non-zero", () => {
    expect(run(["--rol=web"]).exitCode).not.toBe(0);
  });

  test("a bad environment exits 78 naming each variable", () => {
    const r = run(["--role=web"], { PORT: "nope", DATABASE_URL: "mysql://x" });
    expect(r.exitCode).toBe(78);
    expect(r.stderr.toString()).toContain("PORT:");
    expect(r.stderr.toString()).toContain("DATABASE_URL:");
  });

  test("`annotate` is dispatched to the engine's CLI", () => {
    const r = run(["annotate", "/nonexistent/input.vcf"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("gas annotate");
  });

  test("a bare `gas`, `gas --help` and `gas help` print every command and exit 0 (no server starts)", () => {
    for (const args of [[], ["--help"], ["-h"], ["help"]]) {
      const r = run(args);
      expect({ args, code: r.exitCode }).toEqual({ args, code: 0 });
      const out = r.stdout.toString();
      for (const cmd of ["gas serve", "gas annotate", "gas refdata prepare", "gas aws bootstrap", "gas --version"])
        expect(out).toContain(cmd);
    }
  });

  test("`gas annotate --help` and `gas refdata --help` print the engine's usage and exit 0", () => {
    for (const args of [
      ["annotate", "--help"],
      ["refdata", "--help"],
      ["refdata", "prepare", "--help"],
    ]) {
      const r = run(args);
      expect({ args, code: r.exitCode }).toEqual({ args, code: 0 });
      expect(r.stdout.toString()).toContain("gas annotate IN");
    }
  });

  test("an unknown command exits 2 naming it, with the help", () => {
    const r = run(["frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain('unknown command "frobnicate"');
    expect(r.stderr.toString()).toContain("gas serve");
  });

  test("`gas serve --role=…` validates the role like `gas --role=…`", () => {
    const r = run(["serve", "--role=nope"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain('"nope"');
  });
});
