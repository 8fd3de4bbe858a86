/**
 * Ownership on the routes web-security.routes.test.ts does not cover: another user's share links,
 * API tokens, uploaded files and upload keys give 404 and change nothing (the job, log, result,
 * rows, input, results, events and share-creation routes are covered there).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type WebClient, type WebHarness, startWebHarness } from "../../../test/support/web-harness.ts";

describe("ownership: share links, tokens, files", () => {
  let h: WebHarness;
  let ada: WebClient;
  let eve: WebClient;
  let adaJob: string;
  let eveJob: string;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    eve = h.client();
    const adaId = await ada.signIn("ada@example.org", "Ada");
    const eveId = await eve.signIn("eve@example.org", "Eve");
    adaJob = await h.completedJob(adaId);
    eveJob = await h.completedJob(eveId);
  }, 60_000);
  afterAll(() => h.close());

  test("another user's share link cannot be revoked, through their job or one's own", async () => {
    const created = await ada.submit(`/annotations/${adaJob}`, `/annotations/${adaJob}/shares`, { days: "7" });
    expect(created.status).toBe(201);
    const shared = new URL(/id="share-url" value="([^"]+)"/.exec(await created.text())![1]!).pathname;
    const detail = await (await ada.request(`/annotations/${adaJob}`)).text();
    const shareId = /action="\/annotations\/[^"]+\/shares\/([^"/]+)\/revoke"/.exec(detail)![1]!;
    for (const jobId of [adaJob, eveJob]) {
      const res = await eve.submit("/annotations", `/annotations/${jobId}/shares/${shareId}/revoke`, {});
      expect({ jobId, status: res.status }).toEqual({ jobId, status: 404 });
    }
    expect((await h.client().request(shared)).status).toBe(200); // still live
  });

  test("another user's API token cannot be listed or revoked", async () => {
    const made = await ada.request("/account/tokens", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ name: "ada-cli" }),
    });
    const { token, id } = (await made.json()) as { token: string; id: string };
    const eveList = (await (await eve.request("/account/tokens", { headers: { accept: "application/json" } })).json()) as {
      tokens: { id: string }[];
    };
    expect(eveList.tokens.some((t) => t.id === id)).toBe(false);
    expect((await eve.submit("/account/tokens", `/account/tokens/${id}/revoke`, {})).status).toBe(404);
    const del = await eve.request(`/account/tokens/${id}`, {
      method: "DELETE",
      headers: { accept: "application/json", "content-type": "application/json" },
    });
    expect(del.status).toBe(404);
    const stillWorks = await h.app.request("http://gas.test/annotations", {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    expect(stillWorks.status).toBe(200);
  });

  test("another user's uploaded file is not listed and its key cannot be submitted from the upload redirect", async () => {
    const adaFiles = (await (await ada.request("/annotate/files", { headers: { accept: "application/json" } })).json()) as {
      files: { input_file: string }[];
    };
    expect(adaFiles.files.length).toBeGreaterThan(0);
    const eveFiles = (await (await eve.request("/annotate/files", { headers: { accept: "application/json" } })).json()) as {
      files: { input_file: string }[];
    };
    const adaKeys = new Set(adaFiles.files.map((f) => f.input_file));
    expect(eveFiles.files.some((f) => adaKeys.has(f.input_file))).toBe(false);
    const stolen = await eve.request(`/annotate/job?key=${encodeURIComponent(adaFiles.files[0]!.input_file)}`, {
      headers: { accept: "application/json" },
    });
    expect(stolen.status).toBe(404);
  });
});
