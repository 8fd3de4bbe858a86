/**
 * Issue 13, item 6: a client's mistake (or malice) is a 4xx with a message that names it, and is
 * not logged as an error of ours: malformed multipart bodies (signed in or not, on form routes and
 * the upload endpoint), a `?page=` past any page, CR/LF in `next`, and an upload whose key uses
 * another upload's file as a folder (or a folder as a file). Each of these answered 500 and was
 * logged at error level.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { csrfTokenIn } from "../support/gas-process.ts";
import { ORIGIN, type WebClient, type WebHarness, startWebHarness } from "../support/web-harness.ts";
import { capturedApp } from "./captured-app.ts";

describe("client errors are 4xx, not 500", () => {
  let h: WebHarness;
  let ada: WebClient;
  let adaId: string;
  let jobId: string;
  let app: Awaited<ReturnType<typeof capturedApp>>;
  beforeAll(async () => {
    h = await startWebHarness();
    ada = h.client();
    adaId = await ada.signIn("ada@example.org", "Ada");
    jobId = await h.completedJob(adaId);
    app = await capturedApp(h);
  }, 60_000);
  afterAll(() => h.close());

  /** Sends each request; expects `status` and a message containing `says`; nothing logged at error level. */
  async function expectAll(status: number, says: RegExp, cases: [label: string, send: () => Promise<Response>][]) {
    for (const [label, send] of cases) {
      app.lines.length = 0;
      const res = await send();
      const body = await res.text();
      expect({ label, status: res.status }).toEqual({ label, status });
      expect({ label, says: says.test(body) }).toEqual({ label, says: true });
      expect({ label, errors: app.lines.filter((l) => l.level === "error").map((l) => l.msg) }).toEqual({ label, errors: [] });
      expect(app.lines.find((l) => l.msg === "request")).toMatchObject({ level: "info", status });
    }
  }

  test("malformed multipart bodies → 400, signed in or not, on forms and the upload endpoint", async () => {
    const token = csrfTokenIn(await (await ada.request("/profile")).text());
    const broken = (extra: Record<string, string> = {}) => ({
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "multipart/form-data; boundary=xyz", ...extra },
      body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nno closing boundary',
    });
    await expectAll(400, /form/i, [
      ["anonymous POST /logout", () => app.request("/logout", broken())],
      ["anonymous POST /login/dev", () => app.request("/login/dev", broken())],
      ["anonymous POST /upload/inputs", () => app.request("/upload/inputs", broken())],
      [
        "no boundary at all",
        () => app.request("/logout", { ...broken(), headers: { origin: ORIGIN, "content-type": "multipart/form-data" } }),
      ],
      ["signed-in POST /profile", () => app.request("/profile", broken(), ada)],
      ["signed-in POST /profile, token in the header", () => app.request("/profile", broken({ "x-csrf-token": token }), ada)],
      [
        "signed-in POST shares, token in the header",
        () => app.request(`/annotations/${jobId}/shares`, broken({ "x-csrf-token": token }), ada),
      ],
    ]);
  });

  test("?page= past any page, or not a page number → 400 naming it", async () => {
    const pages = ["9999999999999999999999", "1".padEnd(400, "0"), "1001", "0", "-1", "abc", "2.5"];
    await expectAll(
      400,
      /page/,
      pages.map((p) => [`page=${p.slice(0, 30)}`, () => app.request(`/annotations?page=${p}`, {}, ada)]),
    );
    for (const ok of ["", "?page=1", "?page=2", "?page=1000"]) expect((await ada.request(`/annotations${ok}`)).status).toBe(200);
  });

  test("CR or LF in next → 400 naming it", async () => {
    const next = "/annotations\r\nSet-Cookie: gas_session=planted";
    await expectAll(400, /next/, [
      ["GET /login", () => app.request(`/login?next=${encodeURIComponent(next)}`)],
      ["GET /profile", () => app.request(`/profile?next=${encodeURIComponent(next)}`, {}, ada)],
      [
        "POST /profile",
        async () => {
          const form = {
            _csrf: csrfTokenIn(await (await ada.request("/profile")).text()),
            name: "Ada",
            email: "ada@example.org",
            institution: "Engines",
            next,
          };
          return app.request("/profile", { method: "POST", headers: { origin: ORIGIN }, body: new URLSearchParams(form) }, ada);
        },
      ],
    ]);
  });

  test("an upload key that uses a file as a folder, or a folder as a file → 409", async () => {
    const upload = async (key: string) => {
      const form = (await (await ada.request("/annotate", { headers: { accept: "application/json" } })).json()) as {
        url: string;
        fields: Record<string, string>;
      };
      const body = new FormData();
      for (const [k, v] of Object.entries({ ...form.fields, key })) body.append(k, v);
      body.append("file", new File(["##fileformat=VCFv4.2\n"], "a.vcf"));
      return app.request(new URL(form.url).pathname, { method: "POST", body, headers: { accept: "application/json" } });
    };
    const file = `${adaId}/${randomUUID()}~a.vcf`;
    expect((await upload(file)).status).toBe(303);
    const folder = `${adaId}/${randomUUID()}~d`;
    expect((await upload(`${folder}/b.vcf`)).status).toBe(303);
    await expectAll(409, /folder/, [
      ["a file used as a folder", () => upload(`${file}/b.vcf`)],
      ["a folder used as a file", () => upload(folder)],
    ]);
    expect((await ada.request("/annotate/files", { headers: { accept: "application/json" } })).status).toBe(200);
  });
});
