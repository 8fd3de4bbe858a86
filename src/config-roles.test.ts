/**
 * Secrets per role (issue 14 item 4): on AWS each role receives only the secrets it uses, so a
 * process validates at start-up what its own roles need. The web role's session and upload-form
 * secrets are required in production only when the process runs the web role; given to a worker
 * anyway, they are still checked.
 */
import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

const production = { NODE_ENV: "production", PUBLIC_URL: "https://gas.example.org", DATABASE_URL: "postgres://gas@db/gas" };
const strong = () => crypto.getRandomValues(new Uint8Array(32)).reduce((hex, b) => hex + b.toString(16).padStart(2, "0"), "");

describe("production secrets per role", () => {
  test("annotator, archiver, notifier start without the web role's secrets", () => {
    for (const role of ["annotator", "archiver", "notifier"] as const) {
      const c = loadConfig(production, { roles: [role] });
      expect(c.production).toBe(true);
    }
    expect(loadConfig(production, { roles: ["annotator", "archiver", "notifier"] }).production).toBe(true);
  });

  test("the web role, alone or with others (and a process with no roles named), still requires them", () => {
    for (const roles of [["web"], ["web", "annotator"], undefined] as const) {
      expect(() => loadConfig(production, roles ? { roles } : {})).toThrow(
        /SESSION_SECRET: .*NODE_ENV=production[\s\S]*UPLOAD_SIGNING_SECRET: .*NODE_ENV=production/,
      );
    }
    const secrets = { SESSION_SECRET: strong(), UPLOAD_SIGNING_SECRET: strong() };
    expect(loadConfig({ ...production, ...secrets }, { roles: ["web"] }).secrets.session).toBe(secrets.SESSION_SECRET);
  });

  test("a worker handed a weak or shared secret anyway is refused, naming it", () => {
    expect(() => loadConfig({ ...production, SESSION_SECRET: "change-me-change-me-change-me-session!" }, { roles: ["notifier"] })).toThrow(
      /SESSION_SECRET: is a placeholder/,
    );
    const same = strong();
    expect(() => loadConfig({ ...production, SESSION_SECRET: same, UPLOAD_SIGNING_SECRET: same }, { roles: ["archiver"] })).toThrow(
      ConfigError,
    );
  });
});
