import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  test("defaults: PGlite under DATA_DIR, local backend, the original's limits, generated dev secrets", () => {
    const c = loadConfig({ DATA_DIR: "/tmp/gas" });
    expect(c.database).toEqual({ kind: "pglite", dataDir: "/tmp/gas/pglite" });
    expect(c.http.port).toBe(3000);
    expect(c.limits).toEqual({
      freeMaxUploadBytes: 153_600,
      plans: {
        free: { maxInputBytes: 10 * 1024 ** 2, maxVariants: 50_000, maxResultBytes: 256 * 1024 ** 2, maxRunningJobs: 1 },
        premium: { maxInputBytes: 0, maxVariants: 0, maxResultBytes: 0, maxRunningJobs: 4 },
      },
      archiveAfterSeconds: 300,
      restoreCheckSeconds: 3600,
      uploadPolicySeconds: 300,
      rate: { signInsPerMinute: 30, uploadsPerMinute: 300, requestsPerUserPerMinute: 900 },
    });
    expect(c.secrets.session.length).toBeGreaterThanOrEqual(32);
    expect(c.production).toBe(false);
  });

  test("plan quotas: set per plan; 0 is no limit, except for running jobs; bad values named", () => {
    const c = loadConfig({ FREE_MAX_VARIANTS: "1000", PREMIUM_MAX_RESULT_BYTES: "5000000000", PREMIUM_MAX_RUNNING_JOBS: "2" });
    expect(c.limits.plans.free.maxVariants).toBe(1000);
    expect(c.limits.plans.premium).toMatchObject({ maxResultBytes: 5_000_000_000, maxRunningJobs: 2 });
    expect(() => loadConfig({ FREE_MAX_RUNNING_JOBS: "0", FREE_MAX_INPUT_BYTES: "10MB" })).toThrow(
      /FREE_MAX_INPUT_BYTES: .*\n {2}FREE_MAX_RUNNING_JOBS: /,
    );
  });

  test("DATABASE_URL switches to PostgreSQL; empty values count as unset", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db" }).database).toEqual({ kind: "postgres", url: "postgres://u@h/db", poolMax: 10 });
    expect(loadConfig({ DATABASE_URL: "" }).database.kind).toBe("pglite");
  });

  test("DATABASE_POOL_MAX sizes the pool (the AWS playbook budgets it per role); 0 is refused", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_POOL_MAX: "4" }).database).toMatchObject({ poolMax: 4 });
    expect(() => loadConfig({ DATABASE_URL: "postgres://u@h/db", DATABASE_POOL_MAX: "0" })).toThrow(/DATABASE_POOL_MAX/);
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

  test("results cache and query threads: defaults under DATA_DIR; bad values named", () => {
    const c = loadConfig({ DATA_DIR: "/tmp/gas" });
    expect(c.results.cacheDir).toBe("/tmp/gas/results-cache");
    expect(c.results.cacheMaxBytes).toBe(2 * 1024 ** 3);
    expect([1, 2]).toContain(c.results.queryThreads);
    expect(loadConfig({ RESULTS_CACHE_DIR: "/srv/cache", RESULTS_QUERY_THREADS: "4" }).results).toMatchObject({
      cacheDir: "/srv/cache",
      queryThreads: 4,
    });
    expect(() => loadConfig({ RESULTS_CACHE_MAX_BYTES: "1000" })).toThrow(/RESULTS_CACHE_MAX_BYTES: must be at least 1048576/);
    expect(() => loadConfig({ RESULTS_QUERY_THREADS: "0" })).toThrow(/RESULTS_QUERY_THREADS: must be from 1 to 8/);
    expect(() => loadConfig({ RESULTS_QUERY_THREADS: "9" })).toThrow(/RESULTS_QUERY_THREADS: must be from 1 to 8/);
  });

  test("LOG_LEVEL and NODE_ENV accept only known values", () => {
    expect(() => loadConfig({ LOG_LEVEL: "chatty" })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ NODE_ENV: "staging" })).toThrow(/NODE_ENV/);
  });
  test("SMTP_URL: smtp:// or smtps:// with optional user:pass, default ports, percent-decoded credentials", () => {
    expect(loadConfig({}).mail.smtp).toBeNull();
    expect(loadConfig({ SMTP_URL: "smtp://mail.example.org" }).mail.smtp).toEqual({
      host: "mail.example.org",
      port: 587,
      secure: false,
      user: null,
      pass: null,
    });
    expect(loadConfig({ SMTP_URL: "smtps://me%40example.org:p%2Fss@mail.example.org" }).mail.smtp).toEqual({
      host: "mail.example.org",
      port: 465,
      secure: true,
      user: "me@example.org",
      pass: "p/ss",
    });
    expect(loadConfig({ SMTP_URL: "smtp://u:p@[::1]:2525" }).mail.smtp).toMatchObject({ host: "::1", port: 2525, user: "u", pass: "p" });
  });

  test("a bad SMTP_URL is named with the reason, and its password is never echoed", () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    expect(message({ SMTP_URL: "http://u:hunter2@mail.example.org" })).toMatch(/SMTP_URL: must start with smtp:\/\/ or smtps:\/\//);
    expect(message({ SMTP_URL: "http://u:hunter2@mail.example.org" })).not.toContain("hunter2");
    expect(message({ SMTP_URL: "smtp://mail.example.org:99999" })).toContain("SMTP_URL: must be a URL");
    expect(message({ SMTP_URL: "smtp://:pw@mail.example.org" })).toContain("SMTP_URL: has a password but no user name");
    expect(message({ SMTP_URL: "smtp://mail.example.org/inbox" })).toContain("SMTP_URL: must not have a path");
    expect(message({ SMTP_URL: "mail.example.org" })).toContain("SMTP_URL:");
    expect(message({ DATABASE_URL: "mysql://root:hunter2@db/x" })).not.toContain("hunter2");
  });

  test("archive vault and Stripe: RESTORE_DELAY_SECONDS defaults to 10; Stripe needs all three variables; secrets are never echoed", () => {
    expect(loadConfig({ DATA_DIR: "/tmp/gas" }).vault).toEqual({ dir: "/tmp/gas/vault", restoreDelaySeconds: 10 });
    expect(loadConfig({ RESTORE_DELAY_SECONDS: "1" }).vault.restoreDelaySeconds).toBe(1);
    expect(loadConfig({}).stripe).toBeNull();
    const stripe = { STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc", STRIPE_PRICE_ID: "price_abc" };
    expect(loadConfig({ ...stripe, STRIPE_API_URL: "http://127.0.0.1:12111" }).stripe).toEqual({
      secretKey: "sk_test_abc",
      webhookSecret: "whsec_abc",
      priceId: "price_abc",
      api: { host: "127.0.0.1", port: 12111, protocol: "http" },
    });
    const error = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return "";
      } catch (err) {
        return (err as ConfigError).message;
      }
    };
    expect(error({ STRIPE_SECRET_KEY: "sk_test_abc" })).toContain(
      "STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_ID: required with STRIPE_SECRET_KEY",
    );
    const bad = error({ ...stripe, STRIPE_SECRET_KEY: "pk_live_oops", STRIPE_PRICE_ID: "prod_x" });
    expect(bad).toContain("STRIPE_SECRET_KEY: must be a Stripe secret key");
    expect(bad).toContain('STRIPE_PRICE_ID: must be a Stripe price id (price_…) (got "prod_x")');
    expect(bad).not.toContain("pk_live_oops");
  });
});
