/**
 * Bad input over HTTP against a running `--role=all`: every case gets a clear error, and a job
 * never stays PENDING/RUNNING because of bad input.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type Client, type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";

const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");
type Form = { url: string; fields: Record<string, string> };

describe("bad input", () => {
  let gas: GasProcess;
  let ada: Client;
  let eve: Client;
  beforeAll(async () => {
    gas = await startGas({ env: { UPLOAD_POLICY_SECONDS: "2", FREE_MAX_UPLOAD_BYTES: "20000" } });
    const browser = createClient(gas.url);
    await browser.signIn("ada@example.org");
    ada = createClient(gas.url, {
      token: ((await (await browser.json("/account/tokens", { method: "POST", body: "{}" })).json()) as { token: string }).token,
    });
    const other = createClient(gas.url);
    await other.signIn("eve@example.org");
    eve = createClient(gas.url, {
      token: ((await (await other.json("/account/tokens", { method: "POST", body: "{}" })).json()) as { token: string }).token,
    });
  }, 120_000);
  afterAll(async () => {
    await gas.stop();
    await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  const form = async (c: Client) => (await (await c.json("/annotate")).json()) as Form;
  const vcf = async (name = "test.vcf") => new File([await Bun.file(DEMO_VCF).arrayBuffer()], name);
  const errorOf = async (res: Response) => {
    const body = (await res.json()) as { code: number; status: string; message: string };
    expect(body.status).toBe("error");
    expect(body.code).toBe(res.status);
    return body.message;
  };
  /** Upload and submit through the API; returns the job id. */
  const submit = async (c: Client, file: File) => {
    const f = await form(c);
    const up = await postUpload(c, f.url, f.fields, file);
    expect(up.status).toBe(303);
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const res = await c.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { job_id: string }).job_id;
  };

  test("expired policy → 403 naming the expiry", async () => {
    const f = await form(ada);
    await Bun.sleep(2100);
    const res = await postUpload(ada, f.url, f.fields, await vcf());
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toContain("expired");
  });

  test("tampered signature, key prefix or redirect → 403", async () => {
    const f = await form(ada);
    const sig = f.fields["x-gas-signature"]!;
    const bad = [
      { ...f.fields, "x-gas-signature": (sig[0] === "0" ? "1" : "0") + sig.slice(1) },
      { ...f.fields, key: f.fields.key!.replace(/^[^/]+\//, "someone-else/") },
      { ...f.fields, success_action_redirect: "https://evil.example/" },
    ];
    for (const fields of bad) {
      const res = await postUpload(ada, f.url, fields, await vcf());
      expect(res.status).toBe(403);
      expect(await errorOf(res)).toStartWith("Upload refused");
    }
  });

  test("oversize upload → 413 naming the limit", async () => {
    const f = await form(ada);
    const big = new File([new Uint8Array(20_001).fill(65)], "big.vcf");
    const res = await postUpload(ada, f.url, f.fields, big);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toContain("at most 20000 bytes");
  });

  test("../ or slashes in the file name → 400, nothing stored", async () => {
    for (const name of ["../../../etc/evil.vcf", "..", "dir/evil.vcf"]) {
      const f = await form(ada);
      const res = await postUpload(ada, f.url, f.fields, await vcf(name));
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toContain("file name");
    }
    const files = (await (await ada.json("/annotate/files")).json()) as { files: { file_name: string }[] };
    expect(files.files.some((x) => x.file_name.includes("evil"))).toBe(false);
  });

  test("a non-VCF file → job FAILED with a reason naming the problem", async () => {
    const id = await submit(ada, new File(["this is not a VCF\njust some text\n"], "notes.vcf"));
    const done = await waitForJob(ada, id);
    expect(done.job_status).toBe("FAILED");
    expect(String(done.failure_reason)).toContain("notes.vcf");
    expect(String(done.failure_reason).length).toBeGreaterThan(15);
    const page = await (await ada.request(`/annotations/${id}`, { headers: { accept: "text/html" } })).text();
    expect(page).toContain("FAILED");
  }, 60_000);

  test("another user's job → 404 everywhere; unknown and malformed ids → 404", async () => {
    const id = await submit(ada, await vcf());
    for (const path of [`/annotations/${id}`, `/annotations/${id}/log`, `/annotations/${id}/result`, `/annotations/${id}/input`]) {
      const res = await eve.json(path);
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toContain("not");
    }
    expect((await eve.json("/annotations")).status).toBe(200);
    expect(((await (await eve.json("/annotations")).json()) as { jobs: unknown[] }).jobs).toEqual([]);
    expect((await ada.json("/annotations/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await ada.json("/annotations/not-a-uuid")).status).toBe(404);
    // Eve cannot submit Ada's upload as her own job either.
    const stolen = await eve.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: `${id}~test.vcf` }) });
    expect(stolen.status).toBe(404);
  }, 60_000);

  test("malformed or wrong JSON bodies → 400 with the reason", async () => {
    const res = await ada.json("/annotations", { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toContain("not valid JSON");
    const unknown = await ada.json("/annotations", { method: "POST", body: JSON.stringify({ file: "x" }) });
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toContain('Unrecognized key: "file"');
    const missing = await ada.json("/annotations", { method: "POST", body: JSON.stringify({}) });
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toContain("input_file");
    const nokey = await ada.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: "../../etc/passwd" }) });
    expect(nokey.status).toBe(400);
    const absent = await ada.json("/annotations", {
      method: "POST",
      body: JSON.stringify({ input_file: "00000000-0000-4000-8000-000000000000~x.vcf" }),
    });
    expect(absent.status).toBe(404);
  });

  test("no or bad credentials → 401 for JSON, redirect to sign-in for pages", async () => {
    const anon = createClient(gas.url);
    expect((await anon.json("/annotations")).status).toBe(401);
    expect((await createClient(gas.url, { token: "gas_nope" }).json("/annotations")).status).toBe(401);
    const page = await anon.request("/annotations", { headers: { accept: "text/html" } });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fannotations");
  });

  test("a cross-site form post is refused (CSRF)", async () => {
    const res = await createClient(gas.url).request("/login/dev", {
      method: "POST",
      headers: { origin: "https://evil.example" },
      body: new URLSearchParams({ email: "x@example.org", state: "s" }),
    });
    expect(res.status).toBe(403);
  });
});
