/**
 * Runs `bun src/main.ts` as a child process for end-to-end tests, and a small HTTP client with a
 * cookie jar that drives it the way a browser or an API client would.
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyMigratedPgliteDir } from "../../src/db/test-database.ts";
import { freePort } from "./free-port.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

export interface GasProcess {
  url: string;
  dataDir: string;
  proc: Bun.Subprocess;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  /** Wait until a log line matches. */
  waitForLog(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number>;
  /** SIGKILL (a crash). */
  kill9(): Promise<void>;
}

export interface StartOptions {
  role?: string;
  env?: Record<string, string>;
  dataDir?: string;
  port?: number;
  /** Executable and leading arguments instead of `bun src/main.ts` (the compiled binary's test). */
  command?: string[];
  /**
   * Let the process create and migrate its embedded PGlite itself, as on a first start. Otherwise
   * (the default, and always with DATABASE_URL) an empty DATA_DIR gets a copy of a migrated one.
   */
  freshDatabase?: boolean;
  cwd?: string;
}

/** Start a GAS process and wait until it logs "started". */
export async function startGas(opts: StartOptions = {}): Promise<GasProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "gas-e2e-")));
  const pgliteDir = join(dataDir, "pglite");
  if (!opts.freshDatabase && !opts.env?.DATABASE_URL && !existsSync(pgliteDir)) await copyMigratedPgliteDir(pgliteDir);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn([...(opts.command ?? ["bun", MAIN]), `--role=${opts.role ?? "all"}`], {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      PUBLIC_URL: url,
      SESSION_SECRET: "test-session-secret-test-session-secret",
      UPLOAD_SIGNING_SECRET: "test-upload-secret-test-upload-secret!",
      QUEUE_POLL_MS: "250",
      // Tests and benchmarks sign in and upload from one address far faster than people do; the
      // limiter has its own tests (src/roles/web/rate-limit.routes.test.ts).
      RATE_LIMIT_SIGNINS_PER_MINUTE: "0",
      RATE_LIMIT_UPLOADS_PER_MINUTE: "0",
      RATE_LIMIT_API_PER_MINUTE: "0",
      ...opts.env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of stream) {
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        raw.push(line);
        try {
          lines.push(JSON.parse(line));
        } catch {
          /* non-JSON output (a crash trace) stays in `raw` */
        }
      }
    }
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>);
  void pump(proc.stderr as ReadableStream<Uint8Array>);

  const waitForLog = async (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = lines.find(pred);
      if (hit) return hit;
      if (proc.exitCode !== null) throw new Error(`gas exited ${proc.exitCode}:\n${raw.slice(-30).join("\n")}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for a log line:\n${raw.slice(-30).join("\n")}`);
      await Bun.sleep(50);
    }
  };
  const quiet = opts.env?.LOG_LEVEL === "warn" || opts.env?.LOG_LEVEL === "error";
  try {
    await waitUntilUp();
  } catch (err) {
    proc.kill("SIGKILL"); // never leave a half-started server behind
    throw err;
  }
  async function waitUntilUp() {
    if (!quiet) await waitForLog((l) => l.msg === "started");
    else {
      // Benchmarks run with LOG_LEVEL=warn (no "started" line): wait for the web role instead.
      for (const deadline = Date.now() + 60_000; ; await Bun.sleep(100)) {
        if (proc.exitCode !== null) throw new Error(`gas exited ${proc.exitCode}:\n${raw.slice(-30).join("\n")}`);
        if (Date.now() > deadline) throw new Error("timed out waiting for /healthz");
        if ((await fetch(`${url}/healthz`).catch(() => null))?.ok) break;
      }
    }
  }
  return {
    url,
    dataDir,
    proc,
    logs: () => lines,
    waitForLog,
    stop: async () => {
      proc.kill("SIGTERM");
      return proc.exited;
    },
    kill9: async () => {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** A client with a cookie jar; `origin` is sent on every request like a browser would. */
export function createClient(baseUrl: string, opts: { token?: string } = {}) {
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
    if (!headers.has("origin")) headers.set("origin", new URL(baseUrl).origin);
    const res = await fetch(new URL(path, baseUrl), { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(c) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  return {
    request,
    json: (path: string, init: RequestInit = {}) =>
      request(path, {
        ...init,
        headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
      }),
    /** Dev sign-in through /login → /login/dev (form with its CSRF token), as a browser would. */
    async signIn(email: string, name = "Test User") {
      const start = await request("/login?next=/annotations");
      const formUrl = new URL(start.headers.get("location")!, baseUrl);
      const page = await (await request(formUrl.pathname + formUrl.search, { headers: { accept: "text/html" } })).text();
      const res = await request("/login/dev", {
        method: "POST",
        body: new URLSearchParams({ _csrf: csrfTokenIn(page), state: formUrl.searchParams.get("state")!, email, name }),
      });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      // A first sign-in asks for the profile; fill it in so the job pages open directly.
      if (res.headers.get("location")?.startsWith("/profile")) {
        const profile = await (await request("/profile", { headers: { accept: "text/html" } })).text();
        const saved = await request("/profile", {
          method: "POST",
          body: new URLSearchParams({ _csrf: csrfTokenIn(profile), name, email, institution: "Test Institute" }),
        });
        if (saved.status !== 303) throw new Error(`profile failed: ${saved.status} ${await saved.text()}`);
      }
    },
  };
}

/** The CSRF token of the first form on a page. */
export function csrfTokenIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error("no CSRF token on the page");
  return token;
}

export type Client = ReturnType<typeof createClient>;

/** The hidden fields and action of the upload form on the /annotate page. */
export function parseUploadForm(html: string): { action: string; fields: Record<string, string> } {
  const unescapeHtml = (s: string) =>
    s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  const form = /<form[^>]*action="([^"]+)"[^>]*enctype="multipart\/form-data"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  const action = form?.[1];
  if (!action) throw new Error("no upload form on the page");
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g))
    fields[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  return { action: unescapeHtml(action), fields };
}

/** POST the signed form with a file part last, as the browser does. */
export async function postUpload(client: Client, action: string, fields: Record<string, string>, file: File) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  body.append("file", file);
  return client.request(action, { method: "POST", body });
}

/** Poll the JSON API until the job leaves PENDING/RUNNING (or `until` says stop). */
export async function waitForJob(
  client: Client,
  jobId: string,
  until: (status: string) => boolean = (s) => s === "COMPLETED" || s === "FAILED",
  timeoutMs = 90_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.json(`/annotations/${jobId}`);
    const body = (await res.json()) as Record<string, unknown>;
    if (until(String(body.job_status))) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} stuck: ${JSON.stringify(body)}`);
    await Bun.sleep(100);
  }
}
