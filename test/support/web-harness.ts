/**
 * The web app in-process for route tests: the real composition root (PGlite and the filesystem
 * under a temp folder), driven with `app.request()` through a small cookie-jar client. Jobs are
 * put in place through the JobStore and ObjectStore ports, as the annotator would leave them.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { openTestPglite } from "../../src/db/test-database.ts";
import { type Container, buildContainer } from "../../src/container.ts";
import type { JobSummary } from "../../src/ports/job-store.ts";
import { createLogger } from "../../src/shared/logger.ts";
import { createWebApp } from "../../src/roles/web/app.tsx";
import { webDepsFrom } from "../../src/roles/web/web-deps.ts";
import { csrfTokenIn } from "./gas-process.ts";

export const ORIGIN = "http://gas.test";

export interface WebHarness {
  app: ReturnType<typeof createWebApp>;
  container: Container;
  client(): WebClient;
  /** A COMPLETED job owned by `userId` with result files in place. */
  completedJob(userId: string, opts?: { fileName?: string; rows?: object[]; summary?: Partial<JobSummary> }): Promise<string>;
  close(): Promise<void>;
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

export const demoRows = [
  {
    line: 10,
    chrom: "chrMT",
    pos: 150,
    id: "rs62581312",
    ref: "C",
    alt: "T",
    consequence: "missense_variant",
    impact: "MODERATE",
    gene: "MT-ND1",
    geneId: "ENSG00000198888",
    featureType: "transcript",
    feature: "ENST00000361390",
    biotype: "protein_coding",
    rank: "1/1",
    hgvsC: "c.43C>T",
    hgvsP: "p.Leu15Phe",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    known: true,
    af: "0.01",
    messages: "",
  },
  {
    line: 11,
    chrom: "chrMT",
    pos: 73,
    id: ".",
    ref: "A",
    alt: "G",
    consequence: "upstream_gene_variant",
    impact: "MODIFIER",
    gene: "MT-ND1",
    geneId: "ENSG00000198888",
    featureType: "transcript",
    feature: "ENST00000361390",
    biotype: "protein_coding",
    rank: "",
    hgvsC: "c.-3234A>G",
    hgvsP: "",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "3234",
    known: false,
    af: "",
    messages: "",
  },
  {
    line: 12,
    chrom: "chrMT",
    pos: 9000,
    id: ".",
    ref: "G",
    alt: "A",
    consequence: "stop_gained&splice_region_variant",
    impact: "HIGH",
    gene: "MT-ATP6",
    geneId: "ENSG00000198899",
    featureType: "transcript",
    feature: "ENST00000361899",
    biotype: "protein_coding",
    rank: "1/1",
    hgvsC: "c.474G>A",
    hgvsP: "p.Trp158*",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    known: false,
    af: "",
    messages: "",
  },
  {
    line: 13,
    chrom: "chr2",
    pos: 500,
    id: "rs1",
    ref: "T",
    alt: "C",
    consequence: "synonymous_variant",
    impact: "LOW",
    gene: "ABC1",
    geneId: "ENSG1",
    featureType: "transcript",
    feature: "ENST1",
    biotype: "protein_coding",
    rank: "2/5",
    hgvsC: "c.9T>C",
    hgvsP: "p.Ser3=",
    cdnaPos: "",
    cdsPos: "",
    aaPos: "",
    distance: "",
    known: true,
    af: "0.3",
    messages: "",
  },
];

/** Start the harness. `env` adds to the test environment (e.g. FREE_MAX_UPLOAD_BYTES). */
export async function startWebHarness(env: Record<string, string> = {}): Promise<WebHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), "gas-web-"));
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    PUBLIC_URL: ORIGIN,
    SESSION_SECRET: "web-harness-session-secret-0123456789",
    UPLOAD_SIGNING_SECRET: "web-harness-upload-secret-0123456789",
    LOG_LEVEL: "error",
    ...env,
  });
  const container = await buildContainer(config, createLogger("error", {}), { database: await openTestPglite() });
  const app = createWebApp(await webDepsFrom(container));
  return {
    app,
    container,
    client: () => makeClient(app),
    async completedJob(userId, opts = {}) {
      const id = randomUUID();
      const fileName = opts.fileName ?? "test.vcf";
      const inputKey = `${userId}/${id}~${fileName}`;
      const { inputs, results, jobStore } = container.ports;
      await inputs.put(inputKey, "##fileformat=VCFv4.2\n");
      await jobStore.create({ id, userId, inputFileName: fileName, inputKey, submitTime: new Date() });
      const claim = await jobStore.claim(id, "t", 60);
      if (claim.outcome !== "claimed") throw new Error("claim failed");
      const base = `${userId}/${id}~test`;
      const rows = opts.rows ?? demoRows;
      await results.put(`${base}.annot.vcf`, "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
      await results.put(`${base}.vcf.count.log`, `Total: ${rows.length}\nInput: ${fileName}\n`);
      await results.put(
        `${base}.annot.json`,
        JSON.stringify({ format: "gas-annotations/1", reference: "demo (GRCh38)", rows, summary: {} }),
      );
      const summary: JobSummary = {
        records: rows.length,
        alleles: rows.length,
        known: 1,
        novel: 2,
        skipped: 0,
        byMostSevere: {},
        byConsequence: { missense_variant: 1, upstream_gene_variant: 1, stop_gained: 1 },
        byImpact: { HIGH: 1, MODERATE: 1, MODIFIER: 1 },
        warnings: [],
        warningsTotal: 0,
        seconds: 0.2,
        variantsPerSecond: 10,
        ...opts.summary,
      };
      await jobStore.complete(id, "t", {
        resultKey: `${base}.annot.vcf`,
        logKey: `${base}.vcf.count.log`,
        rowsKey: `${base}.annot.json`,
        summary,
      });
      return id;
    },
    async close() {
      await container.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
