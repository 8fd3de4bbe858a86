/**
 * /metrics on the web app, built from the real composition root (PGlite, filesystem): the latency
 * histogram labelled by route pattern, jobs by status and queue depths that match the stores,
 * annotation counters after a real job through the annotator role, the token guard, and output
 * that parses as Prometheus text exposition.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { startWebHarness, type WebHarness } from "../../../test/support/web-harness.ts";
import { startAnnotator } from "../annotator.role.ts";
import { createWebApp } from "./app.tsx";
import { METERED_QUEUES, webMetricsFrom } from "./metrics-deps.ts";
import { webDepsFrom } from "./web-deps.ts";

const DEMO_VCF = join(import.meta.dir, "..", "..", "..", "data", "demo", "vcf", "test.vcf");
const TOKEN = "scrape-token-0123456789abcdef";

/** One sample line: name, optional {labels}, value (Go's float syntax, as Prometheus parses it). */
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)|[+-]?Inf|NaN|Nan)$/i;
const COMMENT = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;

/** Check every line against the text format (0.0.4) and return the samples as `name{labels}` → value. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Map<string, string>();
  const bad: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const c = COMMENT.exec(line);
    if (c) {
      if (c[1] === "TYPE") {
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(c[3]!);
        typed.set(c[2]!, c[3]!);
      }
      continue;
    }
    const s = SAMPLE.exec(line);
    if (!s) {
      bad.push(line);
      continue;
    }
    // A histogram's _bucket/_sum/_count and a counter's _total belong to a declared family.
    const family = [s[1]!, s[1]!.replace(/_(bucket|sum|count)$/, "")].find((n) => typed.has(n));
    if (!family) bad.push(`no # TYPE for ${s[1]}`);
    samples.set(`${s[1]}${s[2] ?? ""}`, Number(s[3]!.replace(/^Nan$/i, "NaN")));
  }
  expect(bad).toEqual([]);
  return samples;
}

describe("GET /metrics", () => {
  let h: WebHarness;
  let app: ReturnType<typeof createWebApp>;
  const scrape = async (headers: Record<string, string> = {}) => app.request("http://gas.test/metrics", { headers });
  const samples = async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    return parseExposition(await res.text());
  };

  beforeAll(async () => {
    // Recount jobs on every scrape (the default caches for 60 s); the backlog reporter every second.
    h = await startWebHarness({ METRICS_JOB_COUNTS_SECONDS: "0", BACKLOG_METRIC_SECONDS: "1" });
    app = createWebApp({ ...(await webDepsFrom(h.container)), metrics: webMetricsFrom(h.container) });
  }, 60_000);
  afterAll(() => h.close());

  test("the latency histogram is labelled by method, route pattern and status, never the raw path", async () => {
    const id = randomUUID();
    await app.request("http://gas.test/healthz");
    await app.request("http://gas.test/healthz");
    await app.request(`http://gas.test/annotations/${id}`, { headers: { accept: "application/json" } });
    await app.request(`http://gas.test/no/such/page/${id}`, { headers: { accept: "application/json" } });
    const text = await (await scrape()).text();
    const s = parseExposition(text);
    expect(s.get('gas_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}')).toBe(2);
    expect(s.get('gas_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/healthz",status="200"}')).toBe(2);
    // Signed out, a job page answers 401; the label is the pattern, whatever the id.
    expect(
      [...s.keys()].some((k) => k.startsWith("gas_http_request_duration_seconds_count{") && k.includes('route="/annotations/:id"')),
    ).toBe(true);
    expect(s.get('gas_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain(id);
  });

  test("gas_jobs matches the job store's counts by status", async () => {
    const user = await h.client().signIn(`metrics-${randomUUID()}@example.org`);
    await h.completedJob(user);
    await h.completedJob(user);
    await h.container.ports.jobStore.create({
      id: randomUUID(),
      userId: user,
      inputFileName: "a.vcf",
      inputKey: `${user}/x~a.vcf`,
      submitTime: new Date(),
    });
    const s = await samples();
    const counts = await h.container.ports.jobStore.countByStatus();
    expect(counts.COMPLETED).toBeGreaterThanOrEqual(2);
    for (const status of ["PENDING", "RUNNING", "COMPLETED", "FAILED"] as const)
      expect(s.get(`gas_jobs{status="${status}"}`)).toBe(counts[status]);
  });

  test("gas_queue_depth and gas_queue_messages match each queue (and its dead-letter queue)", async () => {
    const archive = h.container.ports.queue<{ jobId: string }>("archive");
    await archive.send({ jobId: "a" });
    await archive.send({ jobId: "b" }, { delaySeconds: 600 });
    const s = await samples();
    for (const name of METERED_QUEUES) expect(s.get(`gas_queue_depth{queue="${name}"}`)).toBe(await h.container.ports.queue(name).depth());
    expect(s.get('gas_queue_depth{queue="archive"}')).toBeGreaterThanOrEqual(2);
    const c = await archive.counts();
    expect([
      s.get('gas_queue_messages{queue="archive",state="visible"}'),
      s.get('gas_queue_messages{queue="archive",state="delayed"}'),
    ]).toEqual([c.visible, c.delayed]);
  });

  test("an annotation job raises gas_annotated_variants_total by its alleles; the backlog gauge appears", async () => {
    const before = (await samples()).get("gas_annotated_variants_total") ?? 0;
    const stopAnnotator = await startAnnotator(h.container);
    try {
      const client = h.client();
      const user = await client.signIn(`annotate-${randomUUID()}@example.org`);
      const key = `${user}/${randomUUID()}~test.vcf`;
      await h.container.ports.inputs.put(key, new Uint8Array(await Bun.file(DEMO_VCF).arrayBuffer()));
      const submitted = await client.request(`/annotate/job?key=${encodeURIComponent(key)}`);
      expect(submitted.status).toBe(201);
      const jobId = /was received \(ID <span class="font-monospace">([0-9a-f-]{36})<\/span>/.exec(await submitted.text())![1]!;
      let job = await h.container.ports.jobStore.get(jobId);
      for (const deadline = Date.now() + 60_000; job?.status !== "COMPLETED" && Date.now() < deadline; await Bun.sleep(100))
        job = await h.container.ports.jobStore.get(jobId);
      expect(job?.status).toBe("COMPLETED");
      const s = await samples();
      expect(job!.summary!.alleles).toBeGreaterThan(0);
      expect(s.get("gas_annotated_variants_total")! - before).toBe(job!.summary!.alleles);
      expect(s.get("gas_annotation_seconds_count")).toBeGreaterThanOrEqual(1);
      // The annotator published its backlog at start (locally: a gauge, one instance).
      expect(s.get("gas_backlog_instances")).toBe(1);
      expect(s.get("gas_backlog_per_instance")).toBe(s.get("gas_backlog_waiting")!);
    } finally {
      await stopAnnotator();
    }
  }, 90_000);

  test("process metrics and the build are included", async () => {
    const s = await samples();
    expect(s.get("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect([...s.keys()].some((k) => k.startsWith("gas_build_info{"))).toBe(true);
  });

  test("METRICS_TOKEN: a bearer is required and checked; without one production hides /metrics", async () => {
    const withToken = createWebApp({
      ...(await webDepsFrom(h.container)),
      metrics: { metrics: h.container.metrics, token: TOKEN, openWithoutToken: true },
    });
    const get = (a: typeof app, authorization?: string) =>
      a.request("http://gas.test/metrics", { headers: authorization ? { authorization } : {} });
    expect((await get(withToken)).status).toBe(401);
    expect((await get(withToken)).headers.get("www-authenticate")).toContain("Bearer");
    expect((await get(withToken, `Bearer ${TOKEN}x`)).status).toBe(401);
    const ok = await get(withToken, `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("gas_http_request_duration_seconds");
    const production = createWebApp({
      ...(await webDepsFrom(h.container)),
      metrics: { metrics: h.container.metrics, token: null, openWithoutToken: false },
    });
    expect((await get(production)).status).toBe(404);
  });
});
