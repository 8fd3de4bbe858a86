/**
 * Issue 13, item 9 (first three parts): a share link's token is never written to the logs; the
 * server's paths (DATA_DIR/work/<job>-<claim>/…) never reach what a user sees (the job's log, its
 * rows file, its summary, its results store, a failure reason); and production refuses SESSION_SECRET or
 * UPLOAD_SIGNING_SECRET when it is weak (one character repeated, little variety, a short piece
 * repeated, a placeholder) or when both are the same.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { type JobRequest, createAnnotationWorker } from "../../src/modules/jobs/annotation-worker.ts";
import { resultKeys } from "../../src/modules/jobs/job-keys.ts";
import { ResultsStore } from "../../src/modules/results/results-store.ts";
import { startEngineThread } from "../../src/modules/annotator/index.ts";
import { type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";
import { capturedApp } from "./captured-app.ts";

const REPO = join(import.meta.dir, "..", "..");

describe("what users and logs see", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
  }, 60_000);
  afterAll(() => h.close());

  test("a share link's token is not in any log line, whichever /shared/… page is opened", async () => {
    const app = await capturedApp(h);
    const jobId = await h.completedJob(adaId);
    const created = await (await ada.submit(`/annotations/${jobId}`, `/annotations/${jobId}/shares`, { days: "7" })).text();
    const token = /\/shared\/([A-Za-z0-9_-]{20,})/.exec(created)![1]!;
    for (const path of ["", "/log", "/result", "?gene=MT-ND1&page=1"])
      expect((await app.request(`/shared/${token}${path}`)).status).toBe(200);
    const unknown = `${token.slice(0, -4)}AAAA`;
    expect((await app.request(`/shared/${unknown}`)).status).toBe(404);
    const logged = JSON.stringify(app.lines);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(unknown);
    // The access log still says which kind of page it was.
    expect(app.lines.filter((l) => l.msg === "request").map((l) => l.path)).toContain("/shared/[token]/log");
  });

  test("the server's paths are not in a job's log, rows, summary or failure reason", async () => {
    const { ports, config, log } = h.container;
    const queue = ports.queue<JobRequest>("annotator");
    const engine = await startEngineThread({ bundleDir: join(REPO, "data", "demo") });
    const worker = createAnnotationWorker({
      jobs: ports.jobStore,
      inputs: ports.inputs,
      results: ports.results,
      topic: ports.topic,
      queue,
      engine,
      workDir: config.backend.workDir,
      visibilitySeconds: 30,
      maxAttempts: 5,
      log,
    });
    const demo = await Bun.file(join(REPO, "data", "demo", "vcf", "test.vcf")).text();
    const offReference = "chrZZ\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n";
    const header = `${demo
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .join("\n")}\n`;
    /** Upload `text` as the user would and run the annotator on it; returns the job id. */
    const run = async (fileName: string, text: string) => {
      const id = randomUUID();
      const inputKey = `${adaId}/${id}~${fileName}`;
      await ports.inputs.put(inputKey, text);
      await ports.jobStore.create({ id, userId: adaId, inputFileName: fileName, inputKey, submitTime: new Date() });
      await queue.send({ jobId: id, userId: adaId, inputKey, inputFileName: fileName, submitTime: new Date().toISOString() });
      const [delivery] = await queue.receive();
      await worker.handle(delivery!, new AbortController().signal);
      return id;
    };
    const completed = await run("mixed.vcf", demo.endsWith("\n") ? demo + offReference : `${demo}\n${offReference}`);
    const failed = await run("nowhere.vcf", header + offReference);
    await engine.close();
    // The results store is uploaded beside the VCF (issue 12); its summary names only the user's file.
    const stored = await ports.results.get(resultKeys(adaId, completed, "mixed.vcf").store);
    expect(stored).not.toBeNull();
    const storePath = join(config.backend.dataDir, `${completed}.results.sqlite`);
    await Bun.write(storePath, new Response(stored!.stream()));
    const store = ResultsStore.open(storePath);
    const storeSummary = JSON.stringify(store.summary());
    expect(store.count()).toBeGreaterThan(0);
    store.close();
    const json = (path: string) => ada.request(path, { headers: { accept: "application/json" } }).then((r) => r.text());
    const seen = {
      detail: await json(`/annotations/${completed}`),
      log: await (await ada.request(`/annotations/${completed}/log`, { headers: { accept: "text/plain" } })).text(),
      logPage: await (await ada.request(`/annotations/${completed}/log`)).text(),
      rows: await (await ada.request(`/annotations/${completed}/rows`)).text(),
      summary: JSON.stringify((await ports.jobStore.get(completed))!.summary),
      failed: await json(`/annotations/${failed}`),
      store: storeSummary,
    };
    expect(JSON.parse(seen.detail).job_status).toBe("COMPLETED");
    expect(JSON.parse(seen.failed).job_status).toBe("FAILED");
    expect(seen.log).toContain("mixed.vcf: line"); // the warning is there, naming the user's file…
    expect(seen.log).toContain('contig "chrZZ"');
    for (const [what, text] of Object.entries(seen)) {
      // …but not where the server keeps it.
      expect({ what, dataDir: text.includes(config.backend.dataDir), work: /work\/[0-9a-f-]{36}/.test(text) }).toEqual({
        what,
        dataDir: false,
        work: false,
      });
    }
  }, 60_000);
});

describe("secrets in production", () => {
  const strong = () => randomBytes(32).toString("hex");
  const production = (session: string, upload: string) => ({
    NODE_ENV: "production",
    PUBLIC_URL: "https://gas.example.org",
    SESSION_SECRET: session,
    UPLOAD_SIGNING_SECRET: upload,
  });
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  test("weak secrets are refused, naming the variable and never echoing the value", () => {
    const weak = [
      "a".repeat(32),
      "ab".repeat(24),
      "0123456789".repeat(4),
      "abcdefghijklmnopqrstuvwxyzabcdef".repeat(2),
      "change-me-change-me-change-me-session!",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab1",
    ];
    for (const secret of weak) {
      const session = problem(production(secret, strong()));
      expect({ secret, session }).toEqual({ secret, session: expect.stringMatching(/SESSION_SECRET: .*(weak|placeholder)/) });
      expect(session).not.toContain(secret);
      const upload = problem(production(strong(), secret));
      expect({ secret, upload }).toEqual({ secret, upload: expect.stringMatching(/UPLOAD_SIGNING_SECRET: .*(weak|placeholder)/) });
    }
  });

  test("the same value for both is refused; strong, different secrets start; development is not affected", () => {
    const same = strong();
    expect(problem(production(same, same))).toMatch(/SESSION_SECRET, UPLOAD_SIGNING_SECRET: .*differ/);
    expect(problem(production(strong(), strong()))).toBeNull();
    expect(problem(production(randomBytes(32).toString("base64url"), randomBytes(24).toString("base64")))).toBeNull();
    expect(problem({ NODE_ENV: "development", SESSION_SECRET: "a".repeat(32), UPLOAD_SIGNING_SECRET: "a".repeat(32) })).toBeNull();
  });

  test("a worker metrics port needs METRICS_TOKEN in production, and binds loopback unless METRICS_HOST says where", () => {
    const base = production(strong(), strong());
    expect(problem({ ...base, METRICS_PORT: "9464" })).toMatch(/METRICS_TOKEN: required with METRICS_PORT/);
    expect(loadConfig({ ...base, METRICS_PORT: "9464", METRICS_TOKEN: strong() }).metrics.host).toBe("127.0.0.1");
    expect(loadConfig({ ...base, METRICS_PORT: "9464", METRICS_TOKEN: strong(), METRICS_HOST: "10.0.1.5" }).metrics.host).toBe("10.0.1.5");
    expect(problem({ ...base })).toBeNull(); // no port, no token needed
    expect(loadConfig({ NODE_ENV: "development", METRICS_PORT: "9464" }).metrics.host).toBe("0.0.0.0");
  });
});
