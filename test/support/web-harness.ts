/**
 * The web app in-process for route tests: the real composition root (PGlite and the filesystem
 * under a temp folder), driven with `app.request()` through a small cookie-jar client. Jobs are
 * put in place through the JobStore and ObjectStore ports, as the annotator would leave them.
 */
import { type ContainerHarness, ORIGIN, startContainerHarness } from "./container-harness.ts";
import { createWebApp } from "../../src/roles/web/app.tsx";
import { webDepsFrom } from "../../src/roles/web/web-deps.ts";
import { csrfTokenIn } from "./gas-process.ts";

export { ORIGIN, demoRows } from "./container-harness.ts";

export interface WebHarness extends ContainerHarness {
  app: ReturnType<typeof createWebApp>;
  client(): WebClient;
}

export type WebClient = ReturnType<typeof makeClient>;

function makeClient(app: WebHarness["app"]) {
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit & { json?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    if (!headers.has("origin") && init.method && init.method !== "GET") headers.set("origin", ORIGIN);
    if (!headers.has("accept")) headers.set("accept", "text/html");
    const res = await app.request(new URL(path, ORIGIN).toString(), { ...init, headers, redirect: "manual" });
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
  const client = {
    jar,
    request,
    /** GET a page, then POST a form on it with the page's CSRF token. */
    async submit(pagePath: string, action: string, fields: Record<string, string>) {
      const page = await (await request(pagePath)).text();
      return request(action, { method: "POST", body: new URLSearchParams({ _csrf: csrfTokenIn(page), ...fields }) });
    },
    /** Dev sign-in and (for a new account) the profile form; returns the user id. */
    async signIn(email: string, name = "Test User"): Promise<string> {
      const start = await request("/login?next=/annotations");
      const form = new URL(start.headers.get("location")!, ORIGIN);
      const res = await client.submit(form.pathname + form.search, "/login/dev", { state: form.searchParams.get("state")!, email, name });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      if (res.headers.get("location")!.startsWith("/profile")) {
        const saved = await client.submit("/profile", "/profile", { name, email, institution: "Test Institute" });
        if (saved.status !== 303) throw new Error(`profile failed: ${saved.status}`);
      }
      const profile = await (await request("/profile")).text();
      return /id="account-id" value="([^"]+)"/.exec(profile)![1]!;
    },
  };
  return client;
}

/** Start the harness. `env` adds to the test environment (e.g. FREE_MAX_UPLOAD_BYTES). */
export async function startWebHarness(env: Record<string, string> = {}): Promise<WebHarness> {
  const base = await startContainerHarness(env);
  const app = createWebApp(await webDepsFrom(base.container));
  return { ...base, app, client: () => makeClient(app) };
}
