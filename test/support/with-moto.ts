/**
 * `bun test/support/with-moto.ts <command…>`: start `moto_server` (pip install "moto[server]") on
 * a free port, run the command with GAS_TEST_AWS_ENDPOINT pointing at it (the AWS suites then use
 * moto instead of the in-process emulators), stop the server, exit with the command's code.
 * The second, independent emulator of `.ci/run`.
 */
import { freePort } from "./free-port.ts";

const cmd = Bun.argv.slice(2);
if (cmd.length === 0) {
  console.error("usage: bun test/support/with-moto.ts <command…>");
  process.exit(2);
}
const bin = Bun.which("moto_server");
if (!bin) {
  console.error('with-moto: moto_server is not on PATH (pip install "moto[server]")');
  process.exit(1);
}
const port = await freePort();
const endpoint = `http://127.0.0.1:${port}`;
const moto = Bun.spawn([bin, "-H", "127.0.0.1", "-p", String(port)], { stdout: "ignore", stderr: "ignore" });
let code = 1;
try {
  for (const deadline = Date.now() + 30_000; ; await Bun.sleep(200)) {
    if (moto.exitCode !== null) throw new Error(`moto_server exited ${moto.exitCode}`);
    if ((await fetch(`${endpoint}/moto-api/`).catch(() => null))?.ok) break;
    if (Date.now() > deadline) throw new Error("moto_server did not answer within 30 s");
  }
  // moto's /moto-api/data.json (how the SES tests read sent mail) walks every S3 object ever
  // made, and reading an object's restore status advances it and looks its bucket up, which
  // fails for a deleted bucket. Manual progression keeps restore states still, so it never looks.
  const set = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: "POST",
    body: JSON.stringify({ model_name: "s3::keyrestore", transition: { progression: "manual", times: 1_000_000 } }),
  });
  if (!set.ok) throw new Error(`moto: set-transition answered ${set.status}`);
  const child = Bun.spawn(cmd, { env: { ...process.env, GAS_TEST_AWS_ENDPOINT: endpoint }, stdio: ["inherit", "inherit", "inherit"] });
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => child.kill(s));
  code = await child.exited;
} catch (err) {
  console.error(`with-moto: ${(err as Error).message}`);
} finally {
  moto.kill();
  await moto.exited;
}
process.exit(code);
