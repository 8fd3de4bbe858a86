/**
 * The single executable. `gas serve [--role=web|annotator|archiver|notifier|all]` (or just
 * `gas --role=…`, as the systemd units run it) runs service roles, all in one process by default;
 * `gas annotate …` and `gas refdata …` run the engine's CLI; `gas aws bootstrap` creates the AWS
 * resources for emulators and trials; a bare `gas` or `gas --help` prints what it can do.
 * The only module with side effects at import time. It imports nothing else statically: each
 * command loads only what it uses, so `gas annotate` starts without the service's dependency
 * graph (zod, drizzle, Hono, the AWS SDK: ~0.15 s of CPU per start, measured with `time`).
 */
import { versionLine } from "./build-info.ts";

const HELP = `GAS, the Genomics Annotation Service.

Usage:
  gas serve [--role=all|web|annotator|archiver|notifier]
                         run the service (default: every role in one process); configuration
                         comes from the environment (see the README's configuration table)
  gas --role=ROLE        the same (how the systemd units start each role)
  gas annotate IN [-o OUT] [--ref BUNDLE_DIR] …
                         annotate a VCF (gas annotate --help lists every option)
  gas refdata prepare BUNDLE_DIR
                         compile a reference bundle's gene models into its fast index
  gas aws bootstrap      create the AWS resources the service uses (emulators and trials;
                         production is provisioned by Ansible)
  gas --version          version and commit
  gas --help             this text`;

const argv = Bun.argv.slice(2);
const [command, ...rest] = argv;
if (command === undefined || command === "--help" || command === "-h" || command === "help") {
  console.log(HELP);
  process.exit(0);
}
if (command === "--version" || command === "version") {
  console.log(versionLine());
  process.exit(0);
}
if (command === "annotate" || command === "refdata") {
  const { runAnnotatorCli } = await import("./modules/annotator/cli.ts");
  process.exit(await runAnnotatorCli(argv));
}
if (command === "aws") {
  const { runAwsCli } = await import("./container.ts");
  process.exit(await runAwsCli(rest, Bun.env));
}
if (command === "serve" || command.startsWith("--role")) {
  const { serve } = await import("./serve.ts");
  await serve(command === "serve" ? rest : argv);
} else {
  console.error(`gas: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  process.exit(2);
}
