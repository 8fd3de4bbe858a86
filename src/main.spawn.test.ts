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
});
