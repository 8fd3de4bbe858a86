/**
 * SMTP_URL end to end: `--role=all` configured with a real SMTP server (started here, requiring
 * AUTH) emails the job's owner over SMTP instead of writing the outbox; a bad SMTP_URL stops
 * start-up with a message naming it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");
const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");

describe("email over SMTP (SMTP_URL)", () => {
  let sink: SmtpSink;
  let gas: GasProcess;
  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: "gas", pass: "p@ss word" } });
    gas = await startGas({ env: { SMTP_URL: sink.url, MAIL_FROM: "GAS <noreply@gas.example.org>" } });
  }, 120_000);
  afterAll(async () => {
    expect(await gas?.stop()).toBe(0);
    await sink?.close();
    if (gas) await rm(gas.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("a finished job is emailed through the SMTP server, not the outbox", async () => {
    const browser = createClient(gas.url);
    await browser.signIn("ada@example.org", "Ada");
    const form = (await (await browser.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const up = await postUpload(browser, form.url, form.fields, new File([await Bun.file(DEMO_VCF).arrayBuffer()], "test.vcf"));
    expect(up.status).toBe(303);
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const res = await browser.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    const jobId = ((await res.json()) as { job_id: string }).job_id;
    expect((await waitForJob(browser, jobId)).job_status).toBe("COMPLETED");

    const [mail] = await sink.waitFor(1);
    expect(mail!.envelope).toEqual({ from: "noreply@gas.example.org", to: ["ada@example.org"] });
    expect(mail!.user).toBe("gas");
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toStartWith(`Results available for job ${jobId} (`);
    const link = `${gas.url}/annotations/${jobId}`;
    expect(parsed.text).toContain(link);
    expect(typeof parsed.html === "string" ? parsed.html : "").toContain(`href="${link}"`);
    expect(await readdir(join(gas.dataDir, "outbox")).catch(() => [])).toHaveLength(0);
  }, 120_000);
});

test("a bad SMTP_URL stops start-up naming the variable, without echoing the password", async () => {
  const proc = Bun.spawn(["bun", MAIN, "--role=notifier"], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", SMTP_URL: "smtp://:hunter2@mail.example.org/x" },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await proc.exited).toBe(78);
  const err = await new Response(proc.stderr).text();
  expect(err).toContain("SMTP_URL:");
  expect(err).not.toContain("hunter2");
}, 30_000);
