/**
 * The hostile-input corpus (test/corpus/) through the real flow against a running `--role=all`:
 * signed-form upload, POST /annotations, poll. Every file ends FAILED with a reason that names the
 * file and the problem, or COMPLETED with a real annotated VCF; the service stays up, nothing is
 * left PENDING/RUNNING, and a gzip bomb does not inflate into memory.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateLargeCorpus } from "./corpus/generate-corpus.ts";
import { type Client, type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";

const CORPUS = join(import.meta.dir, "corpus");
const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");

/** What each corpus file must end as: FAILED with a reason matching, or COMPLETED. */
type Expect = { status: "FAILED"; reason: RegExp } | { status: "COMPLETED"; check?: (vcf: string) => void } | { status: "REFUSED" };
interface Case {
  /** The file on disk (corpus or generated). */
  source: string;
  /** The name it is uploaded under (defaults to the file's name). */
  uploadAs?: string;
  expect: Expect;
}

const small = (name: string, expect: Expect, uploadAs?: string): Case => ({ source: join(CORPUS, name), uploadAs, expect });
/** The demo VCF's 132 records, each annotated, with no carriage returns left over. */
const annotated = (vcf: string) => {
  expect(vcf.startsWith("##fileformat=VCF")).toBe(true);
  const records = vcf.split("\n").filter((l) => l && !l.startsWith("#"));
  expect(records.length).toBe(132);
  expect(records.every((r) => r.includes("ANN="))).toBe(true);
  expect(vcf).not.toContain("\r");
};

/** Resident memory of a process (kB), from /proc. */
async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Samples a process's RSS every 50 ms until stopped; returns the largest seen (kB). VmHWM is no use: start-up already sets it. */
function sampleRss(pid: number) {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, await rssKb(pid).catch(() => 0));
      await Bun.sleep(50);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return max;
  };
}

describe("hostile input corpus", () => {
  let gas: GasProcess;
  let api: Client;
  let generatedDir: string;
  let cases: Case[];
  let baselineRssKb: number;

  beforeAll(async () => {
    generatedDir = await mkdtemp(join(tmpdir(), "gas-corpus-"));
    const big = await generateLargeCorpus(generatedDir);
    gas = await startGas({
      env: {
        FREE_MAX_UPLOAD_BYTES: String(20 << 20),
        FREE_MAX_INPUT_BYTES: "0",
        FREE_MAX_VARIANTS: "0",
        FREE_MAX_RESULT_BYTES: "0",
        LOG_LEVEL: "info",
      },
    });
    const browser = createClient(gas.url);
    await browser.signIn("mallory@example.org", "Mallory");
    const token = ((await (await browser.json("/account/tokens", { method: "POST", body: "{}" })).json()) as { token: string }).token;
    api = createClient(gas.url, { token });
    baselineRssKb = await rssKb(gas.proc.pid);
    const failed = (reason: RegExp): Expect => ({ status: "FAILED", reason });
    cases = [
      small("truncated.vcf.gz", failed(/truncated|unexpected end|corrupt|gzip/i)),
      small("binary-garbage.vcf", failed(/binary|NUL|not a (text )?VCF|fileformat/i)),
      small("crlf.vcf", { status: "COMPLETED", check: annotated }),
      small("missing-header.vcf", failed(/header|fileformat|#CHROM/i)),
      small("unsorted.vcf", { status: "COMPLETED", check: annotated }),
      small("wrong-ref.vcf", {
        status: "COMPLETED",
        check: (vcf) => {
          annotated(vcf);
          expect(vcf.match(/WARNING_REF_DOES_NOT_MATCH_GENOME/g)?.length).toBeGreaterThanOrEqual(5);
        },
      }),
      small("non-ascii-samples.vcf", {
        status: "COMPLETED",
        check: (vcf) => {
          annotated(vcf);
          expect(vcf).toContain("Échantillon-日本語-Ωμέγα\tПациент_№2");
        },
      }),
      small("empty.vcf", failed(/empty|fileformat|header/i)),
      small("header-only.vcf", {
        status: "COMPLETED",
        check: (vcf) => {
          expect(vcf.startsWith("##fileformat=VCF")).toBe(true);
          expect(vcf.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([]);
        },
      }),
      small("not-a-vcf.zip", failed(/zip/i)),
      small("wrong-columns.vcf", failed(/line 9/)),
      { source: DEMO_VCF, uploadAs: `<img src=x onerror=alert("x")>'.vcf`, expect: { status: "COMPLETED", check: annotated } },
      { source: DEMO_VCF, uploadAs: `<script>alert(1)</script>.vcf`, expect: { status: "REFUSED" } }, // a slash: refused at upload
      { source: DEMO_VCF, uploadAs: "../../../etc/passwd.vcf", expect: { status: "REFUSED" } },
      { source: DEMO_VCF, uploadAs: "..\\..\\windows\\evil.vcf", expect: { status: "REFUSED" } },
      { source: DEMO_VCF, uploadAs: "résumé ☃ 日本.vcf", expect: { status: "COMPLETED", check: annotated } },
      { source: big["gzip-bomb-zeros.vcf.gz"]!, expect: failed(/NUL|binary|longer than/i) },
      { source: big["gzip-bomb-one-line.vcf.gz"]!, expect: failed(/longer than/i) },
      // ~1000:1 of blank lines: refused by the compression ratio limit (issue 13), not streamed through.
      { source: big["gzip-bomb-blank-lines.vcf.gz"]!, expect: failed(/compression ratio limit/) },
      { source: big["line-10mb.vcf"]!, expect: failed(/longer than/i) },
      { source: big["contigs-100k.vcf"]!, expect: { status: "COMPLETED", check: annotated } },
    ];
  }, 120_000);

  afterAll(async () => {
    await gas?.stop();
    await rm(gas?.dataDir ?? "", { recursive: true, force: true });
    await rm(generatedDir, { recursive: true, force: true });
  }, 60_000);

  /** Upload through the signed form and submit; returns the job id, or null when the upload is refused (400). */
  const submit = async (file: File, refused: boolean) => {
    const form = (await (await api.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
    const up = await postUpload(api, form.url, form.fields, file);
    if (refused) {
      expect({ name: file.name, status: up.status }).toEqual({ name: file.name, status: 400 });
      expect(((await up.json()) as { message: string }).message).toContain("file name");
      return null;
    }
    expect({ name: file.name, status: up.status }).toEqual({ name: file.name, status: 303 });
    const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
    const res = await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { job_id: string }).job_id;
  };

  test("every file ends FAILED with a readable reason or COMPLETED correctly; the service stays up", async () => {
    const outcomes: string[] = [];
    const stopSampling = sampleRss(gas.proc.pid);
    const jobs = [];
    for (const c of cases) {
      const name = c.uploadAs ?? c.source.split("/").pop()!;
      const id = await submit(new File([await Bun.file(c.source).arrayBuffer()], name), c.expect.status === "REFUSED");
      if (id) jobs.push({ c, name, id });
    }
    for (const { c, name, id } of jobs) {
      const done = await waitForJob(api, id, undefined, 120_000);
      outcomes.push(`${name}: ${done.job_status} ${done.failure_reason ?? ""}`);
      expect({ name, status: done.job_status }).toEqual({ name, status: c.expect.status });
      if (c.expect.status === "FAILED") {
        const reason = String(done.failure_reason);
        expect({ name, reason, matches: c.expect.reason.test(reason) }).toEqual({ name, reason, matches: true });
        expect(reason).toContain(name); // names the file
        expect(reason).not.toMatch(/\bat .*\.ts:\d+|TypeError|undefined/); // no stack traces or internals
      } else if (c.expect.status === "COMPLETED") {
        const result = await api.request(`/annotations/${id}/result.vcf`);
        expect(result.status).toBe(200);
        c.expect.check?.(await result.text());
      }
      expect((await fetch(`${gas.url}/healthz`)).status).toBe(200);
    }
    console.log(outcomes.join("\n"));
    // Nothing left PENDING or RUNNING.
    const list = (await (await api.json("/annotations")).json()) as { jobs: { job_id: string }[] };
    expect(list.jobs.length).toBe(jobs.length);
    for (const { job_id } of list.jobs) {
      const status = ((await (await api.json(`/annotations/${job_id}`)).json()) as { job_status: string }).job_status;
      expect(["COMPLETED", "FAILED"]).toContain(status);
    }
    // Three 1 GiB gzip bombs went through: the peak must stay far below one inflated bomb.
    const peakKb = await stopSampling();
    const grewMb = (peakKb - baselineRssKb) / 1024;
    console.log(`RSS ${(baselineRssKb / 1024).toFixed(0)} MB after start, at most ${(peakKb / 1024).toFixed(0)} MB during the corpus`);
    expect(grewMb).toBeLessThan(512);
    expect(gas.proc.exitCode).toBeNull();
  }, 240_000);
});
