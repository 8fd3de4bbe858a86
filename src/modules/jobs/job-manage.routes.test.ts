/**
 * Issue 17 items 3 and 4 through the app: a file sent straight to POST /annotations (multipart,
 * streamed, the plan's limit), settings (name, note, options) from every way in, a presigned
 * upload in one call, JSON errors for any bearer token, the manifest route, "Run again", and
 * deleting a job with everything it stored.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORIGIN, type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";
import { csrfTokenIn } from "../../../test/support/gas-process.ts";
import type { TopicMessages } from "../../ports/queue.ts";
import { createLogger } from "../../shared/logger.ts";

const VCF = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n21\t25587759\t.\tG\tA\t.\t.\t.\n";

describe("named jobs, the file API, run again and delete", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  let token: string;
  const api = (path: string, init: RequestInit = {}) =>
    h.app.request(`${ORIGIN}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const sendFile = (fields: Record<string, string>, body = VCF, name = "trio.vcf") => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append("file", new File([body], name));
    return api("/annotations", { method: "POST", body: form });
  };

  beforeAll(async () => {
    h = await startWebHarness({ FREE_MAX_UPLOAD_BYTES: "2000" });
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    const res = await ada.request("/account/tokens", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      // Deleting needs `manage` (any unsafe request but submitting does).
      body: JSON.stringify({ scopes: ["read", "submit", "manage"] }),
    });
    token = ((await res.json()) as { token: string }).token;
  }, 60_000);
  afterAll(() => h.close());

  test("a multipart POST /annotations stores the file and creates the job with its name, note and options", async () => {
    const res = await sendFile({ name: "Trio, chr21", note: "first pass", pick: "per-gene", fields: "csq" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { job_id: string; input_file: string };
    expect(body.input_file).toBe(`${body.job_id}~trio.vcf`);
    const job = (await h.container.ports.jobStore.get(body.job_id))!;
    expect(job).toMatchObject({
      name: "Trio, chr21",
      note: "first pass",
      options: { pick: "per-gene", fields: ["csq"] },
      status: "PENDING",
    });
    const stored = await h.container.ports.inputs.get(job.inputKey);
    expect(await new Response(stored!.stream()).text()).toBe(VCF);
    const detail = (await (await api(`/annotations/${body.job_id}`)).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ name: "Trio, chr21", note: "first pass", options: { pick: "per-gene", fields: ["csq"] } });
    // Without a name the job is called after its file.
    const plain = (await (await sendFile({})).json()) as { job_id: string };
    expect((await h.container.ports.jobStore.get(plain.job_id))!).toMatchObject({
      name: "trio.vcf",
      note: null,
      options: { pick: "none" },
    });
  });

  test("a file over the free limit is refused while it streams (413 JSON) and nothing is kept", async () => {
    const before = (await h.container.ports.inputs.list(`${adaId}/`)).length;
    const res = await sendFile({}, VCF + "#".repeat(5000));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toContain("2000 bytes");
    expect((await h.container.ports.inputs.list(`${adaId}/`)).length).toBe(before);
  });

  test("bad settings are a 400 naming the field; flag-pick without CSQ is refused as the CLI refuses it", async () => {
    const bad = await sendFile({ pick: "best" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("pick");
    const flag = await sendFile({ pick: "flag-pick", fields: "ann" });
    expect(flag.status).toBe(400);
    expect(((await flag.json()) as { message: string }).message).toContain("CSQ");
    const name = await sendFile({ name: "evil\u202Etxt" });
    expect(name.status).toBe(400);
  });

  test("upload: true answers a presigned upload whose redirect submits the job with the settings", async () => {
    const res = await api("/annotations", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ upload: true, name: "via form", pick: "pick" }),
    });
    expect(res.status).toBe(200);
    const form = (await res.json()) as { url: string; fields: Record<string, string> };
    expect(form.fields.success_action_redirect).toContain("/annotate/job?name=via+form&pick=pick");
    const post = new FormData();
    for (const [k, v] of Object.entries(form.fields)) post.append(k, v);
    post.append("file", new File([VCF], "x.vcf"));
    const stored = await h.app.request(form.url, { method: "POST", body: post, redirect: "manual" });
    expect(stored.status).toBe(303);
    const submitted = await api(new URL(stored.headers.get("location")!).pathname + new URL(stored.headers.get("location")!).search);
    expect(submitted.status).toBe(201);
    const { job_id } = (await submitted.json()) as { job_id: string };
    expect((await h.container.ports.jobStore.get(job_id))!).toMatchObject({ name: "via form", options: { pick: "pick" } });
  });

  test("any request with a bearer token gets JSON errors, even a refused token and without Accept", async () => {
    const res = await h.app.request(`${ORIGIN}/annotations`, { headers: { authorization: "Bearer not-a-token" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    const missing = await api("/annotations/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toStartWith("application/json");
  });

  test("the upload page carries the settings into the signed redirect", async () => {
    const page = await (await ada.request("/annotate?name=My+trio&pick=per-gene&fields=ann%2Ccsq")).text();
    expect(page).toContain('id="job-settings"');
    expect(page).toContain("/annotate/job?name=My+trio&amp;pick=per-gene");
    expect((await ada.request("/annotate?pick=nonsense")).status).toBe(400);
  });

  test("run again: a new job on a copy of the input, same name, note and options; deleting either leaves the other", async () => {
    const first = (await (await sendFile({ name: "again", note: "n", pick: "most-severe" })).json()) as { job_id: string };
    const res = await api(`/annotations/${first.job_id}/rerun`, { method: "POST" });
    expect(res.status).toBe(201);
    const { job_id } = (await res.json()) as { job_id: string };
    expect(job_id).not.toBe(first.job_id);
    const again = (await h.container.ports.jobStore.get(job_id))!;
    expect(again).toMatchObject({
      name: "again",
      note: "n",
      options: { pick: "most-severe" },
      inputFileName: "trio.vcf",
      status: "PENDING",
    });
    expect((await api(`/annotations/${first.job_id}`, { method: "DELETE" })).status).toBe(204);
    expect(await h.container.ports.inputs.head(again.inputKey)).not.toBeNull();
    // From the page: the button posts with the page's CSRF token and lands on the new job.
    const page = await (await ada.request(`/annotations/${job_id}`)).text();
    expect(page).toContain('id="run-again"');
    const viaPage = await ada.request(`/annotations/${job_id}/rerun`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: csrfTokenIn(page) }),
    });
    expect(viaPage.status).toBe(303);
    expect(viaPage.headers.get("location")).toMatch(/^\/annotations\/[0-9a-f-]{36}$/);
  });

  /** What the archiver role does with the job.delete messages the web role published (it runs no worker here). */
  async function runDeleteWorker() {
    const queue = h.container.ports.queue<TopicMessages["job.delete"]>("delete");
    const archiver = h.container.archiver(createLogger("error", {}));
    const outcomes: string[] = [];
    for (let [d] = await queue.receive({ waitSeconds: 0 }); d; [d] = await queue.receive({ waitSeconds: 0 })) {
      outcomes.push((await archiver.onJobDelete(d.message)).outcome);
      await queue.ack(d);
    }
    return outcomes;
  }

  test("delete: gone at once (404, list, share link), then the worker removes record, input, files; again 204; others untouched", async () => {
    await runDeleteWorker(); // the earlier tests' deletes
    const id = await h.completedJob(adaId);
    const job = (await h.container.ports.jobStore.get(id))!;
    const { inputs, results, jobStore } = h.container.ports;
    await results.put(`${adaId}/${id}~test.manifest.json`, "{}");
    expect((await results.list(`${adaId}/${id}~`)).length).toBeGreaterThan(0);
    const share = await h.container.shares.create(adaId, id, 7);
    expect((await ada.request(`/shared/${share.token}`)).status).toBe(200);
    // The confirmation page, then its form.
    const confirm = await ada.request(`/annotations/${id}/delete`);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain("cannot be undone");
    const del = await ada.request(`/annotations/${id}/delete`, { method: "POST", body: new URLSearchParams({ _csrf: csrfTokenIn(page) }) });
    expect(del.status).toBe(303);
    // Gone for the owner and the link's visitors before any worker ran.
    expect((await api(`/annotations/${id}`)).status).toBe(404);
    const list = (await (await api("/annotations")).json()) as { jobs: { job_id: string }[] };
    expect(list.jobs.map((j) => j.job_id)).not.toContain(id);
    expect((await ada.request(`/shared/${share.token}`)).status).toBe(404);
    expect((await jobStore.get(id))?.deletedAt).toBeInstanceOf(Date);
    // The archiver's worker removes the rest.
    expect(await runDeleteWorker()).toEqual(["deleted"]);
    expect(await jobStore.get(id)).toBeNull();
    expect(await inputs.head(job.inputKey)).toBeNull();
    expect(await results.list(`${adaId}/${id}~`)).toEqual([]);
    expect((await api(`/annotations/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/annotations/${id}`)).status).toBe(404);
    expect(await runDeleteWorker()).toEqual([]);

    const eve = h.client();
    const eveId = await eve.signIn("eve@example.org", "Eve");
    const hers = await h.completedJob(eveId);
    expect((await api(`/annotations/${hers}`, { method: "DELETE" })).status).toBe(204);
    expect(await runDeleteWorker()).toEqual([]);
    expect((await jobStore.get(hers))?.deletedAt).toBeNull();
  });

  test("the JSON list gives each job its name, status, times and result state", async () => {
    const sent = (await (await sendFile({ name: "listed by name" })).json()) as { job_id: string };
    const done = await h.completedJob(adaId);
    const list = (await (await api("/annotations")).json()) as { jobs: Record<string, unknown>[] };
    const byId = new Map(list.jobs.map((j) => [j.job_id, j]));
    expect(byId.get(sent.job_id)).toMatchObject({
      name: "listed by name",
      job_status: "PENDING",
      input_file_name: "trio.vcf",
      start_time: null,
      complete_time: null,
      result_state: null,
    });
    const completed = byId.get(done)!;
    expect(completed).toMatchObject({ name: "test.vcf", job_status: "COMPLETED", result_state: "available" });
    for (const t of ["submit_time", "start_time", "complete_time"]) expect(Number.isNaN(Date.parse(String(completed[t])))).toBe(false);
    // The OpenAPI document says so.
    const doc = (await (await h.app.request(`${ORIGIN}/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties: { jobs: { items: { properties: Record<string, unknown> } } } }> };
    };
    const item = doc.components.schemas.JobListResponse!.properties.jobs.items.properties;
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining(["name", "job_status", "submit_time", "start_time", "complete_time", "result_state"]),
    );
  });

  test("the manifest route: 404 while a job has none, the stored JSON once it has", async () => {
    const id = await h.completedJob(adaId);
    expect((await api(`/annotations/${id}/manifest.json`)).status).toBe(404);
  });
});
