/**
 * Issue 13, item 11: X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES.
 * It used to be believed from any private address, so with HOST=0.0.0.0 any client on the LAN (or
 * on the box) rotated the header past the sign-in rate limit. Through a real Bun server, so the
 * socket peer is real (127.0.0.1 here).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { startWebHarness } from "../support/web-harness.ts";
import { awayFromMinuteBoundary } from "./captured-app.ts";

const ANSIBLE = join(import.meta.dir, "..", "..", "ansible");

/** The web app on a real loopback socket; `signIn` posts one (CSRF-less, so 403) sign-in attempt. */
async function served(env: Record<string, string>) {
  const h = await startWebHarness({ RATE_LIMIT_SIGNINS_PER_MINUTE: "3", ...env });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: h.app.fetch });
  const signIn = async (forwardedFor?: string) => {
    const headers: Record<string, string> = { origin: "http://gas.test" };
    if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
    const res = await fetch(`http://127.0.0.1:${server.port}/login/dev`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ email: "x@example.org" }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const close = async () => {
    await server.stop(true);
    await h.close();
  };
  return { signIn, close };
}

describe("X-Forwarded-For from an untrusted peer", () => {
  let s: Awaited<ReturnType<typeof served>>;
  beforeAll(async () => {
    s = await served({});
  }, 60_000);
  afterAll(() => s.close());

  test("without TRUSTED_PROXIES a loopback client cannot rotate the header past the sign-in limit", async () => {
    await awayFromMinuteBoundary();
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push(await s.signIn(`198.51.100.${i}`));
    expect(statuses).toEqual([403, 403, 403, 429]);
  });
});

describe("X-Forwarded-For from a trusted proxy", () => {
  let s: Awaited<ReturnType<typeof served>>;
  beforeAll(async () => {
    s = await served({ TRUSTED_PROXIES: "127.0.0.1, 10.20.0.0/24" });
  }, 60_000);
  afterAll(() => s.close());

  test("the client is the last hop no trusted proxy appended; what the client itself sent is ignored", async () => {
    await awayFromMinuteBoundary();
    // Three attempts each from three clients behind the proxy: none is limited.
    for (let i = 1; i <= 3; i++)
      for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) expect(await s.signIn(client)).toBe(403);
    // 203.0.113.1 forging earlier hops, or passing through a second trusted proxy (10.20.0.7), is still 203.0.113.1.
    expect(await s.signIn("6.6.6.6, 203.0.113.1")).toBe(429);
    expect(await s.signIn("7.7.7.7, 203.0.113.1, 10.20.0.7")).toBe(429);
  });
});

describe("TRUSTED_PROXIES configuration", () => {
  const base = {
    NODE_ENV: "test",
    SESSION_SECRET: "proxies-session-secret-0123456789",
    UPLOAD_SIGNING_SECRET: "proxies-upload-secret-0123456789",
  };

  test("addresses and CIDR ranges are accepted; anything else is refused, naming the variable and the entry", () => {
    expect(loadConfig({ ...base, TRUSTED_PROXIES: "127.0.0.1,::1, 10.20.0.0/24 fd00::/8" }).http.trustedProxies).toEqual([
      "127.0.0.1/32",
      "::1/128",
      "10.20.0.0/24",
      "fd00::/8",
    ]);
    expect(loadConfig(base).http.trustedProxies).toEqual([]);
    for (const bad of ["localhost", "10.0.0.0/33", "::1/129", "10.0.0.1/x", "10.0.0.256"]) {
      expect(() => loadConfig({ ...base, TRUSTED_PROXIES: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TRUSTED_PROXIES: bad })).toThrow(
        new RegExp(`TRUSTED_PROXIES: .*${bad.replace(/[./:]/g, "\\$&")}`),
      );
    }
  });

  test("Ansible sets it for the web role: nginx's loopback on one box, the ALB's subnets on AWS", async () => {
    const template = await readFile(join(ANSIBLE, "roles/common/templates/gas.env.j2"), "utf8");
    expect(template).toContain("TRUSTED_PROXIES={{ gas_trusted_proxies | join(',') }}");
    const local = await readFile(join(ANSIBLE, "inventories/local/group_vars/all/main.yml"), "utf8");
    expect(local).toMatch(/^gas_trusted_proxies: \[127\.0\.0\.1, "::1"\]$/m);
    const aws = await readFile(join(ANSIBLE, "inventories/aws/group_vars/all.yml"), "utf8");
    const subnets = /^gas_public_subnets: (\[.*\])$/m.exec(
      await readFile(join(ANSIBLE, "roles/aws_topology/defaults/main.yml"), "utf8"),
    )![1];
    expect(aws).toContain(`gas_trusted_proxies: ${subnets}`);
  });
});
