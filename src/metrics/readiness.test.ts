/**
 * /readyz names what is down (issue 14 item 5). The checks run against the real composition root
 * (PGlite, the filesystem stores, the PostgreSQL queue) of the in-process web harness; closing its
 * database is a real outage of every backend that lives in PostgreSQL locally.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebHarness, startWebHarness } from "../../test/support/web-harness.ts";
import { NotReadyError, checkReady, readinessChecks } from "./readiness.ts";

describe("readiness", () => {
  test("each role checks the backends it uses, once each", () => {
    // The SES mailer has a check (ready); the outbox and SMTP mailers have none.
    const c = { database: {}, ports: { mailer: { ready: async () => {} } } } as Parameters<typeof readinessChecks>[0];
    const names = (roles: Parameters<typeof readinessChecks>[1]) => readinessChecks(c, roles).map((x) => x.name);
    expect(names(["web"])).toEqual(["database", "jobs", "inputs", "results", "queue annotator", "mail"]);
    expect(names(["annotator"])).toEqual(["database", "jobs", "inputs", "results", "queue annotator"]);
    expect(names(["archiver"])).toEqual(["database", "jobs", "results", "queue archiver"]);
    expect(names(["notifier"])).toEqual(["database", "jobs", "queue notifier", "mail"]);
    expect(names(["web", "annotator", "archiver", "notifier"])).toEqual([
      "database",
      "jobs",
      "inputs",
      "results",
      "queue annotator",
      "queue archiver",
      "queue notifier",
      "mail",
    ]);
  });

  test("a mailer without a check (outbox, SMTP) adds none", () => {
    const c = { database: {}, ports: { mailer: {} } } as Parameters<typeof readinessChecks>[0];
    expect(readinessChecks(c, ["web", "notifier"]).map((x) => x.name)).not.toContain("mail");
  });

  test("a check that hangs counts as failed after the timeout; the others still answer", async () => {
    const started = performance.now();
    const err = await checkReady(
      [
        { name: "fast", check: async () => {} },
        { name: "hung", check: () => new Promise(() => {}) },
        { name: "broken", check: async () => Promise.reject(new Error("ECONNREFUSED")) },
      ],
      200,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotReadyError);
    expect((err as NotReadyError).failed).toEqual(["hung", "broken"]);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  describe("GET /readyz of the web app", () => {
    let h: WebHarness;
    beforeAll(async () => {
      h = await startWebHarness();
    }, 60_000);
    afterAll(() => h.close().catch(() => {}));

    test("ready, then 503 naming the backends that live in the closed database", async () => {
      const ok = await h.app.request("http://gas.test/readyz");
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ status: "ready" });
      await h.container.database.close();
      const down = await h.app.request("http://gas.test/readyz");
      expect(down.status).toBe(503);
      const body = (await down.json()) as { status: string; failed: string[] };
      expect(body.status).toBe("unavailable");
      expect(body.failed).toEqual(expect.arrayContaining(["database", "jobs", "queue annotator"]));
      expect(body.failed).not.toContain("inputs");
      // Liveness is not readiness: the process still answers.
      expect((await h.app.request("http://gas.test/healthz")).status).toBe(200);
    });
  });
});
