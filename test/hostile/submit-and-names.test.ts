/**
 * Issue 13 items 7 and 8.
 * - Names: an upload's name is refused at submit, with the rule it breaks, when it is longer than
 *   200 bytes of UTF-8 (214–255 characters used to fail every attempt as "a problem on our side"),
 *   holds DEL, a C1 control, NUL or a text-direction character (U+202E), or starts or ends with
 *   white space; other Unicode is accepted, byte-counted.
 * - One form, one job: a second file posted with an upload form already used is refused at submit
 *   (409 naming the first file), not answered with the first file's job id.
 * - Idempotent submit: reloading the upload redirect 100 times enqueues one job request, not 100.
 *   With the PostgreSQL outbox the insert and its announcement are one step, so a reload sends
 *   nothing; a store without that step sends a reload's announcement at most once a minute.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { createJobsService } from "../../src/modules/jobs/jobs.service.ts";
import type { Topic } from "../../src/ports/queue.ts";
import { type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";

const VCF = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n21\t25000000\t.\tA\tG\t.\tPASS\t.\n";

describe("hostile: upload names and repeated submits", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    adaId = await ada.signIn("ada-names@example.org", "Ada");
  }, 60_000);
  afterAll(() => h.close());

  /** Store an input under `name` as an upload would, and submit it through the API. */
  async function submit(name: string): Promise<Response> {
    const key = `${adaId}/${randomUUID()}~${name}`;
    // A key no store accepts (a NUL in it) is still sent: submit must refuse it by its name.
    await h.container.ports.inputs.put(key, VCF).catch(() => {});
    return ada.request("/annotations", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ input_file: key }),
    });
  }

  const queued = () => h.container.ports.queue("annotator").depth();

  test("names breaking a rule are refused at submit with the rule; nothing is queued", async () => {
    const before = await queued();
    const cases: [string, RegExp][] = [
      [`${"a".repeat(201)}.vcf`, /at most 200 bytes/],
      [`${"é".repeat(101)}.vcf`, /at most 200 bytes/], // 101 characters, 202 bytes
      ["sample\u007f.vcf", /control character U\+007F/],
      ["sample\u0085.vcf", /control character U\+0085/],
      ["sample\u0000.vcf", /control character U\+0000/],
      ["evil\u202Efcv.vcf", /text-direction character U\+202E/],
      [" leading.vcf", /white space/],
    ];
    for (const [name, says] of cases) {
      const res = await submit(name);
      const body = await res.text();
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      expect({ name, says: says.test(body) }).toEqual({ name, says: true });
    }
    expect(await queued()).toBe(before);
  });

  test("names within the rules are accepted, multi-byte ones too", async () => {
    for (const name of ["サンプル 1.vcf", `${"é".repeat(95)}.vcf`, "NA12878 (run 2).vcf.gz"]) {
      const res = await submit(name);
      expect({ name, status: res.status }).toEqual({ name, status: 201 });
    }
  });

  test("100 reloads of the upload redirect enqueue one job request", async () => {
    const key = `${adaId}/${randomUUID()}~reloaded.vcf`;
    await h.container.ports.inputs.put(key, VCF);
    const before = await queued();
    const redirect = `/annotate/job?bucket=gas-inputs&key=${encodeURIComponent(key)}&etag=x`;
    for (let i = 0; i < 100; i++) {
      const res = await ada.request(redirect);
      expect(res.status).toBeLessThan(400);
    }
    expect((await queued()) - before).toBe(1);
  }, 60_000);

  test("one upload form is one job: a second file posted with it is refused at submit, naming the first", async () => {
    const formKey = randomUUID();
    const first = `${adaId}/${formKey}~first.vcf`;
    const second = `${adaId}/${formKey}~second.vcf`;
    await h.container.ports.inputs.put(first, VCF);
    await h.container.ports.inputs.put(second, VCF);
    const post = (key: string) =>
      ada.request("/annotations", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ input_file: key }),
      });
    expect((await post(first)).status).toBe(201);
    const refused = await post(second);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toMatch(/already used for first\.vcf.*second\.vcf was not submitted/);
    // The first file's submit is still the same job.
    expect((await post(first)).status).toBeLessThan(300);
  });

  test("without an atomic announce, a reload re-announces a PENDING job at most once a minute", async () => {
    const published: unknown[] = [];
    const topic: Topic = { publish: async (_t: string, m: unknown) => void published.push(m) } as unknown as Topic;
    const { createAndAnnounce: _, ...plain } = h.container.ports.jobStore;
    const jobs = createJobsService({
      jobs: plain,
      inputs: h.container.ports.inputs,
      results: h.container.ports.results,
      topic,
      limits: { freeMaxUploadBytes: 1_000_000, uploadPolicySeconds: 60 },
    } as unknown as Parameters<typeof createJobsService>[0]);
    const key = `${adaId}/${randomUUID()}~plain.vcf`;
    await h.container.ports.inputs.put(key, VCF);
    const user = { id: adaId, tier: "free" } as Parameters<typeof jobs.submit>[0];
    for (let i = 0; i < 50; i++) await jobs.submit(user, key);
    // The insert's own announcement, and one re-announcement for the reloads.
    expect(published.length).toBe(2);
  });
});
