/**
 * End to end on the zero-setup default: `--role=all` on PGlite and the filesystem, driven over
 * HTTP like a browser (signed-policy upload) and like an API client (bearer token).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type GasProcess, createClient, parseUploadForm, postUpload, startGas, waitForJob } from "./support/gas-process.ts";

const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");

describe("end to end, --role=all on PGlite", () => {
  let gas: GasProcess;
  beforeAll(async () => {
    gas = await startGas({ freshDatabase: true }); // a first start: the process creates and migrates PGlite
  }, 120_000);
  afterAll(async () => {
    expect(await gas.stop()).toBe(0); // graceful shutdown exits cleanly
    await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("health and the OpenAPI document", async () => {
    expect((await fetch(`${gas.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${gas.url}/readyz`)).json()).toEqual({ status: "ready" });
    const doc = (await (await fetch(`${gas.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/annotations", "/annotations/{id}"]));
    // input_file, or upload: true for a presigned upload in the same call (issue 17 item 4).
    expect(doc.components.schemas.SubmitJobBody).toMatchObject({ type: "object", properties: { input_file: { type: "string" } } });
  });

  test("browser: sign in, upload through the signed form, job completes, results, log and email", async () => {
    const browser = createClient(gas.url);
    await browser.signIn("ada@example.org", "Ada");
    const page = await browser.request("/annotate", { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    const { action, fields } = parseUploadForm(await page.text());
    expect(fields.key).toMatch(/^[^/]+\/[0-9a-f-]{36}~\$\{filename\}$/);

    const upload = await postUpload(browser, action, fields, new File([await Bun.file(DEMO_VCF).arrayBuffer()], "test.vcf"));
    expect(upload.status).toBe(303);
    const redirect = new URL(upload.headers.get("location")!);
    expect(redirect.pathname).toBe("/annotate/job");
    expect(redirect.searchParams.get("key")).toEndWith("~test.vcf");

    const confirm = await browser.request(redirect.pathname + redirect.search, { headers: { accept: "text/html" } });
    const html = await confirm.text();
    expect(html).toContain("Annotation Request Received");
    const jobId = /was received \(ID <span class="font-monospace">([0-9a-f-]{36})<\/span>/.exec(html)?.[1];
    expect(jobId).toBeTruthy();

    const done = await waitForJob(browser, jobId!);
    expect(done.job_status).toBe("COMPLETED");
    expect(String(done.log)).toContain("test.vcf");

    // The result as stored: BGZF, with its tabix index; and as plain text, gunzipped on the way.
    const result = await browser.request(`/annotations/${jobId}/result`);
    expect(result.status).toBe(200);
    expect(result.headers.get("content-disposition")).toContain('filename="test.annot.vcf.gz"');
    const vcf = gunzipSync(new Uint8Array(await result.arrayBuffer())).toString();
    expect(vcf.startsWith("##fileformat=VCF")).toBe(true);
    expect(vcf).toContain("ANN=");
    const plain = await browser.request(`/annotations/${jobId}/result.vcf`);
    expect(plain.headers.get("content-disposition")).toContain('filename="test.annot.vcf"');
    expect(await plain.text()).toBe(vcf);
    expect((await browser.request(`/annotations/${jobId}/result.tbi`)).status).toBe(200);
    const log = await browser.request(`/annotations/${jobId}/log`);
    expect(log.status).toBe(200);
    expect(await log.text()).toBe(String(done.log));

    const detail = await (await browser.request(`/annotations/${jobId}`, { headers: { accept: "text/html" } })).text();
    expect(detail).toContain("COMPLETED");
    expect(detail).toContain(`/annotations/${jobId}/result`);

    // The notifier's email lands in the outbox with the original's subject and a link to the job.
    const outbox = join(gas.dataDir, "outbox");
    const deadline = Date.now() + 30_000;
    let files: string[] = [];
    while (Date.now() < deadline && !(files = await readdir(outbox).catch(() => [])).some((f) => f.includes(jobId!))) await Bun.sleep(100);
    const eml = await Bun.file(join(outbox, files.find((f) => f.includes(jobId!))!)).text();
    expect(eml.replace(/\r?\n[ \t]/g, " ")).toContain(`Subject: Results available for job ${jobId} (`); // unfolded
    expect(eml).toContain("To: ada@example.org");
    expect(eml.replace(/=\r?\n/g, "")).toContain(`${gas.url}/annotations/${jobId}`);

    // Request and job ids appear in the JSON logs.
    expect(gas.logs().some((l) => l.msg === "job completed" && l.jobId === jobId)).toBe(true);
    expect(gas.logs().some((l) => l.msg === "request" && typeof l.requestId === "string")).toBe(true);
  }, 120_000);

  test("API client: token, signed upload, POST /annotations, poll, list", async () => {
    const browser = createClient(gas.url);
    await browser.signIn("grace@example.org", "Grace");
    const tokenRes = await browser.json("/account/tokens", { method: "POST", body: JSON.stringify({ name: "cli" }) });
    expect(tokenRes.status).toBe(201);
    const { token } = (await tokenRes.json()) as { token: string };

    const api = createClient(gas.url, { token });
    const form = (await (await api.json("/annotate")).json()) as { url: string; fields: Record<string, string>; max_bytes: number };
    expect(form.max_bytes).toBe(153_600);
    const up = await postUpload(api, form.url, form.fields, new File([await Bun.file(DEMO_VCF).arrayBuffer()], "api.vcf"));
    expect(up.status).toBe(303);

    const files = (await (await api.json("/annotate/files")).json()) as { files: { input_file: string; file_name: string }[] };
    const input = files.files.find((f) => f.file_name === "api.vcf")!;
    expect(input.input_file).toMatch(/^[0-9a-f-]{36}~api\.vcf$/);

    const submit = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: input.input_file }) });
    expect(submit.status).toBe(201);
    const created = (await submit.json()) as Record<string, string>;
    expect(created).toMatchObject({ code: 201, status: "success", input_file: input.input_file });
    expect(input.input_file.startsWith(created.job_id!)).toBe(true);

    const done = await waitForJob(api, created.job_id!);
    expect(done).toMatchObject({ code: 200, status: "success", job_id: created.job_id, job_status: "COMPLETED" });
    expect(typeof done.log).toBe("string");

    const list = (await (await api.json("/annotations")).json()) as { code: number; jobs: { job_id: string; job_details: string }[] };
    expect(list.code).toBe(200);
    expect(list.jobs).toEqual([
      expect.objectContaining({
        job_id: created.job_id!,
        job_details: `${gas.url}/annotations/${created.job_id}`,
        job_status: "COMPLETED",
        result_state: "available",
      }),
    ]);
  }, 120_000);
});
