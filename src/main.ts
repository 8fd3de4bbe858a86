/**
 * The single executable. `gas [--role=web|annotator|archiver|notifier|all]` runs service roles
 * (default all, in one process); `gas annotate …` and `gas refdata …` run the engine's CLI.
 * The only module with side effects at import time. It imports nothing else statically: each
 * command loads only what it uses, so `gas annotate` starts without the service's dependency
 * graph (zod, drizzle, Hono, the AWS SDK: ~0.15 s of CPU per start, measured with `time`).
 */
import { versionLine } from "./build-info.ts";

const argv = Bun.argv.slice(2);
if (argv[0] === "--version" || argv[0] === "version") {
  console.log(versionLine());
  process.exit(0);
}
if (argv[0] === "annotate" || argv[0] === "refdata") {
  const { runAnnotatorCli } = await import("./modules/annotator/cli.ts");
  process.exit(await runAnnotatorCli(argv));
}
if (argv[0] === "aws") {
  const { runAwsCli } = await import("./container.ts");
  process.exit(await runAwsCli(argv.slice(1), Bun.env));
}
const { serve } = await import("./serve.ts");
await serve(argv);
