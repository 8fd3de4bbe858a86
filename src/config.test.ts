import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  test("defaults: PGlite under DATA_DIR, local backend, the original's limits, generated dev secrets", () => {
    const c = loadConfig({ DATA_DIR: "/tmp/gas" });
    expect(c.database).toEqual({ kind: "pglite", dataDir: "/tmp/gas/pglite" });
    expect(c.http.port).toBe(3000);
    expect(c.limits).toEqual({ freeMaxUploadBytes: 153_600, archiveAfterSeconds: 300, uploadPolicySeconds: 300 });
    expect(c.secrets.session.length).toBeGreaterThanOrEqual(32);
    expect(c.production).toBe(false);
  });

  test("DATABASE_URL switches to PostgreSQL; empty values count as unset", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db" }).database).toEqual({ kind: "postgres", url: "postgres://u@h/db" });
    expect(loadConfig({ DATABASE_URL: "" }).database.kind).toBe("pglite");
  });

  test("every bad or missing variable is named in one error", () => {
    let message = "";
    try {
      loadConfig({ NODE_ENV: "production", PORT: "http", DATABASE_URL: "mysql://x", QUEUE_MAX_ATTEMPTS: "0", SESSION_SECRET: "short" });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    for (const name of ["PORT", "DATABASE_URL", "QUEUE_MAX_ATTEMPTS", "SESSION_SECRET", "UPLOAD_SIGNING_SECRET", "PUBLIC_URL"]) {
      expect(message).toContain(`  ${name}:`);
    }
    expect(message).not.toContain('"short"'); // secrets are not echoed
  });

  test("LOG_LEVEL and NODE_ENV accept only known values", () => {
    expect(() => loadConfig({ LOG_LEVEL: "chatty" })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ NODE_ENV: "staging" })).toThrow(/NODE_ENV/);
  });
});
