/**
 * API fuzzing from the OpenAPI document: starts a `--role=all` service on a temp folder, signs a
 * user in and makes a bearer token, uploads and submits one real job (so ids and files exist),
 * then runs schemathesis against /openapi.json with the token. Exits with schemathesis's code.
 *
 *   pip install schemathesis
 *   bun test/fuzz/run-schemathesis.ts                  # bounded: 50 examples per operation, 120 s
 *   FUZZ_MAX_EXAMPLES=500 FUZZ_MAX_TIME=900 bun test/fuzz/run-schemathesis.ts -- --seed 1
 *
 * Arguments after `--` go to `schemathesis run` as they are. Checks: no 5xx anywhere, and every
 * response matches the documented status codes, content types and schema.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createClient, postUpload, startGas, waitForJob } from "../support/gas-process.ts";

const DEMO_VCF = join(import.meta.dir, "..", "..", "data", "demo", "vcf", "test.vcf");
const CHECKS = ["not_a_server_error", "response_schema_conformance", "status_code_conformance", "content_type_conformance"];

const maxExamples = process.env.FUZZ_MAX_EXAMPLES ?? "50";
const maxTime = process.env.FUZZ_MAX_TIME ?? "120";
// Bun drops a lone "--" from argv; accept the arguments with or without it.
const extra = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));

const gas = await startGas({ env: { LOG_LEVEL: "warn" } });
let code = 1;
try {
  const browser = createClient(gas.url);
  await browser.signIn("fuzz@example.org", "Fuzz");
  // Every scope, so that each operation is reached (a narrower token's 403s are tested in test/hostile/token-scopes.test.ts).
  const made = await browser.json("/account/tokens", { method: "POST", body: JSON.stringify({ scopes: ["read", "submit", "manage"] }) });
  const token = ((await made.json()) as { token: string }).token;
  const api = createClient(gas.url, { token });
  const form = (await (await api.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
  const up = await postUpload(api, form.url, form.fields, new File([await Bun.file(DEMO_VCF).arrayBuffer()], "test.vcf"));
  const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
  const job = (
    (await (await api.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) })).json()) as { job_id: string }
  ).job_id;
  await waitForJob(api, job);
  console.log(`gas at ${gas.url}; a COMPLETED job ${job}; fuzzing (${maxExamples} examples per operation, at most ${maxTime} s)`);

  const st = Bun.spawn(
    [
      "schemathesis",
      "run",
      `${gas.url}/openapi.json`,
      "--url",
      gas.url,
      "-H",
      `Authorization: Bearer ${token}`,
      // Pages and the API share paths; an API client says it wants JSON (see src/web/negotiate.ts).
      "-H",
      "Accept: application/json",
      "--checks",
      CHECKS.join(","),
      "--max-examples",
      maxExamples,
      "--max-time",
      maxTime,
      // One worker: with two, hypothesis (Python 3.11) sometimes dies in ast.parse ("AST constructor
      // recursion depth mismatch"), a thread-safety bug of its lambda descriptions, not ours.
      "--workers",
      "1",
      "--request-timeout",
      "10",
      ...extra,
    ],
    // Its .schemathesis/ cache goes into the service's temp folder, not the repository.
    { stdout: "inherit", stderr: "inherit", cwd: gas.dataDir },
  );
  code = await st.exited;
  const health = await fetch(`${gas.url}/healthz`).catch(() => null);
  if (!health?.ok) {
    console.error("the service did not survive the fuzz run");
    code = code || 1;
  }
} finally {
  await gas.stop();
  await rm(gas.dataDir, { recursive: true, force: true });
}
process.exit(code);
